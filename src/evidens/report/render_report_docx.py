"""The review report as a Word document: ``report_docx(report) -> bytes``.

A4 portrait, with a landscape section for tables too wide for the page (Table 2's eight
columns, Table 4's eleven), so every table fits its page when Word or LibreOffice lays it
out. Header rows repeat on each page; spanned cells are merged; figures are the PNGs drawn
by evidens (or supplied for forest plots). Text from files is stripped of characters XML
cannot hold, which would otherwise make the file unreadable.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.image.image import Image
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from evidens.report.model import Cell, Figure, ReviewReport, Section, Table, printable

_PAGE = (21.0, 29.7)  # A4, cm
_MARGIN = 2.0
_HEAD_FILL = "E4EBF3"
_KEEP_ROW_CHARS = 1500


def _clean(text: str) -> str:
    return printable(text)


def _orient(document: Any, landscape: bool, *, new: bool = True) -> None:
    """Start a section (or set the first one) in portrait or landscape A4."""
    section = document.add_section(WD_SECTION.NEW_PAGE) if new else document.sections[0]
    short, long = _PAGE
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (Cm(long), Cm(short))
        if landscape
        else (
            Cm(short),
            Cm(long),
        )
    )
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(_MARGIN))


def _text_width(landscape: bool) -> float:
    return (_PAGE[1] if landscape else _PAGE[0]) - 2 * _MARGIN


def _shade(cell: Any) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), _HEAD_FILL)
    cell._tc.get_or_add_tcPr().append(shading)


def _row_flag(row: Any, name: str) -> None:
    flag = OxmlElement(name)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _short(row: tuple[Cell, ...]) -> bool:
    """Rows short enough to keep on one page; a longer one must be allowed to break."""
    return sum(len(c.text) for c in row) < _KEEP_ROW_CHARS


def _write(cell: Any, content: Cell, size: float, *, header: bool) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(_clean(content.text))
    run.font.size = Pt(size)
    run.bold = content.bold or header
    if content.muted:
        run.italic = True
        run.font.color.rgb = RGBColor(0x70, 0x70, 0x70)
    if content.notes:
        sup = paragraph.add_run(_clean(content.notes))
        sup.font.superscript = True
        sup.font.size = Pt(size)


def _place(rows: tuple[tuple[Cell, ...], ...]) -> list[tuple[int, int, Cell]]:
    """Grid positions (row, column) of cells laid out with row and column spans."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            taken |= {(r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan)}
            c += cell.colspan
    return placed


def _caption(document: Any, label: str, caption: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run(f"{label}. ").bold = True
    paragraph.add_run(_clean(caption))


def _note(document: Any, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(1)
    paragraph.add_run(_clean(text)).font.size = Pt(7.5)


def add_table(document: Any, table: Table) -> None:
    """Caption, the table with spans merged and widths fixed, then its notes."""
    _caption(document, table.label, table.caption)
    rows = table.header + table.body
    grid = document.add_table(rows=len(rows), cols=len(table.widths))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    scale = _text_width(table.landscape) / sum(table.widths)
    widths = [Cm(w * scale) for w in table.widths]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice reads
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width  # the cell widths Word reads
    size = 8.0 if len(table.widths) > 6 else 9.0
    for r, c, content in _place(rows):
        cell = grid.cell(r, c)
        if content.rowspan > 1 or content.colspan > 1:
            cell = cell.merge(grid.cell(r + content.rowspan - 1, c + content.colspan - 1))
        header = r < len(table.header)
        _write(cell, content, size, header=header)
        if header:
            _shade(cell)
    for r, row in enumerate(rows):
        if r < len(table.header):
            _row_flag(grid.rows[r], "w:tblHeader")  # repeated on every page
        if _short(row):
            _row_flag(grid.rows[r], "w:cantSplit")
    for text in table.notes:
        _note(document, text)


def add_figure(document: Any, figure: Figure, landscape: bool = False) -> None:
    """The PNG scaled to fit the text area, with its caption below."""
    if figure.png is None:
        _note(document, f"{figure.label}: see the HTML report (no PNG version was supplied).")
    else:
        image = Image.from_blob(figure.png)
        natural = image.px_width / (image.horz_dpi or 72) * 2.54  # cm at the drawn size
        width = min(_text_width(landscape), natural)
        height_limit = (_PAGE[0] if landscape else _PAGE[1]) - 2 * _MARGIN - 2.5
        aspect = image.px_height / image.px_width
        if width * aspect > height_limit:
            width = height_limit / aspect
        shape = document.add_picture(io.BytesIO(figure.png), width=Cm(width))
        shape._inline.docPr.set("descr", _clean(figure.alt or figure.caption))
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    _caption(document, figure.label, figure.caption)


def _section(document: Any, section: Section) -> None:
    document.add_heading(_clean(section.heading), level=2)
    for text in section.paragraphs:
        document.add_paragraph(_clean(text))


def _blocks(document: Any, report: ReviewReport) -> None:
    landscape = False
    for block in report.blocks:
        wide = isinstance(block, Table) and block.landscape
        if wide != landscape:
            _orient(document, wide)
            landscape = wide
        if isinstance(block, Table):
            add_table(document, block)
            document.add_paragraph()
        else:
            add_figure(document, block, landscape)
    if landscape:
        _orient(document, False)


def report_docx(report: ReviewReport) -> bytes:
    """The whole report as the bytes of a .docx file."""
    document = Document()
    _orient(document, False, new=False)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    document.add_heading(_clean(report.title), level=0)
    if report.methods:
        document.add_heading("Methods", level=1)
        for section in report.methods:
            _section(document, section)
    if report.blocks:
        document.add_heading("Results", level=1)
        _blocks(document, report)
    document.add_heading("PRISMA 2020 checklist", level=1)
    add_table(document, report.checklist_table)
    if report.appendix:
        document.add_heading("Appendix", level=1)
        for table in report.appendix:
            add_table(document, table)
            document.add_paragraph()
    _note(document, report.colophon)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
