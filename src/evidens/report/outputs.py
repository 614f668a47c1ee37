"""The report files ``evidens run`` writes, by name: one call for the whole set.

Pure apart from the optional PDF (LibreOffice); the caller decides where the bytes go.
"""

from __future__ import annotations

from evidens.report.checklist import checklist_csv
from evidens.report.document import build_report
from evidens.report.inputs import ReportInputs
from evidens.report.pdf import report_pdf
from evidens.report.render_report_docx import report_docx
from evidens.report.render_report_html import report_html


def report_outputs(inputs: ReportInputs, *, pdf: bool = False) -> dict[str, bytes]:
    """report.html, report.docx and prisma-checklist.csv; with ``pdf``, also report.pdf
    when LibreOffice is installed (absent from the result otherwise)."""
    report = build_report(inputs)
    docx = report_docx(report)
    files = {
        "report.html": report_html(report).encode("utf-8"),
        "report.docx": docx,
        "prisma-checklist.csv": checklist_csv(report.checklist).encode("utf-8"),
    }
    if pdf:
        converted = report_pdf(docx)
        if converted is not None:
            files["report.pdf"] = converted
    return files
