"""The per-database syntax table, kept as data (``engines.json``) the way polyglot keeps its
spreadsheet: adding a database or fixing a field code is an edit to the table, not to code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from evidens.errors import InputError


@dataclass(frozen=True)
class Engine:
    """How one target database spells each construct; ``None``/missing means it can't."""

    name: str
    label: str
    vocabulary: str | None
    group_fields: bool
    fields: dict[str, str]
    approximate: dict[str, tuple[str, str]]
    default: str | None
    date: str | None
    heading: dict[str, str]
    heading_notes: dict[str, str]
    qualifier_style: str | None
    quote: str
    wildcards: dict[str, str]
    limited_truncation: str | None
    near: dict[str, str]
    ops: dict[str, str]
    line_ref: str | None
    subheading: dict[str, str]
    pubtypes: str | None
    register: bool
    near_terms_only: bool
    phrase_wildcards: bool


def _engine(name: str, raw: dict[str, Any]) -> Engine:
    return Engine(
        name=name,
        label=raw["label"],
        vocabulary=raw["vocabulary"],
        group_fields=raw["group_fields"],
        fields=dict(raw["fields"]),
        approximate={k: (v[0], v[1]) for k, v in raw["approximate"].items()},
        default=raw.get("default"),
        date=raw["date"],
        heading=dict(raw["heading"]),
        heading_notes=dict(raw["heading_notes"]),
        qualifier_style=raw["qualifier_style"],
        quote=raw["quote"],
        wildcards=dict(raw["wildcards"]),
        limited_truncation=raw["limited_truncation"],
        near=dict(raw["near"]),
        ops=dict(raw["ops"]),
        line_ref=raw["line_ref"],
        subheading=dict(raw.get("subheading", {})),
        pubtypes=raw.get("pubtypes"),
        register=bool(raw.get("register", False)),
        near_terms_only=bool(raw.get("near_terms_only", False)),
        phrase_wildcards=bool(raw.get("phrase_wildcards", True)),
    )


@cache
def engines() -> dict[str, Engine]:
    """Every target database by id (``pubmed``, ``ovid``, ``embase``, ``scopus``, ...)."""
    text = resources.files("evidens.search").joinpath("engines.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(text)
    return {name: _engine(name, raw) for name, raw in table.items() if not name.startswith("_")}


def engine(name: str) -> Engine:
    """The engine called ``name``; an :class:`InputError` listing the choices otherwise."""
    table = engines()
    if name not in table:
        raise InputError(
            f"unknown target database {name!r}",
            field="target",
            hint="use one of " + ", ".join(table),
        )
    return table[name]


@cache
def _pubtypes() -> dict[str, dict[str, list[str | None]]]:
    text = resources.files("evidens.search").joinpath("pubtypes.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(text)
    return {key: value for key, value in table.items() if not key.startswith("_")}


def publication_type(value: str, target: str) -> tuple[str, str | None] | None:
    """The engine's own query text for a MEDLINE publication type, with the warning it
    carries when it only approximates; ``None`` when the table has no row for it."""
    row = _pubtypes().get(" ".join(value.casefold().split()), {}).get(target)
    if row is None:
        return None
    text, note = row
    return str(text), note
