"""The PRISMA 2020 checklist: all 27 items (42 with sub-items, methods.md §5.3), filled
where the report holds the answer and "to be completed by the authors" elsewhere."""

from __future__ import annotations

import csv
import io

from evidens.report.checklist import checklist_csv
from evidens.report.document import build_report
from evidens.report.inputs import ReportInputs
from evidens.report.model import TO_COMPLETE, ChecklistItem, ReviewReport

# methods.md §5.3, in order
PRISMA_2020_ITEMS = [
    *("1", "2", "3", "4", "5", "6", "7", "8", "9", "10a", "10b", "11", "12"),
    *("13a", "13b", "13c", "13d", "13e", "13f", "14", "15", "16a", "16b", "17", "18", "19"),
    *("20a", "20b", "20c", "20d", "21", "22", "23a", "23b", "23c", "23d"),
    *("24a", "24b", "24c", "25", "26", "27"),
]
SECTIONS = {
    "1": "Title",
    "2": "Abstract",
    "3": "Introduction",
    "5": "Methods",
    "16a": "Results",
    "23a": "Discussion",
    "27": "Other information",
}
# what the RISS inputs let evidens answer, and where
RISS_FILLED = {
    "1": "Title",
    "4": "Methods: Review question and eligibility",
    "5": "Methods: Review question and eligibility",
    "6": "Methods: Information sources and searches; Table 1",
    "7": "Table 1",
    "8": "Methods: Selection process",
    "9": "Methods: Data collection",
    "10a": "Methods: Review question and eligibility",
    "10b": "Table 2",
    "11": "Methods: Risk of bias",
    "12": "Table 4",
    "13c": "Table 2; Table 3; Table 4",
    "13d": "Methods: Synthesis",
    "15": "Methods: Certainty of the evidence",
    "16a": "Figure 1",
    "17": "Table 2",
    "18": "Table 3; Figure 2",
    "22": "Table 4",
    "24a": "Methods: Registration and software",
}


def test_checklist_has_every_item_in_order(riss_report: ReviewReport) -> None:
    items = riss_report.checklist
    assert [i.item for i in items] == PRISMA_2020_ITEMS
    assert len(items) == 42
    sections = {i.item: i.section for i in items}
    for item, section in SECTIONS.items():
        assert sections[item] == section
    assert all(i.topic for i in items)


def test_riss_fills_exactly_the_known_items(riss_report: ReviewReport) -> None:
    filled = {i.item: i.location for i in riss_report.checklist if i.filled}
    assert filled == RISS_FILLED
    blank = [i for i in riss_report.checklist if not i.filled]
    assert {i.shown_location for i in blank} == {TO_COMPLETE}
    rows = riss_report.checklist_table.body
    assert [r[3].text for r in rows if r[0].text == "2"] == [TO_COMPLETE]
    assert all(r[3].muted == (r[3].text == TO_COMPLETE) for r in rows)  # shown grey, italic


def test_title_only_report_answers_only_item_1() -> None:
    report = build_report(ReportInputs(title="A review"))
    assert [i.item for i in report.checklist if i.filled] == ["1"]
    assert report.blocks == ()
    assert report.methods == ()


def test_forest_plots_answer_items_19_and_20b() -> None:
    svg = b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'></svg>"
    report = build_report(
        ReportInputs(title="A review", forest_svgs={"Mortality": svg, "Relapse": svg})
    )
    locations = {i.item: i.location for i in report.checklist}
    assert locations["19"] == "Figure 1; Figure 2"
    assert locations["20b"] == "Figure 1; Figure 2"
    assert [f.caption for f in report.figures("forest:")] == [
        "Forest plot: Mortality.",
        "Forest plot: Relapse.",
    ]


def test_checklist_csv_has_the_columns_and_guards_formulas(riss_report: ReviewReport) -> None:
    rows = list(csv.reader(io.StringIO(checklist_csv(riss_report.checklist))))
    assert rows[0] == ["item", "section", "topic", "location_reported"]
    assert len(rows) == 43
    assert rows[7] == ["7", "Methods", "Full search strategies", "Table 1"]
    formula = ChecklistItem("1", "Title", "Title", "=cmd|' /C calc'!A0")
    (row,) = list(csv.reader(io.StringIO(checklist_csv([formula]))))[1:]
    assert row[3] == "'=cmd|' /C calc'!A0"  # read as text, not run as a formula
