"""Writing run outputs so that re-running a review gives byte-identical files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
ZIPPED = (".docx", ".xlsx", ".zip")


def reproducible_zip(data: bytes) -> bytes:
    """The same archive with every entry's timestamp fixed (Office files are zips whose
    entries carry the time they were saved, so identical documents differ byte-wise)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()


def write_output(path: Path, data: bytes) -> Path:
    path.write_bytes(reproducible_zip(data) if path.suffix.lower() in ZIPPED else data)
    return path
