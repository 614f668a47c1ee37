"""Export a blank or filled extraction form as an .xlsx workbook (openpyxl).

Reviewers extract in spreadsheets; the workbook keeps them inside the form: choice fields get
drop-down lists, numbers get range checks, and header cells and keys are locked (the sheets
are protected with only the answer cells unlocked), so the file imports back cleanly.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from evidens.core import OutcomeKind
from evidens.extraction.forms import ARMS, FieldType, Form, FormField, OutcomeTable
from evidens.extraction.model import Extraction, OutcomeData, Value, flatten
from evidens.extraction.outputs import display
from evidens.extraction.xlsx_layout import (
    ABOUT_ROWS,
    ABOUT_SHEET,
    ARM_STATS_SHOWN,
    BLANK_OUTCOME_ROWS,
    DERIVED_HEADER,
    DERIVED_SHEET,
    LISTS_SHEET,
    OUTCOMES_SHEET,
    SECTION_HEADER,
    arm_column,
    outcome_header,
    sheet_title,
)

_FIXED_TIME = dt.datetime(2000, 1, 1)  # noqa: DTZ001 - openpyxl stores naive UTC
_FIXED_STAMP = b"2000-01-01T00:00:00Z"
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
_OPEN = Protection(locked=False)
_KINDS = f'"{OutcomeKind.BINARY.value},{OutcomeKind.CONTINUOUS.value}"'


def form_to_xlsx(form: Form, extraction: Extraction | None = None) -> bytes:
    """The form as a workbook, blank or filled with ``extraction``'s answers."""
    book = Workbook()
    about = book.active
    assert about is not None  # a new Workbook always has one sheet
    lists = _Lists(book)
    _about_sheet(about, form, extraction)
    answers = flatten(extraction.values, extraction.arms) if extraction else {}
    for section in form.sections:
        sheet = book.create_sheet(sheet_title(section))
        _header(sheet, SECTION_HEADER, widths=(28, 60, 10, 50, 30))
        for row, field in enumerate(section.fields, start=2):
            _field_row(sheet, row, field, answers.get(field.key), lists)
        _protect(sheet)
    _outcomes_sheet(book.create_sheet(OUTCOMES_SHEET), form, extraction)
    _derived_sheet(book.create_sheet(DERIVED_SHEET), extraction)
    lists.sheet.sheet_state = "hidden"
    book.move_sheet(lists.sheet, offset=len(book.sheetnames) - 1 - book.index(lists.sheet))
    book.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _reproducible(buffer.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same workbook bytes for the same form and answers: openpyxl stamps the save time
    into the zip entries and docProps/core.xml, which would make every export differ."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + _FIXED_STAMP + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


class _Lists:
    """A hidden sheet holding each choice field's options, one column per field: list
    validations then refer to a range, which has no 255-character limit and allows commas."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.sheet = book.create_sheet(LISTS_SHEET)
        self.columns = 0

    def range_for(self, field: FormField) -> str:
        self.columns += 1
        letter = get_column_letter(self.columns)
        _text(_at(self.sheet, 1, self.columns), field.key)
        for row, choice in enumerate(field.allowed, start=2):
            _text(_at(self.sheet, row, self.columns), choice)
        last = len(field.allowed) + 1
        name = f"choices_{self.columns}"
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"
        self.book.defined_names[name] = DefinedName(name, attr_text=ref)
        return name


def _about_sheet(sheet: Worksheet, form: Form, extraction: Extraction | None) -> None:
    sheet.title = ABOUT_SHEET
    values = (
        form.name,
        form.version,
        extraction.study if extraction else "",
        extraction.extractor if extraction else "",
    )
    for row, (label, value) in enumerate(zip(ABOUT_ROWS, values, strict=True), start=1):
        _head_cell(_at(sheet, row, 1), label)
        cell = _at(sheet, row, 2)
        _text(cell, value)
        if label in ("Study", "Extractor"):
            cell.protection = _OPEN
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 50
    _protect(sheet)


def _field_row(
    sheet: Worksheet, row: int, field: FormField, value: Value | None, lists: _Lists
) -> None:
    _text(_at(sheet, row, 1), field.label)
    _at(sheet, row, 1).font = _HEAD_FONT
    cell = _at(sheet, row, 2)
    _put(cell, value)
    cell.protection = _OPEN
    if field.type is FieldType.LONG_TEXT:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if field.type is FieldType.DATE:
        cell.number_format = "yyyy-mm-dd"
    _text(_at(sheet, row, 3), field.unit or "")
    _text(_at(sheet, row, 4), _help(field))
    _text(_at(sheet, row, 5), field.key)
    validation = _validation(field, lists)
    if validation is not None:
        sheet.add_data_validation(validation)
        validation.add(cell)


def _validation(field: FormField, lists: _Lists) -> DataValidation | None:
    where = f"{field.label}: "
    if field.type in (FieldType.CHOICE, FieldType.YES_NO_UNCLEAR):
        check = DataValidation(type="list", formula1=f"={lists.range_for(field)}", allow_blank=True)
        check.error = where + "choose from the list"
    elif field.type in (FieldType.INTEGER, FieldType.NUMBER):
        low, high = field.minimum, field.maximum
        check = DataValidation(
            type="whole" if field.type is FieldType.INTEGER else "decimal",
            operator="between",
            formula1=str(-1e15 if low is None else low),
            formula2=str(1e15 if high is None else high),
            allow_blank=True,
        )
        check.error = where + "a number in range, see Help"
    else:
        return None
    check.showErrorMessage = True
    return check


def _help(field: FormField) -> str:
    parts = [field.help] if field.help else []
    parts.append(field.type.value.replace("_", " "))
    if field.minimum is not None or field.maximum is not None:
        parts.append(
            f"range {display(field.minimum) or '-inf'} to {display(field.maximum) or 'inf'}"
        )
    if field.type is FieldType.MULTI_CHOICE:
        parts.append("separate choices with ';': " + "; ".join(field.choices))
    elif field.allowed:
        parts.append("one of: " + ", ".join(field.allowed))
    if field.type is FieldType.DATE:
        parts.append("YYYY-MM-DD")
    if field.required:
        parts.append("required")
    return " · ".join(parts)


def _outcomes_sheet(sheet: Worksheet, form: Form, extraction: Extraction | None) -> None:
    header = outcome_header()
    _header(sheet, header, widths=(18, 36, 12, 14, 10) + (11,) * (len(header) - 5))
    extracted = {data.id: data for data in extraction.arms} if extraction else {}
    rows: list[tuple[OutcomeTable | None, OutcomeData | None]] = [
        (table, extracted.pop(table.id, None)) for table in form.outcomes
    ]
    rows += [(None, data) for data in extracted.values()]
    if form.open_outcomes:
        rows += [(None, None)] * BLANK_OUTCOME_ROWS
    kinds = DataValidation(type="list", formula1=_KINDS, allow_blank=True)
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    sheet.add_data_validation(kinds)
    sheet.add_data_validation(counts)
    for row, (table, data) in enumerate(rows, start=2):
        _outcome_row(sheet, row, table, data)
        kinds.add(_at(sheet, row, 3))
        for arm in ARMS:
            for stat in ("events", "total", "n"):
                counts.add(sheet.cell(row=row, column=arm_column(arm, stat)))
    _protect(sheet)


def _outcome_row(
    sheet: Worksheet, row: int, table: OutcomeTable | None, data: OutcomeData | None
) -> None:
    head: tuple[Value | None, ...] = (None,) * 5
    if data is not None:
        outcome = data.outcome
        head = (data.id, outcome.name, outcome.kind.value, outcome.timepoint, data.unit)
    elif table is not None:
        head = (table.id, table.name, table.kind.value, table.timepoint, table.unit)
    for column, value in enumerate(head, start=1):
        cell = _at(sheet, row, column)
        _put(cell, value)
        cell.protection = _OPEN
    for arm in ARMS:
        for stat, _ in ARM_STATS_SHOWN:
            cell = _at(sheet, row, arm_column(arm, stat))
            cell.protection = _OPEN
            if data is not None:
                _put(cell, getattr(data.arm(arm), stat))


def _derived_sheet(sheet: Worksheet, extraction: Extraction | None) -> None:
    _header(sheet, DERIVED_HEADER, widths=(36, 10, 12, 30, 50, 40, 40))
    derived = extraction.derived if extraction else ()
    for row in range(2, len(derived) + 22):
        item = derived[row - 2] if row - 2 < len(derived) else None
        values: tuple[Value | None, ...] = (None,) * len(DERIVED_HEADER)
        if item is not None:
            inputs = "; ".join(f"{name}={display(value)}" for name, value in item.inputs)
            values = (item.target, item.quantity, item.value, item.method, item.formula)
            values += (inputs, item.reference)
        for column, value in enumerate(values, start=1):
            cell = _at(sheet, row, column)
            _put(cell, value)
            cell.protection = _OPEN
    _protect(sheet)


def _header(sheet: Worksheet, names: tuple[str, ...], *, widths: tuple[int, ...]) -> None:
    for column, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        _head_cell(_at(sheet, 1, column), name)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def _at(sheet: Worksheet, row: int, column: int) -> Cell:
    """The cell at (row, column); never a merged cell, since this layout merges none."""
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell)
    return cell


def _head_cell(cell: Cell, text: str) -> None:
    _text(cell, text)
    cell.font = _HEAD_FONT
    cell.fill = _HEAD_FILL


def _protect(sheet: Worksheet) -> None:
    """Lock every cell not explicitly opened; no password, so it guards against slips only."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _put(cell: Cell, value: Value | None) -> None:
    if value is None:
        return
    if isinstance(value, tuple):
        _text(cell, "; ".join(value))
    elif isinstance(value, dt.date | int | float):
        cell.value = value
    else:
        _text(cell, value)


def _text(cell: Cell, text: str) -> None:
    """Text stays text: a value starting with '=' must never become a formula; characters
    the format forbids (control characters) are dropped rather than failing the export."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = text
    if text.startswith("="):
        cell.data_type = "s"
