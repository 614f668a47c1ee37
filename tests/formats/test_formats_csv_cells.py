"""CSV exports are opened in spreadsheets: imported text that starts like a formula must be
shown as text, never run (CSV injection), while numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from evidens.core import Record
from evidens.core.cells import spreadsheet_safe
from evidens.formats import write_csv


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x.invalid","click")', '\'=HYPERLINK("http://x.invalid","click")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tTab first", "'\tTab first"),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("Ketogenic diet = ACTH?", "Ketogenic diet = ACTH?"),
        ("", ""),
    ],
)
def test_formula_like_text_is_quoted_and_numbers_are_not(text: str, cell: str) -> None:
    assert spreadsheet_safe(text) == cell


def test_record_csv_export_quotes_a_hostile_title_and_keeps_extra_numbers() -> None:
    hostile = Record(title='=HYPERLINK("http://x.invalid","Ketogenic diet")', year=2020)
    text = write_csv([hostile], {"score": ["-0.25"], "note": ["@reviewer"]})
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["title"] == "'" + hostile.title
    assert row["score"] == "-0.25"
    assert row["note"] == "'@reviewer"
