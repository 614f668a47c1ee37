"""The spreadsheet layout shared by export and import, so the two cannot drift apart.

One sheet per form section (Field | Value | Unit | Help | Key), an Outcomes sheet with one
row per outcome and both arms side by side, a Derivations sheet and an About sheet naming the
study and the extractor. The Key column makes import independent of row order and of labels a
reviewer may have reworded.
"""

from __future__ import annotations

import re

from evidens.extraction.forms import ARMS, Form, Section

ABOUT_SHEET = "About"
OUTCOMES_SHEET = "Outcomes"
DERIVED_SHEET = "Derivations"
LISTS_SHEET = "Lists"

ABOUT_ROWS = ("Form", "Form version", "Study", "Extractor")
SECTION_HEADER = ("Field", "Value", "Unit", "Help", "Key")
VALUE_COLUMN = 2
KEY_COLUMN = 5

OUTCOME_HEAD = ("Outcome id", "Outcome", "Type", "Time point", "Unit")
ARM_STATS_SHOWN = (
    ("events", "events"),
    ("total", "total"),
    ("mean", "mean"),
    ("sd", "SD"),
    ("n", "n"),
)
DERIVED_HEADER = ("Target", "Quantity", "Value", "Method", "Formula", "Inputs", "Reference")

BLANK_OUTCOME_ROWS = 10
"""Empty outcome rows offered when the form lets extractors add outcomes."""

MAX_ROWS = 2000
"""Rows read per sheet at most: a guard against a sheet whose used range is a million rows."""

_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def outcome_header() -> tuple[str, ...]:
    arm_columns = tuple(
        f"{arm.capitalize()} {label}" for arm in ARMS for _, label in ARM_STATS_SHOWN
    )
    return OUTCOME_HEAD + arm_columns


def arm_column(arm: str, stat: str) -> int:
    """1-based column of an arm statistic on the Outcomes sheet."""
    stats = [s for s, _ in ARM_STATS_SHOWN]
    return len(OUTCOME_HEAD) + ARMS.index(arm) * len(stats) + stats.index(stat) + 1


def sheet_title(section: Section) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return _BAD_TITLE.sub(" ", section.title)[:31].strip() or section.id[:31]


def section_titles(form: Form) -> dict[str, Section]:
    return {sheet_title(section): section for section in form.sections}
