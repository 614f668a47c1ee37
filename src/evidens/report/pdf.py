"""PDF of the report through LibreOffice, when it is installed: ``report_pdf(docx_bytes)``.

Converting the DOCX (rather than drawing a PDF ourselves) keeps one layout for both files.
LibreOffice runs headless in a private temporary profile, so several conversions at once (or
a desktop LibreOffice already open) do not block each other; it is given a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from evidens.errors import EvidensError

TIMEOUT_SECONDS = 180
MAX_DOCX_BYTES = 200 * 1024 * 1024


def soffice_path() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def report_pdf(docx_bytes: bytes) -> bytes | None:
    """The DOCX converted to PDF, or None when LibreOffice is not installed (callers say
    so and skip the PDF)."""
    program = soffice_path()
    if program is None:
        return None
    if len(docx_bytes) > MAX_DOCX_BYTES:
        raise EvidensError("the report is too large to convert to PDF")
    with tempfile.TemporaryDirectory(prefix="evidens-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "report.docx"
        source.write_bytes(docx_bytes)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise EvidensError(
                f"LibreOffice did not finish the PDF within {TIMEOUT_SECONDS} s",
                hint="open report.docx and export it to PDF by hand",
            ) from exc
        target = folder / "report.pdf"
        if done.returncode != 0 or not target.is_file():
            detail = done.stderr.decode("utf-8", "replace").strip()[:300]
            raise EvidensError(
                f"LibreOffice could not convert the report to PDF: {detail or 'no output'}",
                hint="open report.docx and export it to PDF by hand",
            )
        return target.read_bytes()
