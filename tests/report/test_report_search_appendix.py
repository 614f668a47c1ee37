"""The report's appendix of translated searches (PRISMA-S item 8): per search the strategy
as run, the strategy it came from and each warning with its part of the query; escaped in
HTML and kept in DOCX; absent when nothing was translated."""

from __future__ import annotations

import io

import lxml.html
from docx import Document

from evidens.core import Search
from evidens.report.document import build_report
from evidens.report.inputs import ReportInputs, SearchLog
from evidens.report.render_report_docx import report_docx
from evidens.report.render_report_html import report_html
from evidens.search.logged import LoggedTranslation
from evidens.search.notes import Approximation

DESIGNED = 'asthma[mh] AND "<b>bold</b>"[tiab]'
RUN = "'asthma'/exp AND '<img src=x onerror=alert(1)>':ti,ab"
WARNING = Approximation("embase", "Embase.com (Elsevier)", "no <i>exact</i> heading", "<b>x</b>", 2)


def _inputs() -> ReportInputs:
    translated = LoggedTranslation("pubmed", DESIGNED, "embase", (WARNING,))
    return ReportInputs(
        title="Appendix",
        searches=(
            SearchLog(Search("Embase", RUN, platform="Embase.com"), translation=translated),
            SearchLog(Search("Hand search", "reference lists")),
        ),
    )


def test_the_appendix_shows_strategy_source_and_warning_escaped() -> None:
    report = build_report(_inputs())
    (table,) = report.appendix
    html = report_html(report)
    tree = lxml.html.fromstring(html)
    assert tree.find(".//script") is None
    assert tree.find(".//img") is None
    body = tree.get_element_by_id("search-translations").find("tbody")
    rows = [[td.text_content() for td in tr.findall("td")] for tr in body]
    assert rows[0] == [f"Translated from this PubMed strategy:{DESIGNED}"]  # <br> joins
    assert rows[1] == [
        "EmbaseEmbase.com (Elsevier)",
        RUN,
        "- line 2, <b>x</b>: no <i>exact</i> heading",
    ]
    assert len(rows) == 2  # the hand search was not translated
    assert "Appendix" in tree.findall(".//h2")[-1].text_content()
    strategy = next(i for i in report.checklist if i.item == "7")
    assert strategy.location == f"Table 1; Appendix {table.label}"
    assert table.number == report.checklist_table.number + 1


def test_the_appendix_is_kept_in_docx() -> None:
    document = Document(io.BytesIO(report_docx(build_report(_inputs()))))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert RUN in cells
    assert "- line 2, <b>x</b>: no <i>exact</i> heading" in cells


def test_no_translation_means_no_appendix() -> None:
    inputs = ReportInputs(title="Plain", searches=(SearchLog(Search("PubMed", "asthma")),))
    report = build_report(inputs)
    assert report.appendix == ()
    assert "search-translations" not in report_html(report)
