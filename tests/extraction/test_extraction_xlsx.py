"""Excel round trip: export blank or filled forms, edit them as a reviewer would, import back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from evidens.core import ArmData, Outcome, OutcomeKind
from evidens.errors import FormatError, ValidationError
from evidens.extraction import (
    Derived,
    Extraction,
    OutcomeData,
    form_to_xlsx,
    parse_form,
    read_value,
    sd_from_se,
    xlsx_to_extraction,
)

FORM_TEXT = """
[form]
name = "Pilot"

[[sections]]
id = "characteristics"
title = "Study characteristics"

[[sections.fields]]
id = "study"
label = "Study"

[[sections.fields]]
id = "sample_size"
label = "Sample size"
type = "integer"
min = 1

[[sections.fields]]
id = "design"
label = "Study design"
type = "choice"
choices = ["Randomized controlled trial", "Crossover trial, two periods"]

[[sections]]
id = "methods"
title = "Methods: conduct/reporting"

[[sections.fields]]
id = "funding"
label = "Funding"
type = "multi_choice"
choices = ["Public", "Industry"]

[[sections.fields]]
id = "start"
label = "Start date"
type = "date"

[[sections.fields]]
id = "blinded"
label = "Assessors blinded"
type = "yes_no_unclear"

[[sections.fields]]
id = "dose"
label = "Dose"
type = "number"
unit = "mg/kg"
min = 0
max = 50

[[sections.fields]]
id = "notes"
label = "Notes"
type = "long_text"

[[outcomes]]
id = "death"
name = "Death"
timepoint = "28 days"

[[outcomes]]
id = "pain"
name = "Pain"
kind = "continuous"
unit = "points"
"""
FORM = parse_form(FORM_TEXT, path="pilot.toml")

SD = sd_from_se(0.35, 40)
SD_SHOWN = round(SD.value, 4)  # reviewers type the rounded SD; Excel keeps 15 digits anyway
FILLED = Extraction(
    study="Lee 2020",
    extractor="AB",
    values=(
        ("characteristics.study", "Lee et al. (2020)"),
        ("characteristics.sample_size", 81),
        ("characteristics.design", "Crossover trial, two periods"),
        ("methods.funding", ("Public", "Industry")),
        ("methods.start", dt.date(2018, 4, 2)),
        ("methods.blinded", "unclear"),
        ("methods.dose", 2.5),
        ("methods.notes", "=SUM(A1:A9) is how the paper wrote it\nsecond line"),
    ),
    arms=(
        OutcomeData(
            "death",
            Outcome("Death", OutcomeKind.BINARY, "28 days"),
            ArmData("experimental", events=3, total=40),
            ArmData("comparator", events=7, total=41),
        ),
        OutcomeData(
            "pain",
            Outcome("Pain", OutcomeKind.CONTINUOUS),
            ArmData("experimental", mean=4.2, sd=SD_SHOWN, n=40),
            ArmData("comparator", mean=5.0, sd=2.1, n=41),
            unit="points",
        ),
        OutcomeData(
            "sleep",  # an outcome the form did not list (open_outcomes)
            Outcome("Sleep hours", OutcomeKind.CONTINUOUS, "6 weeks"),
            ArmData("experimental", mean=7.1, sd=1.0, n=38),
            ArmData("comparator", mean=6.5, sd=1.2, n=39),
        ),
    ),
    derived=(
        Derived(
            SD.quantity,
            SD_SHOWN,
            SD.method,
            SD.formula,
            SD.inputs,
            SD.reference,
            "outcomes.pain.experimental.sd",
        ),
    ),
)


def edited(data: bytes, edit: Callable[[Workbook], None]) -> bytes:
    """The workbook after a reviewer's edit (openpyxl standing in for Excel)."""
    book = load_workbook(io.BytesIO(data))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_filled_form_round_trips_exactly() -> None:
    back = xlsx_to_extraction(form_to_xlsx(FORM, FILLED), FORM, name="ab.xlsx")
    assert back == FILLED


