"""Hostile text from review files stays text: escaped in HTML, XML-safe in DOCX, and
supplied SVG never inlined (so nothing in it can run)."""

from __future__ import annotations

import datetime as dt
import io

import lxml.html
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from evidens.core import Search
from evidens.report.document import build_report
from evidens.report.inputs import ReportInputs, SearchLog
from evidens.report.render_report_docx import report_docx
from evidens.report.render_report_html import report_html

TITLE = '<script>alert("t")</script> & "quoted" <b>bold</b>'
STRATEGY = '"a" AND b</td></tr><img src=x onerror=alert(1)>\nline two'
CONTROL = "Sharma\x00\x1b\x0b 2021 <i>"
HOSTILE_SVG = (
    b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'>"
    b"<script>alert('svg')</script><text>x</text></svg>"
)


def _hostile() -> ReportInputs:
    return ReportInputs(
        title=TITLE,
        searches=(
            SearchLog(Search(source="Evil <db>", strategy=STRATEGY, date_run=dt.date(2024, 1, 2))),
        ),
        characteristics=({"Study": CONTROL, "Country": "<svg onload=alert(1)>"},),
        forest_svgs={"<b>analysis</b>": HOSTILE_SVG},
    )


def test_html_shows_hostile_text_as_text() -> None:
    html = report_html(build_report(_hostile()))
    tree = lxml.html.fromstring(html)
    assert tree.find(".//script") is None
    assert tree.find(".//h1").text_content() == TITLE
    assert tree.find(".//title").text_content() == TITLE
    cells = tree.get_element_by_id("searches").find("tbody").findall(".//td")
    assert cells[0].text_content() == "Evil <db>"
    assert cells[1].text_content() == STRATEGY.replace("\n", "")  # line break is a <br>
    assert all(not k.startswith("on") for e in tree.iter() for k in e.attrib)
    images = [img.get("src") for img in tree.iter("img")]
    assert len(images) == 1
    assert images[0].startswith("data:image/svg+xml;base64,")
    assert "alert('svg')" not in html  # the supplied SVG stays inside its image


def test_docx_drops_characters_xml_cannot_hold() -> None:
    doc = Document(io.BytesIO(report_docx(build_report(_hostile()))))
    assert doc.paragraphs[0].text == TITLE
    searches, characteristics, _checklist = doc.tables
    assert searches.cell(1, 1).text == STRATEGY
    assert characteristics.cell(1, 0).text == "Sharma 2021 <i>"
    notes = [p.text for p in doc.paragraphs if "no PNG version" in p.text]
    assert notes == ["Figure 1: see the HTML report (no PNG version was supplied)."]


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=60))
def test_any_title_round_trips_through_html(title: str) -> None:
    html = report_html(build_report(ReportInputs(title=title)))
    assert lxml.html.fromstring(html).find(".//h1").text_content() == title
