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
def _vocabulary_maps() -> dict[str, dict[str, str]]:
    text = resources.files("evidens.search").joinpath("vocabulary.json").read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    maps: dict[str, dict[str, str]] = {}
    codes: dict[str, str] = raw.get("qualifier-codes", {})
    maps["qualifier-codes"] = {k.casefold(): v for k, v in codes.items()}
    maps["qualifiers-by-name"] = {v.casefold(): k for k, v in codes.items()}
    for key, table in raw.items():
        if key.startswith("_") or "->" not in key:
            continue
        source, _, target = key.partition("->")
        maps[key] = {k.casefold(): v for k, v in table.items()}
        reverse = maps.setdefault(f"{target}->{source}", {})
        reverse.update({v.casefold(): k for k, v in table.items()})
    return maps


def map_heading(term: str, source: str, target: str) -> str | None:
    """The ``target`` vocabulary's heading for ``term`` of ``source``, if the table has one."""
    if source == target:
        return term
    return _vocabulary_maps().get(f"{source}->{target}", {}).get(term.casefold())


def qualifier_name(code: str) -> str | None:
    """Full MeSH qualifier name for an Ovid two-letter code (``dt`` -> ``drug therapy``)."""
    return _vocabulary_maps().get("qualifier-codes", {}).get(code.casefold())


def qualifier_code(name: str) -> str | None:
    """The Ovid two-letter code of a MeSH qualifier name."""
    return _vocabulary_maps().get("qualifiers-by-name", {}).get(name.casefold())
