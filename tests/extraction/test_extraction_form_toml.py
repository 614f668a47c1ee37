"""A parsed form written back as TOML reads back to the same form."""

from __future__ import annotations

from pathlib import Path

from evidens.core import OutcomeKind
from evidens.extraction import Form, FormField, OutcomeTable, Section, default_form, parse_form
from evidens.extraction.form_toml import form_to_toml
from evidens.extraction.forms import FieldType

RISS_FORM = Path(__file__).resolve().parents[2] / "examples" / "riss" / "extraction" / "form.toml"


def test_the_packaged_and_the_riss_forms_survive_being_written() -> None:
    for form in (default_form(), parse_form(RISS_FORM.read_text(encoding="utf-8"))):
        assert parse_form(form_to_toml(form)) == form


def test_every_field_attribute_survives() -> None:
    field = FormField(
        "trial", "age", "Age", FieldType.NUMBER, "months", 0.0, 216.0, (), True, "at entry"
    )
    picked = FormField("trial", "where", "Where", FieldType.MULTI_CHOICE, choices=("a", "b, c"))
    pain = OutcomeTable("pain", "Pain", OutcomeKind.CONTINUOUS, "6 weeks", "points")
    form = Form("Typed", (Section("trial", "Trial", (field, picked)),), (pain,), False, "3")
    text = form_to_toml(form)
    assert parse_form(text) == form
    assert "open_outcomes = false" in text
