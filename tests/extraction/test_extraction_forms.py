"""Forms declared as TOML, and validation of answers against them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.core import ArmData, OutcomeKind
from evidens.errors import ConfigError, ValidationError
from evidens.extraction import FieldType, default_form, parse_form, read_value
from evidens.extraction.outputs import CHARACTERISTICS_COLUMNS
from evidens.extraction.validate import check_arm

FORM = """
[form]
name = "Pilot"
open_outcomes = false

[[sections]]
id = "general"
title = "General"

[[sections.fields]]
id = "age"
label = "Mean age"
type = "number"
unit = "months"
min = 0
max = 240

[[sections.fields]]
id = "arms"
label = "Number of arms"
type = "integer"
min = 2
max = 6

[[sections.fields]]
id = "setting"
label = "Setting"
type = "choice"
choices = ["Hospital", "Community"]

[[sections.fields]]
id = "funding"
label = "Funding"
type = "multi_choice"
choices = ["Public", "Industry", "None stated"]

[[sections.fields]]
id = "start"
label = "Start date"
type = "date"

[[sections.fields]]
id = "blinded"
label = "Outcome assessors blinded"
type = "yes_no_unclear"

[[outcomes]]
id = "pain"
name = "Pain score"
kind = "continuous"
timepoint = "12 weeks"
unit = "points"
"""


@pytest.fixture
def form():
    return parse_form(FORM, path="pilot.toml")


def test_default_form_asks_for_the_seed_table_2_columns() -> None:
    form = default_form()
    labels = [f.label for f in form.fields]
    assert labels == [
        "Study",
        "Sample size",
        "Country",
        "Study design",
        "Inclusion criteria",
        "Study treatment",
        "Comparator",
        "Outcomes",
    ]
    # every Table 2 column is backed by a field of the default form
    assert all(form.field(key) is not None for _, key in CHARACTERISTICS_COLUMNS)
    assert form.open_outcomes
    assert form.field("characteristics.design").type is FieldType.CHOICE  # type: ignore[union-attr]


def test_form_fields_carry_type_unit_range_and_choices(form) -> None:
    age = form.field("general.age")
    assert (age.type, age.unit, age.minimum, age.maximum) == (FieldType.NUMBER, "months", 0, 240)
    assert form.field("general.blinded").allowed == ("yes", "no", "unclear")
    pain = form.outcome("pain")
    assert (pain.kind, pain.timepoint, pain.stats) == (
        OutcomeKind.CONTINUOUS,
        "12 weeks",
        ("mean", "sd", "n"),
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[[sections]]\nid = "a"\n[[sections.fields]]\nid = "x"\ntype = "colour"', "a.x"),
        ('[[sections]]\nid = "a"\n[[sections.fields]]\nid = "x"\ntype = "choice"', "a.x"),
        (
            '[[sections]]\nid = "a"\n[[sections.fields]]\nid = "x"\n[[sections.fields]]\nid = "x"',
            "a.x",
        ),
        ('[[sections]]\nid = "outcomes"', "sections[0].id"),
        ('[[sections]]\nid = "a"\n[[sections.fields]]\nid = "x"\nmin = 5\nmax = 1', "a.x"),
        ('[[sections]]\nid = "a"\n[[outcomes]]\nid = "o"\nkind = "survival"', "outcomes.o.kind"),
    ],
)
def test_form_mistakes_name_the_field(text: str, where: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_form(text, path="form.toml")
    assert info.value.field == where
    assert str(info.value).startswith("form.toml:")


def test_form_with_bad_toml_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_form("[form\n", path="form.toml")


def test_values_are_read_by_type(form) -> None:
    assert read_value(form.field("general.age"), "14,5") == 14.5
    assert read_value(form.field("general.arms"), "3") == 3
    assert read_value(form.field("general.arms"), 3.0) == 3
    assert read_value(form.field("general.setting"), " hospital ") == "Hospital"
    assert read_value(form.field("general.funding"), "industry; Public;Industry") == (
        "Industry",
        "Public",
    )
    assert read_value(form.field("general.start"), "2019-03-01") == dt.date(2019, 3, 1)
    assert read_value(form.field("general.blinded"), "Unclear") == "unclear"
    assert read_value(form.field("general.age"), "   ") is None


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("general.age", 300, "out of range"),
        ("general.age", "old", "not a number"),
        ("general.arms", 1, "out of range"),
        ("general.arms", "2.5", "not a whole number"),
        ("general.setting", "School", "not one of the choices"),
        ("general.funding", "Public; Charity", "not one of the choices"),
        ("general.start", "March 2019", "not a date"),
        ("general.blinded", "maybe", "not one of the choices"),
    ],
)
def test_invalid_values_raise_naming_section_and_field(form, key, raw, message) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        read_value(form.field(key), raw, where="pilot.xlsx#General!B2")
    assert info.value.field == key
    assert "pilot.xlsx#General!B2" in str(info.value)
    assert info.value.hint


@given(st.integers(min_value=-1000, max_value=1000))
def test_integer_range_is_enforced_exactly(value: int) -> None:
    field = parse_form(FORM).field("general.arms")
    assert field is not None
    if 2 <= value <= 6:
        assert read_value(field, str(value)) == value
    else:
        with pytest.raises(ValidationError, match="out of range"):
            read_value(field, str(value))


@pytest.mark.parametrize(
    ("arm", "stat", "message"),
    [
        (ArmData("experimental", events=47, total=46), "events", "events 47 > total 46"),
        (ArmData("comparator", events=-1, total=45), "events", "negative"),
        (ArmData("experimental", mean=3.0, sd=0.0, n=20), "sd", "SD 0.0 is not above 0"),
        (ArmData("experimental", mean=3.0, sd=-2.0, n=20), "sd", "not above 0"),
    ],
)
def test_impossible_arm_data_is_refused(arm: ArmData, stat: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        check_arm("pain", OutcomeKind.CONTINUOUS, arm)
    assert info.value.field == f"outcomes.pain.{arm.arm}.{stat}"


def test_binary_outcome_refuses_means() -> None:
    with pytest.raises(ValidationError, match="binary outcome"):
        check_arm("death", OutcomeKind.BINARY, ArmData("experimental", mean=2.0, sd=1.0))
