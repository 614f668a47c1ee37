"""A parsed extraction form written back as TOML, the inverse of :func:`parse_form`.

A review store keeps its form as TOML text so that ``form.toml`` can be written out again;
when a form reaches the store already parsed (its text not at hand), this writes text that
:func:`~evidens.extraction.forms.parse_form` reads back to the very same :class:`Form`.
"""

from __future__ import annotations

from typing import Any

import tomli_w

from evidens.extraction.forms import FieldType, Form, FormField, OutcomeTable


def form_to_toml(form: Form) -> str:
    """TOML text that parses back to ``form`` (comments of an original file are not kept)."""
    data: dict[str, Any] = {
        "form": {"name": form.name, "version": form.version, "open_outcomes": form.open_outcomes},
        "sections": [
            {"id": s.id, "title": s.title, "fields": [_field(f) for f in s.fields]}
            for s in form.sections
        ],
    }
    if form.outcomes:
        data["outcomes"] = [_outcome(o) for o in form.outcomes]
    return tomli_w.dumps(data)


def _field(field: FormField) -> dict[str, Any]:
    item: dict[str, Any] = {"id": field.id, "label": field.label, "type": field.type.value}
    optional = {"unit": field.unit, "min": field.minimum, "max": field.maximum}
    item.update({key: value for key, value in optional.items() if value is not None})
    if field.choices or field.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        item["choices"] = list(field.choices)
    if field.required:
        item["required"] = True
    if field.help:
        item["help"] = field.help
    return item


def _outcome(table: OutcomeTable) -> dict[str, Any]:
    item: dict[str, Any] = {"id": table.id, "name": table.name, "kind": table.kind.value}
    if table.timepoint is not None:
        item["timepoint"] = table.timepoint
    if table.unit is not None:
        item["unit"] = table.unit
    return item
