"""Extraction forms declared as data (TOML kept with the review).

A form is data, not code, because each review pilots and adapts its own form (the seed's
reviewers "tested the spreadsheet prior to use"); the form file is then kept with the review so
that the extraction can be repeated. The packaged default reproduces the columns of the seed's
Table 2 (study characteristics) plus two-arm outcome tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from evidens.core import OutcomeKind
from evidens.core.toml import parse_toml
from evidens.errors import ConfigError

OUTCOMES_SECTION = "outcomes"
"""Key prefix of outcome arm values: ``outcomes.<outcome id>.<arm>.<statistic>``."""

ARMS = ("experimental", "comparator")
"""The two arms of a pairwise comparison, in the order meta-analysis consumes them."""

BINARY_STATS = ("events", "total")
CONTINUOUS_STATS = ("mean", "sd", "n")


class FieldType(StrEnum):
    """What a reviewer may type in a field; decides how a value is read and validated."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    INTEGER = "integer"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    DATE = "date"
    YES_NO_UNCLEAR = "yes_no_unclear"


YES_NO_UNCLEAR = ("yes", "no", "unclear")


@dataclass(frozen=True)
class FormField:
    """One question of the form. ``key`` (``section.field``) names it everywhere else."""

    section: str
    id: str
    label: str
    type: FieldType = FieldType.TEXT
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""

    @property
    def key(self) -> str:
        return f"{self.section}.{self.id}"

    @property
    def allowed(self) -> tuple[str, ...]:
        """The values a choice-like field accepts (yes/no/unclear has fixed ones)."""
        if self.type is FieldType.YES_NO_UNCLEAR:
            return YES_NO_UNCLEAR
        return self.choices


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class OutcomeTable:
    """An outcome whose per-arm data the form asks for (binary or continuous, at a time point)."""

    id: str
    name: str
    kind: OutcomeKind = OutcomeKind.BINARY
    timepoint: str | None = None
    unit: str | None = None

    @property
    def stats(self) -> tuple[str, ...]:
        return BINARY_STATS if self.kind is OutcomeKind.BINARY else CONTINUOUS_STATS


@dataclass(frozen=True)
class Form:
    """A whole extraction form. ``open_outcomes`` lets extractors add outcomes the form did
    not list, because a study often reports outcomes the protocol did not foresee."""

    name: str
    sections: tuple[Section, ...]
    outcomes: tuple[OutcomeTable, ...] = ()
    open_outcomes: bool = True
    version: str = "1"

    @property
    def fields(self) -> tuple[FormField, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, key: str) -> FormField | None:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        return None

    def outcome(self, outcome_id: str) -> OutcomeTable | None:
        for table in self.outcomes:
            if table.id == outcome_id:
                return table
        return None


DEFAULT_FORM_RESOURCE = "default_form.toml"


def default_form_text() -> str:
    """The packaged default form as TOML, to be copied next to a review and adapted."""
    return (
        resources.files("evidens.extraction")
        .joinpath(DEFAULT_FORM_RESOURCE)
        .read_text(encoding="utf-8")
    )


def default_form() -> Form:
    """The seed's Table 2 study-characteristics form with open two-arm outcome tables."""
    return parse_form(default_form_text(), path=DEFAULT_FORM_RESOURCE)


def parse_form(text: str, *, path: str | None = None) -> Form:
    """Read a form from TOML text; every mistake names the section and field it is in."""
    data = parse_toml(text, path=path)
    head = _table(data.get("form", {}), path, "form")
    sections = tuple(
        _section(_table(raw, path, f"sections[{i}]"), path, i)
        for i, raw in enumerate(_list(data.get("sections", []), path, "sections"))
    )
    if not sections:
        raise ConfigError("a form needs at least one [[sections]] table", path=path)
    outcomes = tuple(
        _outcome(_table(raw, path, f"outcomes[{i}]"), path, i)
        for i, raw in enumerate(_list(data.get("outcomes", []), path, "outcomes"))
    )
    form = Form(
        name=str(head.get("name", "Extraction form")),
        sections=sections,
        outcomes=outcomes,
        open_outcomes=bool(head.get("open_outcomes", True)),
        version=str(head.get("version", "1")),
    )
    _check_unique(form, path)
    return form


