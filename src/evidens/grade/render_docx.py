"""The SoF table as a Word document laid out like a Cochrane 'Summary of findings' table.

Landscape page; a shaded title row; the population / setting / intervention / comparison
block; the six GRADEpro columns with the absolute-effects header split in two; footnote
letters as superscripts; then the asterisk note, abbreviations, GRADE grade definitions and
the lettered explanations. Returned as bytes so the caller decides where it goes.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from evidens.core import OutcomeKind
from evidens.grade.render_html import CERTAINTY_DEFINITIONS
from evidens.grade.sof import (
    SofRow,
    SofTable,
    comparator_risk_text,
    continuous_text,
    measure_names,
)

_TITLE_FILL = "1F4E79"
_HEAD_FILL = "DCE6F0"
_WIDTHS_CM = (4.2, 3.0, 4.6, 3.6, 2.8, 3.2, 5.3)
_FONT_PT = 8.5


def _shade(cell: Any, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    props.append(shading)


def _write(
    cell: Any,
    text: str,
    letters: tuple[str, ...] = (),
    *,
    bold: bool = False,
    white: bool = False,
) -> None:
    """Replace a cell's text with ``text`` and superscript footnote letters."""
    paragraph = cell.paragraphs[0]
    for line_no, line in enumerate(text.split("\n")):
        if line_no:
            paragraph = cell.add_paragraph()
        run = paragraph.add_run(line)
        _style_run(run, bold=bold, white=white)
    if letters:
        sup = paragraph.add_run(",".join(letters))
        sup.font.superscript = True
        _style_run(sup, bold=bold, white=white)


def _style_run(
    run: Any, *, bold: bool = False, white: bool = False, size: float = _FONT_PT
) -> None:
    run.font.size = Pt(size)
    run.font.name = "Arial"
    run.bold = bold
    if white:
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _landscape(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))


def _header_rows(table: Any, sof: SofTable) -> None:
    h = sof.header
    title = table.rows[0].cells[0].merge(table.rows[0].cells[-1])
    _write(title, h.title, bold=True, white=True)
    _shade(title, _TITLE_FILL)
    block = table.rows[1].cells[0].merge(table.rows[1].cells[-1])
    items = [
        ("Patient or population", h.population),
        ("Setting", h.setting),
        ("Intervention", h.intervention),
        ("Comparison", h.comparison),
    ]
    _write(block, "\n".join(f"{k}: {v}" for k, v in items if v))
    top, sub = table.rows[2].cells, table.rows[3].cells
    labels = (
        "Outcomes",
        "Anticipated absolute effects* (95% CI)",
        None,
        "Relative effect\n(95% CI)",
        "№ of participants\n(studies)",
        "Certainty of the evidence\n(GRADE)",
        "Comments",
    )
    for i, label in enumerate(labels):
        if label is not None and i != 1:
            merged = top[i].merge(sub[i])
            _write(merged, label, bold=True)
            _shade(merged, _HEAD_FILL)
    both = top[1].merge(top[2])
    _write(both, "Anticipated absolute effects* (95% CI)", bold=True)
    _shade(both, _HEAD_FILL)
    for i, label in (
        (1, f"Risk with {h.comparison_short}"),
        (2, f"Risk difference with {h.intervention_short}"),
    ):
        _write(sub[i], label, bold=True)
        _shade(sub[i], _HEAD_FILL)


def _absolute_lines(row: SofRow) -> tuple[str, str]:
    ev = row.assessment.evidence
    if ev.kind is OutcomeKind.CONTINUOUS or not row.absolute:
        mean = ev.comparator.mean
        base = "–" if mean is None else f"The mean was {mean:g}"
        return base, continuous_text(ev.relative, ev.scale)
    base = "\n".join(f"{e.label}\n{comparator_risk_text(e)}" for e in row.absolute)
    diff = "\n".join(f"{e.text}" + ("\n" if len(row.absolute) > 1 else "") for e in row.absolute)
    return base, diff.rstrip("\n")


def _body_row(cells: Any, row: SofRow) -> None:
    base, diff = _absolute_lines(row)
    _write(cells[0], row.outcome_text, row.outcome_letters, bold=True)
    _write(cells[1], base)
    _write(cells[2], diff, row.absolute_letters)
    _write(cells[3], row.relative_text, row.relative_letters)
    _write(cells[4], row.participants_text)
    _write(cells[5], row.certainty_text.replace(" ", "\n", 1), row.certainty_letters)
    _write(cells[6], row.comment)


def _footer(document: Any, sof: SofTable) -> None:
    def para(text: str, *, bold: bool = False) -> None:
        p = document.add_paragraph()
        p.paragraph_format.space_after = Pt(1)
        _style_run(p.add_run(text), bold=bold, size=7.5)

    document.add_paragraph().paragraph_format.space_after = Pt(0)
    para(
        "*The risk in the intervention group (and its 95% CI) is based on the assumed risk in "
        "the comparison group and the relative effect of the intervention (and its 95% CI), "
        "or on the risk difference where a footnote says so."
    )
    para("; ".join(measure_names(sof)))
    para("GRADE Working Group grades of evidence", bold=True)
    for key, value in CERTAINTY_DEFINITIONS:
        para(f"{key}: {value}")
    if sof.footnotes:
        para("Explanations", bold=True)
        for note in sof.footnotes:
            para(f"{note.letter}. {note.text}")


def sof_docx(sof: SofTable) -> bytes:
    """The SoF table as a .docx file's bytes."""
    document = Document()
    _landscape(document)
    table = document.add_table(rows=4 + len(sof.rows), cols=len(_WIDTHS_CM))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, _WIDTHS_CM, strict=True):
        column.width = Cm(width)  # the grid LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, _WIDTHS_CM, strict=True):
            cell.width = Cm(width)  # the cell widths Word reads
    _header_rows(table, sof)
    for index, row in enumerate(sof.rows):
        _body_row(table.rows[4 + index].cells, row)
    _footer(document, sof)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