def test_full_precision_numbers_come_back_to_excel_precision() -> None:
    precise = dataclasses.replace(
        FILLED, derived=(dataclasses.replace(FILLED.derived[0], value=SD.value),)
    )
    back = xlsx_to_extraction(form_to_xlsx(FORM, precise), FORM)
    assert back.derived[0].value == pytest.approx(SD.value, rel=1e-15)


def test_export_is_reproducible_byte_for_byte() -> None:
    assert form_to_xlsx(FORM, FILLED) == form_to_xlsx(FORM, FILLED)


def test_blank_form_has_one_sheet_per_section_lists_and_locked_headers() -> None:
    book = load_workbook(io.BytesIO(form_to_xlsx(FORM)))
    assert book.sheetnames[:1] == ["About"]
    assert "Study characteristics" in book.sheetnames
    assert "Methods  conduct reporting" in book.sheetnames  # ':' and '/' are not allowed
    assert {"Outcomes", "Derivations"} <= set(book.sheetnames)
    sheet = book["Study characteristics"]
    assert sheet.protection.sheet
    assert sheet["A1"].value == "Field"
    assert sheet["A1"].protection.locked
    assert sheet["E3"].value == "characteristics.sample_size"
    assert sheet["E3"].protection.locked
    assert not sheet["B3"].protection.locked
    lists = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    assert "B4" in str(lists["list"].sqref)  # the design drop-down
    choices_range = book.defined_names[lists["list"].formula1.lstrip("=")].attr_text
    assert choices_range in ("Lists!$A$2:$A$3", "'Lists'!$A$2:$A$3")
    assert [book["Lists"].cell(row=r, column=1).value for r in (1, 2, 3, 4)] == [
        "characteristics.design",
        *FORM.fields[2].choices,
        None,
    ]
    assert book["Lists"].sheet_state == "hidden"
    assert lists["whole"].formula1 == "1.0"  # sample size min
    blank = xlsx_to_extraction(form_to_xlsx(FORM), FORM, extractor="CD", study="Lee 2020")
    assert (blank.values, blank.arms) == ((), ())


def test_reviewer_answers_typed_as_text_are_read_by_type() -> None:
    def fill(book: Workbook) -> None:
        book["About"]["B3"] = "Lee 2020"
        book["Study characteristics"]["B3"] = "81"
        book["Study characteristics"]["B4"] = "randomized controlled trial"
        book["Methods  conduct reporting"]["B3"] = dt.datetime(2018, 4, 2)  # noqa: DTZ001 - Excel dates are naive
        book["Outcomes"]["F2"] = 3  # death, experimental events
        book["Outcomes"]["G2"] = 40

    data = edited(form_to_xlsx(FORM), fill)
    got = xlsx_to_extraction(data, FORM, extractor="CD")
    assert got.study == "Lee 2020"
    assert got.extractor == "CD"
    assert got.values == (
        ("characteristics.sample_size", 81),
        ("characteristics.design", "Randomized controlled trial"),
        ("methods.start", dt.date(2018, 4, 2)),
    )
    assert got.arms[0].experimental == ArmData("experimental", events=3, total=40)
    assert got.arms[0].outcome == Outcome("Death", OutcomeKind.BINARY, "28 days")


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "field", "message"),
    [
        ("Study characteristics", "B3", "eighty", "characteristics.sample_size", "not a number"),
        ("Study characteristics", "B3", 0, "characteristics.sample_size", "out of range"),
        ("Study characteristics", "B4", "Cohort", "characteristics.design", "not one of"),
        ("Methods  conduct reporting", "B4", "perhaps", "methods.blinded", "not one of"),
        ("Methods  conduct reporting", "B5", 80, "methods.dose", "out of range"),
        ("Outcomes", "F2", 41, "outcomes.death.experimental.events", "events 41 > total 40"),
        ("Outcomes", "F2", "3.5", "outcomes.death.experimental.events", "not a whole number"),
        ("Outcomes", "N3", -1, "outcomes.pain.comparator.sd", "not above 0"),
        (
            "Study characteristics",
            "E2",
            "characteristics.nope",
            "characteristics.nope",
            "not a field",
        ),
    ],
)
def test_import_errors_name_sheet_cell_and_field(sheet, cell, value, field, message) -> None:
    data = edited(form_to_xlsx(FORM, FILLED), lambda book: book[sheet].__setitem__(cell, value))
    with pytest.raises(ValidationError, match=message) as info:
        xlsx_to_extraction(data, FORM, name="ab.xlsx")
    assert info.value.field == field
    where = str(info.value)
    assert f"ab.xlsx#{sheet}!" in where
    if sheet != "Outcomes" or field.endswith("events"):
        assert f"!{cell}" in where or f"row {cell[1:]}" in where


