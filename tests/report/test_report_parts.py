"""Parts of the report beyond the RISS example: forest plots with and without PNG, several
RoB results per study, numbering that closes up when parts are missing."""

from __future__ import annotations

import io
from dataclasses import replace

from docx import Document
from PIL import Image

from evidens.core import Search
from evidens.report.document import build_report
from evidens.report.inputs import ReportInputs, SearchLog
from evidens.report.outputs import report_outputs
from evidens.report.render_report_docx import report_docx
from evidens.report.render_report_html import report_html
from evidens.rob.model import Result


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG", dpi=(100, 100))
    return buffer.getvalue()


SVG = b"<svg xmlns='http://www.w3.org/2000/svg' width='20' height='10'><text>RR</text></svg>"


def test_forest_png_is_embedded_and_tall_images_fit_the_page() -> None:
    inputs = ReportInputs(
        title="Forests",
        forest_svgs={"Mortality": SVG},
        forest_pngs={
            "Mortality": _png(2000, 1000),
            "Very tall": _png(100, 4000),
            "Small": _png(200, 100),
        },
    )
    doc = Document(io.BytesIO(report_docx(build_report(inputs))))
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    wide, tall, small = doc.inline_shapes
    assert abs(wide.width - text_width) < 12700  # 50.8 cm drawn: shrunk to the text width
    assert tall.height < text_height
    assert tall.width < text_width / 10
    assert abs(small.width.cm - 5.08) < 0.01  # 200 px at 100 dpi keeps its drawn size
    captions = [p.text for p in doc.paragraphs if p.text.startswith("Figure")]
    assert captions == [
        "Figure 1. Forest plot: Mortality.",
        "Figure 2. Forest plot: Very tall.",
        "Figure 3. Forest plot: Small.",
    ]


def test_forest_without_png_is_an_image_in_html() -> None:
    report = build_report(ReportInputs(title="Forests", forest_svgs={"Mortality": SVG}))
    html = report_html(report)
    assert html.count("data:image/svg+xml;base64,") == 1
    assert "Forest plot: Mortality" in html


def test_several_results_of_one_study_are_labelled_by_outcome(riss: ReportInputs) -> None:
    first = riss.rob_results[0]
    second: Result = replace(
        first, assessment=replace(first.assessment, outcome="Electroclinical remission")
    )
    report = build_report(replace(riss, rob_results=(first, second)))
    studies = [row[0].text for row in report.table("rob").body if row[0].rowspan > 1]
    assert studies == [
        "Sharma 2021\n(Spasm freedom at 4 weeks (parental report))",
        "Sharma 2021\n(Electroclinical remission)",
    ]
    assert len(report.table("rob").body) == 14


def test_numbers_close_up_when_parts_are_missing(riss: ReportInputs) -> None:
    report = build_report(replace(riss, searches=(), prisma=None))
    labels = [(b.key, b.label) for b in report.blocks]
    assert labels == [
        ("characteristics", "Table 1"),
        ("rob", "Table 2"),
        ("rob-figure:rob2", "Figure 1"),
        ("sof", "Table 3"),
    ]
    locations = {i.item: i.location for i in report.checklist}
    assert locations["6"] == ""
    assert locations["16a"] == ""
    assert locations["17"] == "Table 1"


def test_hits_are_shown_when_recorded() -> None:
    log = SearchLog(Search(source="PubMed", strategy="x", hits=1234))
    table = build_report(ReportInputs(title="T", searches=(log,))).table("searches")
    assert [c.text for c in table.body[0]] == ["PubMed", "x", "not reported", "1234"]
    assert table.notes == ()  # the 'not reported' note only when a count is missing


def test_report_outputs_names_the_files(riss: ReportInputs) -> None:
    files = report_outputs(replace(riss, prisma=None, rob_results=()))
    assert sorted(files) == ["prisma-checklist.csv", "report.docx", "report.html"]
    assert files["report.docx"].startswith(b"PK")  # a zip package
    assert files["report.html"].startswith(b"<!DOCTYPE html>")
    assert files["prisma-checklist.csv"].startswith(b"item,section,topic,location_reported")
