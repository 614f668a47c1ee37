"""The RISS example's DOCX report: the seed's Tables 1-4, Figure 1 and the checklist, in
order, every table within its page (landscape where wide).

Expected values are the seed paper's (seeds/000_bb032bccad503e03.txt), typed by hand.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length

SEED_SOURCES = (
    "PubMed",
    "Embase",
    "Scopus",
    "Web of Science",
    "Cochrane CENTRAL",
    "WHO ICTRP",
    "ClinicalTrials.gov",
)
SEED_ROB = ("Low", "Some concerns", "High", "Low", "High", "Low", "High")
SEED_FLOW = ("15197", "9469", "5728", "5376", "352", "351")
SEED_OUTCOMES = (
    "Electroclinical resolution",
    "Spasm free",
    "50% reduction in spasms",
    "Days to achieve spasm cessation",
)


def _open(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def _rows(table: Any) -> list[list[str]]:
    """Cell texts per row, a merged cell counted once."""
    rows = []
    for row in table.rows:
        seen: list[Any] = []
        texts = []
        for cell in row.cells:
            if cell._tc not in seen:
                seen.append(cell._tc)
                texts.append(cell.text)
        rows.append(texts)
    return rows


def test_tables_in_the_seed_order(riss_docx: bytes) -> None:
    doc = _open(riss_docx)
    captions = [p.text for p in doc.paragraphs if p.text.startswith(("Table ", "Figure "))]
    assert [c.split(".")[0] for c in captions] == [
        "Table 1",
        "Figure 1",
        "Table 2",
        "Table 3",
        "Figure 2",
        "Table 4",
        "Table 5",
    ]
    assert captions[0] == "Table 1. Search strategies."
    assert len(doc.tables) == 5


def test_docx_tables_hold_the_seed_content(riss_docx: bytes) -> None:
    searches, characteristics, rob, sof, checklist = (_rows(t) for t in _open(riss_docx).tables)
    assert [r[0].split("\n")[0] for r in searches[1:]] == list(SEED_SOURCES)
    assert all(r[1] and r[2] == "2024-03-05" for r in searches[1:])
    assert characteristics[1][:3] == ["Sharma et al. (2021)", "91", "India"]
    assert [r[-1] for r in rob[1:]] == list(SEED_ROB)
    body = sof[2:]  # two header rows
    assert len(body) == len(SEED_OUTCOMES)
    for outcome, row in zip(SEED_OUTCOMES, body, strict=True):
        assert outcome in row[0]
        assert row[-1] == "⊕◯◯◯ Very low"
    assert len(checklist) == 43  # header + 27 items with sub-items


def test_figure1_image_carries_the_seed_counts(riss_docx: bytes) -> None:
    doc = _open(riss_docx)
    assert len(doc.inline_shapes) == 2  # PRISMA diagram and RoB traffic light
    description = doc.inline_shapes[0]._inline.docPr.get("descr")
    for number in SEED_FLOW:
        assert f"(n = {number})" in description
    assert "Studies included in review (n = 1)" in description


def _section_of_each_table(doc: Any) -> list[int]:
    """Index of the section each table sits in (a section ends at a paragraph's sectPr)."""
    section, found = 0, []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            found.append(section)
        elif child.tag == qn("w:p") and child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section += 1
    return found


def test_every_table_fits_its_page_and_wide_ones_are_landscape(riss_docx: bytes) -> None:
    doc = _open(riss_docx)
    sections = doc.sections
    for table, index in zip(doc.tables, _section_of_each_table(doc), strict=True):
        section = sections[index]
        text_width = section.page_width - section.left_margin - section.right_margin
        grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
        total = sum(int(col.get(qn("w:w"))) for col in grid)  # twentieths of a point
        assert Length(total * 635) <= text_width + 635 * 20  # within a point of rounding
        columns = len(grid)
        landscape = section.page_width > section.page_height
        assert landscape == (columns > 5), (columns, landscape)


def test_header_rows_repeat_and_short_rows_stay_on_one_page(riss_docx: bytes) -> None:
    for table in _open(riss_docx).tables:
        first = table.rows[0]._tr.trPr
        assert first.find(qn("w:tblHeader")) is not None
        for row in table.rows:  # every RISS row is short: none may break across pages
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