def _section(raw: dict[str, Any], path: str | None, index: int) -> Section:
    section_id = _ident(raw.get("id"), path, f"sections[{index}].id")
    if section_id == OUTCOMES_SECTION:
        raise ConfigError(
            f"section id {OUTCOMES_SECTION!r} is reserved for outcome arm tables",
            path=path,
            field=f"sections[{index}].id",
            hint="give the section another id",
        )
    raw_fields = _list(raw.get("fields", []), path, f"{section_id}.fields")
    fields = tuple(
        _field(section_id, _table(f, path, f"{section_id}.fields[{i}]"), path, i)
        for i, f in enumerate(raw_fields)
    )
    return Section(id=section_id, title=str(raw.get("title", section_id)), fields=fields)


def _field(section: str, raw: dict[str, Any], path: str | None, index: int) -> FormField:
    where = f"{section}.fields[{index}]"
    field_id = _ident(raw.get("id"), path, f"{where}.id")
    where = f"{section}.{field_id}"
    type_name = str(raw.get("type", "text"))
    try:
        field_type = FieldType(type_name)
    except ValueError:
        allowed = ", ".join(t.value for t in FieldType)
        raise ConfigError(
            f"unknown field type {type_name!r}",
            path=path,
            field=where,
            hint=f"use one of {allowed}",
        ) from None
    choices = tuple(str(c) for c in _list(raw.get("choices", []), path, f"{where}.choices"))
    if field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE) and not choices:
        raise ConfigError(
            "a choice field needs a list of choices",
            path=path,
            field=where,
            hint="add choices = [...]",
        )
    minimum, maximum = _number(raw.get("min"), path, where), _number(raw.get("max"), path, where)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ConfigError(f"min {minimum} is above max {maximum}", path=path, field=where)
    return FormField(
        section=section,
        id=field_id,
        label=str(raw.get("label", field_id)),
        type=field_type,
        unit=None if raw.get("unit") is None else str(raw["unit"]),
        minimum=minimum,
        maximum=maximum,
        choices=choices,
        required=bool(raw.get("required", False)),
        help=str(raw.get("help", "")),
    )


def _outcome(raw: dict[str, Any], path: str | None, index: int) -> OutcomeTable:
    outcome_id = _ident(raw.get("id"), path, f"outcomes[{index}].id")
    kind_name = str(raw.get("kind", "binary"))
    if kind_name not in (OutcomeKind.BINARY.value, OutcomeKind.CONTINUOUS.value):
        raise ConfigError(
            f"unknown outcome kind {kind_name!r}",
            path=path,
            field=f"outcomes.{outcome_id}.kind",
            hint="use binary (events/total) or continuous (mean, SD, n)",
        )
    timepoint = raw.get("timepoint")
    return OutcomeTable(
        id=outcome_id,
        name=str(raw.get("name", outcome_id)),
        kind=OutcomeKind(kind_name),
        timepoint=None if timepoint is None else str(timepoint),
        unit=None if raw.get("unit") is None else str(raw["unit"]),
    )


def _check_unique(form: Form, path: str | None) -> None:
    seen: set[str] = set()
    keys = [s.id for s in form.sections] + [f.key for f in form.fields]
    keys += [f"{OUTCOMES_SECTION}.{o.id}" for o in form.outcomes]
    for key in keys:
        if key in seen:
            raise ConfigError(f"{key!r} is declared twice", path=path, field=key)
        seen.add(key)


def _ident(value: object, path: str | None, where: str) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ConfigError(
            f"id {value!r} is missing or not a plain name",
            path=path,
            field=where,
            hint="use letters, digits and underscores, e.g. sample_size",
        )
    return value


def _number(value: object, path: str | None, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"min/max must be numbers, not {value!r}", path=path, field=where)
    return float(value)


def _table(value: object, path: str | None, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"expected a table, found {type(value).__name__}", path=path, field=where)
    return value


def _list(value: object, path: str | None, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"expected a list, found {type(value).__name__}", path=path, field=where)
    return value
