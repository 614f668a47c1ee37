"""Reading a file a person names, bounded: the one reader for input files.

The size is checked before a byte is read (and the read itself stops one byte past the
limit, in case the file grows meanwhile), so a mistaken path to a disk image or a
hostile upload costs nothing; every refusal names the file and says how to fix it.
"""

from __future__ import annotations

from pathlib import Path

from evidens.errors import InputError

MIB = 1024 * 1024


def read_bounded(path: Path, limit: int, *, what: str = "file") -> bytes:
    """The bytes of ``path``, a readable regular file of at most ``limit`` bytes."""
    try:
        if not path.is_file():
            raise InputError(f"no such {what}", path=path, hint="check the path")
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                f"the {what} is {size:,} bytes, more than the {limit:,} evidens reads",
                path=path,
                hint="check it is the right file, or split it",
            )
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", path=path) from exc
    if len(data) > limit:
        raise InputError(f"the {what} grew past {limit:,} bytes while read", path=path)
    return data
