"""Reading a file a person names, bounded: the one reader for input files.

The size is checked before a byte is read (and the read itself stops one byte past the
limit, in case the file grows meanwhile), so a mistaken path to a disk image or a
hostile upload costs nothing; every refusal names the file and says how to fix it.
"""

from __future__ import annotations

from pathlib import Path

from evidens.errors import InputError

MIB = 1024 * 1024

# The limits, one per kind of file a person names (each large enough for any real one):
TEXT_LIMIT = 16 * MIB
"""A text people write: a review folder's TOML, a strategy, an assessment, a decision log."""
DATA_LIMIT = 200 * MIB
"""A table of data: effect sizes for a meta-analysis, a labelled screening set."""
EXPORT_LIMIT = 512 * MIB
"""A database's export (a million records is ~2 GB: split it)."""
WORKBOOK_LIMIT = 20 * MIB
"""An extraction workbook (.xlsx)."""
PDF_LIMIT = 64 * MIB
"""A report's full text."""


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


def read_text_bounded(path: Path, limit: int = TEXT_LIMIT, *, what: str = "file") -> str:
    """The text of ``path`` (UTF-8, a byte-order mark allowed), bounded as above."""
    data = read_bounded(path, limit, what=what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the {what} is not UTF-8 text (byte {exc.start})", path=path, hint="save it as UTF-8"
        ) from None
