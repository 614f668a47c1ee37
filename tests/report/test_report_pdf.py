"""PDF through LibreOffice: the RISS DOCX converts, and its pages carry the seed's tables.

The pages were also rendered to PNG (pdftoppm) and looked at while building the layout;
here pdftotext checks that every part reached the PDF, in order.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from evidens.report.pdf import report_pdf, soffice_path


def test_no_libreoffice_means_no_pdf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no soffice on the path
    assert soffice_path() is None
    assert report_pdf(b"not even a docx") is None


@pytest.mark.slow
def test_riss_report_converts_to_pdf_with_every_part(riss_docx: bytes, tmp_path: Path) -> None:
    if soffice_path() is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed here")
    pdf = report_pdf(riss_docx)
    assert pdf is not None
    assert pdf.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    order = [
        "Table 1. Search strategies.",
        "Figure 1. Study selection flow diagram",
        "Table 2. Characteristics",
        "Table 3. Risk of bias",
        "Table 4. Summary of findings",
        "PRISMA 2020 checklist",
    ]
    positions = [text.find(part) for part in order]
    assert all(p >= 0 for p in positions), dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    assert "ClinicalTrials.gov" in text
    assert "Very low" in text
    pages = text.count("\f")
    assert 6 <= pages <= 9  # as laid out when looked at: 7 A4 pages
