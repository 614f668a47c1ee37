"""Import a filled extraction workbook back into an :class:`Extraction`.

The workbook is untrusted input: its size is bounded before openpyxl opens it (which parses
with defusedxml when installed, as it is here), rows read per sheet are bounded, formulas are
read as their cached values, and every error names the file, sheet, cell and form field.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from evidens.core import ArmData, Outcome, OutcomeKind
from evidens.errors import FormatError, ValidationError
from evidens.extraction.forms import ARMS, Form, OutcomeTable
from evidens.extraction.model import Derived, Extraction, OutcomeData, Value
from evidens.extraction.validate import check_outcome, read_value
from evidens.extraction.xlsx_layout import (
    ABOUT_SHEET,
    DERIVED_HEADER,
    DERIVED_SHEET,
    KEY_COLUMN,
    MAX_ROWS,
    OUTCOMES_SHEET,
    VALUE_COLUMN,
    arm_column,
    section_titles,
)

MAX_BYTES = 20_000_000
MAX_UNZIPPED = 200_000_000
"""Bounds on the file and on its unpacked parts (a guard against zip bombs)."""


def xlsx_to_extraction(
    data: bytes,
    form: Form,
    *,
    extractor: str | None = None,
    name: str = "workbook.xlsx",
    study: str | None = None,
) -> Extraction:
    """The extraction a workbook holds, validated against ``form``.

    ``extractor`` and ``study`` default to the About sheet's entries; given, they override
    them (the CLI's ``--extractor``). ``name`` is the file name errors are reported against.
    """
    book = _open(data, name)
    about = _about(book, name)
    study = study or about.get("Study")
    extractor = extractor or about.get("Extractor")
    if not study:
        raise ValidationError(
            "the study is not named",
            path=f"{name}#{ABOUT_SHEET}!B3",
            field="study",
            hint="type the study label (e.g. Sharma 2021) in the About sheet",
        )
    if not extractor:
        raise ValidationError(
            "the extractor is not named",
            path=f"{name}#{ABOUT_SHEET}!B4",
            field="extractor",
            hint="type the extractor in the About sheet or pass --extractor",
        )
    values: list[tuple[str, Value]] = []
    for title, section in section_titles(form).items():
        sheet = _sheet(book, title, name)
        values += _section_values(sheet, form, section.id, name)
    arms = _outcomes(_sheet(book, OUTCOMES_SHEET, name), form, name)
    has_derived = DERIVED_SHEET in book.sheetnames
    derived = _derived(_sheet(book, DERIVED_SHEET, name), name) if has_derived else ()
    return Extraction(study, extractor, tuple(values), arms, derived)


def workbook_about(data: bytes, *, name: str = "workbook.xlsx") -> dict[str, str]:
    """The About sheet's entries (Form, Form version, Study, Extractor): which form a
    workbook was made from, checked before its answers are taken into a review."""
    return _about(_open(data, name), name)


def _open(data: bytes, name: str) -> Workbook:
    if len(data) > MAX_BYTES:
        raise FormatError(f"file of {len(data)} bytes is too large", path=name, hint="max 20 MB")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FormatError("not an .xlsx workbook", path=name, hint="save it as .xlsx") from None
    if unpacked > MAX_UNZIPPED:
        raise FormatError("workbook unpacks to too much data", path=name, hint="remove content")
    try:
        with warnings.catch_warnings():
            # Excel-saved files carry extensions openpyxl warns about and then ignores.
            warnings.simplefilter("ignore", UserWarning)
            return load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (KeyError, ValueError, TypeError, OSError, SyntaxError, zipfile.BadZipFile) as exc:
        # SyntaxError covers malformed XML parts; defusedxml's refusals are ValueErrors
        raise FormatError(f"cannot read workbook: {exc}", path=name) from None


def _sheet(book: Workbook, title: str, name: str) -> Worksheet:
    if title not in book.sheetnames:
        raise FormatError(
            f"sheet {title!r} is missing",
            path=name,
            hint="export a fresh form with `evidens extract export` and copy the answers in",
        )
    sheet = book[title]
    assert isinstance(sheet, Worksheet)
    return sheet


def _about(book: Workbook, name: str) -> dict[str, str]:
    sheet = _sheet(book, ABOUT_SHEET, name)
    found = {}
    for row in sheet.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        if row[0] is not None and row[1] is not None:
            found[str(row[0]).strip()] = str(row[1]).strip()
    return found


def _section_values(
    sheet: Worksheet, form: Form, section: str, name: str
) -> list[tuple[str, Value]]:
    values = []
    last = min(sheet.max_row, MAX_ROWS)
    for row in range(2, last + 1):
        key = sheet.cell(row=row, column=KEY_COLUMN).value
        raw = sheet.cell(row=row, column=VALUE_COLUMN).value
        if key is None and raw is None:
            continue
        field = form.field(str(key))
        if field is None or field.section != section:
            raise ValidationError(
                f"sheet {sheet.title!r} row {row}: key {key!r} is not a field of this section",
                path=_cell(name, sheet, f"E{row}"),
                field=str(key),
                hint="do not edit the Key column; export a fresh form if the form changed",
            )
        value = read_value(field, _plain(raw), where=_cell(name, sheet, f"B{row}"))
        if value is not None:
            values.append((field.key, value))
    return values


def _outcomes(sheet: Worksheet, form: Form, name: str) -> tuple[OutcomeData, ...]:
    found: dict[str, OutcomeData] = {}
    last = min(sheet.max_row, MAX_ROWS)
    for row in range(2, last + 1):
        data = _outcome_row(sheet, row, form, name)
        if data is None:
            continue
        if data.id in found:
            raise ValidationError(
                f"outcome {data.id!r} appears twice",
                path=_cell(name, sheet, f"A{row}"),
                field=f"outcomes.{data.id}",
                hint="one row per outcome and time point; give the second another id",
            )
        check_outcome(data, where=_cell(name, sheet, f"row {row}"))
        found[data.id] = data
    return tuple(found.values())


def _outcome_row(sheet: Worksheet, row: int, form: Form, name: str) -> OutcomeData | None:
    head = [_plain(sheet.cell(row=row, column=c).value) for c in range(1, 6)]
    numbers = {
        (arm, stat): _number(sheet, row, arm, stat, name)
        for arm in ARMS
        for stat in ("events", "total", "mean", "sd", "n")
    }
    if all(v is None for v in numbers.values()):
        return None  # a declared outcome nobody filled in, or a spare blank row
    outcome_name = str(head[1] or head[0] or "").strip()
    outcome_id = str(head[0] or _slug(outcome_name)).strip()
    if not outcome_id:
        raise ValidationError(
            "numbers without an outcome",
            path=_cell(name, sheet, f"B{row}"),
            field="outcomes",
            hint="name the outcome in column B",
        )
    table = form.outcome(outcome_id)
    kind = _kind(head[2], table, sheet, row, name)
    if table is None and not form.open_outcomes:
        raise ValidationError(
            f"outcome {outcome_id!r} is not in the form",
            path=_cell(name, sheet, f"A{row}"),
            field=f"outcomes.{outcome_id}",
            hint="use an outcome id the form lists",
        )
    arms = [_arm(arm, numbers) for arm in ARMS]
    timepoint = head[3] if head[3] is not None else (table.timepoint if table else None)
    unit = head[4] if head[4] is not None else (table.unit if table else None)
    return OutcomeData(
        id=outcome_id,
        outcome=Outcome(
            outcome_name or outcome_id, kind, None if timepoint is None else str(timepoint)
        ),
        experimental=arms[0],
        comparator=arms[1],
        unit=None if unit is None else str(unit),
    )


def _kind(
    raw: object, table: OutcomeTable | None, sheet: Worksheet, row: int, name: str
) -> OutcomeKind:
    if raw is None:
        return table.kind if table else OutcomeKind.BINARY
    text = str(raw).strip().lower()
    if text not in (OutcomeKind.BINARY.value, OutcomeKind.CONTINUOUS.value):
        raise ValidationError(
            f"type {raw!r} is not binary or continuous",
            path=_cell(name, sheet, f"C{row}"),
            field="outcomes.kind",
            hint="choose binary (events/total) or continuous (mean, SD, n)",
        )
    return OutcomeKind(text)


def _number(sheet: Worksheet, row: int, arm: str, stat: str, name: str) -> float | None:
    column = arm_column(arm, stat)
    raw = _plain(sheet.cell(row=row, column=column).value)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    outcome = sheet.cell(row=row, column=1).value or f"row {row}"
    where = _cell(name, sheet, f"{sheet.cell(row=row, column=column).coordinate}")
    try:
        value = float(str(raw).replace(",", ".")) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(
            f"{raw!r} is not a number",
            path=where,
            field=f"outcomes.{outcome}.{arm}.{stat}",
            hint="type a number; leave it empty if not reported",
        ) from None
    if stat in ("events", "total", "n") and not value.is_integer():
        raise ValidationError(
            f"{raw!r} is not a whole number",
            path=where,
            field=f"outcomes.{outcome}.{arm}.{stat}",
            hint="counts are whole numbers",
        )
    return value


def _arm(arm: str, numbers: dict[tuple[str, str], float | None]) -> ArmData:
    def count(stat: str) -> int | None:
        value = numbers[(arm, stat)]
        return None if value is None else int(value)

    return ArmData(
        arm=arm,
        events=count("events"),
        total=count("total"),
        mean=numbers[(arm, "mean")],
        sd=numbers[(arm, "sd")],
        n=count("n"),
    )


def _derived(sheet: Worksheet, name: str) -> tuple[Derived, ...]:
    items = []
    for row in range(2, min(sheet.max_row, MAX_ROWS) + 1):
        cells = [
            _plain(sheet.cell(row=row, column=c).value) for c in range(1, len(DERIVED_HEADER) + 1)
        ]
        if all(c is None for c in cells):
            continue
        target, quantity, value, method, formula, inputs, reference = cells
        if not isinstance(value, int | float):
            raise ValidationError(
                f"derived value {value!r} is not a number",
                path=_cell(name, sheet, f"C{row}"),
                field=str(target or "derived"),
                hint="type the computed number in column C",
            )
        items.append(
            Derived(
                quantity=str(quantity or ""),
                value=float(value),
                method=str(method or ""),
                formula=str(formula or ""),
                inputs=_inputs(str(inputs or "")),
                reference=str(reference or ""),
                target=str(target or ""),
            )
        )
    return tuple(items)


def _inputs(text: str) -> tuple[tuple[str, float], ...]:
    pairs = []
    for part in text.split(";"):
        key, sep, number = part.partition("=")
        if sep:
            try:
                pairs.append((key.strip(), float(number)))
            except ValueError:
                continue
    return tuple(pairs)


def _plain(value: object) -> object:
    """openpyxl's cell value with datetimes at midnight as dates and text stripped."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return value


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")[:40]


def _cell(name: str, sheet: Worksheet, ref: str) -> str:
    return f"{name}#{sheet.title}!{ref}"