def test_missing_study_or_sheet_and_non_workbooks_are_refused() -> None:
    with pytest.raises(ValidationError, match="study is not named"):
        xlsx_to_extraction(form_to_xlsx(FORM), FORM, extractor="CD")
    without = edited(form_to_xlsx(FORM, FILLED), lambda book: book.remove(book["Outcomes"]))
    with pytest.raises(FormatError, match="sheet 'Outcomes' is missing"):
        xlsx_to_extraction(without, FORM)
    with pytest.raises(FormatError, match=r"not an \.xlsx workbook"):
        xlsx_to_extraction(b"Study,Sample size\nLee,81\n", FORM, name="lee.csv")


def test_closed_form_refuses_unlisted_outcomes() -> None:
    closed = parse_form(FORM_TEXT.replace('name = "Pilot"', "open_outcomes = false"))
    data = form_to_xlsx(FORM, FILLED)
    with pytest.raises(ValidationError, match="not in the form"):
        xlsx_to_extraction(data, closed)


@settings(max_examples=25, deadline=None)
@given(
    text=st.text(max_size=200),
    size=st.integers(min_value=1, max_value=10**6),
    events=st.integers(min_value=0, max_value=500),
    extra=st.integers(min_value=0, max_value=500),
)
def test_any_valid_answers_survive_the_round_trip(
    text: str, size: int, events: int, extra: int
) -> None:
    study = FORM.field("characteristics.study")
    assert study is not None
    typed = read_value(study, text)  # what the form keeps of arbitrary pasted text
    values = (("characteristics.study", typed),) if typed is not None else ()
    original = Extraction(
        "S 2001",
        "AB",
        (*values, ("characteristics.sample_size", size)),
        (
            OutcomeData(
                "death",
                Outcome("Death", OutcomeKind.BINARY, "28 days"),
                ArmData("experimental", events=events, total=events + extra),
                ArmData("comparator", events=extra, total=events + extra),
            ),
        ),
    )
    assert xlsx_to_extraction(form_to_xlsx(FORM, original), FORM) == original


def test_control_characters_pasted_from_a_pdf_are_dropped() -> None:
    study = FORM.field("characteristics.study")
    assert study is not None
    assert read_value(study, "Lee\x0c et al.\x00 (2020)") == "Lee et al. (2020)"


def _with_part(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == part else content)
    return out.getvalue()


def _entity(content: bytes) -> bytes:
    """An XML entity declared in the sheet and used in the About sheet's study cell."""
    doctype = b'<!DOCTYPE worksheet [<!ENTITY lol "LOLLOLLOL">]>'
    assert b"Lee 2020" in content
    content = content.replace(b"Lee 2020", b"&lol;", 1)
    end = content.index(b"?>") + 2 if content.startswith(b"<?xml") else 0
    return content[:end] + doctype + content[end:]


@pytest.mark.parametrize(
    "change", [_entity, lambda _: b"not xml", lambda _: b""], ids=["entity", "garbage", "empty"]
)
def test_hostile_or_broken_xml_parts_are_format_errors(change: Callable[[bytes], bytes]) -> None:
    data = _with_part(form_to_xlsx(FORM, FILLED), "xl/worksheets/sheet1.xml", change)
    with pytest.raises(FormatError, match="cannot read workbook"):
        xlsx_to_extraction(data, FORM, name="evil.xlsx")


def test_text_made_only_of_control_characters_is_no_answer() -> None:
    """Found by the round-trip property: such text used to become '' and not round-trip."""
    study = FORM.field("characteristics.study")
    assert study is not None
    assert read_value(study, "\x08") is None
    assert read_value(study, "\x08 Smith 2001\x07") == "Smith 2001"
