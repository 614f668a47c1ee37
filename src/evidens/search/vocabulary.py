"""Controlled vocabularies: MeSH qualifiers, and heading maps from MeSH to Emtree, CINAHL
Subject Headings and the APA Thesaurus.

MeSH is not Emtree: a heading copied from one thesaurus into another is often not a heading
there at all ("Spasms, Infantile" is Emtree's "infantile spasm"). The built-in maps
(``vocabulary.json``) hold headings whose equivalent is known; a review adds its own rows with a
CSV file (:func:`read_heading_map`), and every heading left unmapped is warned about by name
so an information specialist looks it up.

Qualifiers (subheadings) are kept as MeSH names in the tree; each engine spells them its own
way: PubMed by name (``"Epilepsy/drug therapy"[Mesh]``), Ovid and Cochrane by two-letter
abbreviation (``exp Epilepsy/dt``), Emtree with its own link terms (``/dm_dt``), CINAHL with
the codes its thesaurus shares with MeSH.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from evidens.errors import InputError

VOCABULARIES = ("mesh", "emtree", "cinahl", "apa")
_NAMES = {"mesh": "MeSH", "emtree": "Emtree", "cinahl": "CINAHL", "apa": "APA Thesaurus"}
MAX_MAP_ROWS = 100_000


def vocabulary_label(name: str) -> str:
    """How people write the vocabulary's name (``emtree`` -> ``Emtree``)."""
    return _NAMES.get(name, name)


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("evidens.search").joinpath("vocabulary.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _qualifiers() -> tuple[dict[str, str], dict[str, str]]:
    codes: dict[str, str] = _raw()["qualifier-codes"]
    by_code = {code.casefold(): name for code, name in codes.items()}
    by_name = {_name_key(name): code for code, name in codes.items()}
    return by_code, by_name


def _name_key(name: str) -> str:
    """``Prevention and Control`` and ``prevention & control`` are the same qualifier."""
    return " ".join(name.casefold().replace(" and ", " & ").split())


def qualifier_name(code: str) -> str | None:
    """Full MeSH qualifier name for a two-letter code (``dt`` -> ``drug therapy``)."""
    return _qualifiers()[0].get(code.strip().casefold())


def qualifier_code(name: str) -> str | None:
    """The two-letter code of a MeSH qualifier name (``drug therapy`` -> ``dt``)."""
    return _qualifiers()[1].get(_name_key(name))


def normalise_qualifier(text: str) -> str | None:
    """The MeSH qualifier name written as a name or as a code; ``None`` if it is neither."""
    cleaned = text.strip().strip('"').strip()
    if qualifier_code(cleaned):
        return _qualifiers()[0][qualifier_code(cleaned) or ""]
    return qualifier_name(cleaned)


def all_qualifiers() -> dict[str, str]:
    """Every MeSH qualifier: two-letter code -> name."""
    return dict(_qualifiers()[0])


@dataclass(frozen=True)
class EmtreeLink:
    """Emtree subheadings ("link terms") nearest to one MeSH qualifier."""

    embase_com: tuple[str, ...]  # Embase.com codes such as dm_dt, dd_ae
    ovid: tuple[str, ...]  # Embase on Ovid two-letter codes
    names: tuple[str, ...]  # Emtree subheading names, searched floating with /lnk


def emtree_link(qualifier: str) -> EmtreeLink | None:
    """The Emtree subheading(s) for a MeSH qualifier name, or ``None`` when Emtree has none."""
    code = qualifier_code(qualifier)
    raw = _raw()["emtree-subheadings"].get(code or "")
    if raw is None:
        return None
    return EmtreeLink(tuple(raw[0]), tuple(raw[1]), tuple(raw[2]))


def cinahl_has_subheading(qualifier: str) -> bool:
    """Whether CINAHL's subheading list has this MeSH qualifier with the same code."""
    return (qualifier_code(qualifier) or "") in set(_raw()["cinahl-subheadings"])


@dataclass(frozen=True)
class HeadingMap:
    """Heading maps between vocabularies: built-in rows plus a review's own (which win)."""

    rows: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)

    def lookup(self, term: str, source: str, target: str) -> str | None:
        """The ``target`` heading for ``term`` of ``source``, if known."""
        if source == target:
            return term
        return self.rows.get((source, target), {}).get(term.casefold())

    def merged(self, other: HeadingMap) -> HeadingMap:
        """This map with ``other``'s rows added; ``other`` wins on a conflict."""
        rows = {key: dict(table) for key, table in self.rows.items()}
        for key, table in other.rows.items():
            rows.setdefault(key, {}).update(table)
        return HeadingMap(rows)


@cache
def builtin_headings() -> HeadingMap:
    """The maps shipped with evidens, in both directions."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for key, table in _raw().items():
        if "->" not in key:
            continue
        source, _, target = key.partition("->")
        rows.setdefault((source, target), {}).update({k.casefold(): v for k, v in table.items()})
        reverse = rows.setdefault((target, source), {})
        reverse.update({v.casefold(): k for k, v in table.items()})
    return HeadingMap(rows)


def read_heading_map(text: str, name: str = "heading map") -> HeadingMap:
    """A CSV whose header names vocabularies (``mesh,emtree`` or ``mesh,emtree,cinahl``); each
    row gives one heading's equivalents; an empty cell means "no equivalent known"."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().casefold() for h in next(reader, [])]
    unknown = [h for h in header if h not in VOCABULARIES]
    if len(header) < 2 or unknown:
        raise InputError(
            f"the header names {', '.join(unknown) or 'fewer than two vocabularies'}",
            path=name,
            line=1,
            hint="start the file with a header such as mesh,emtree or mesh,emtree,cinahl",
        )
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for number, row in enumerate(reader, 2):
        if number > MAX_MAP_ROWS:
            raise InputError(f"more than {MAX_MAP_ROWS} rows", path=name, line=number)
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError(
                f"{len(row)} cells where the header has {len(header)}",
                path=name,
                line=number,
                hint="quote headings that contain commas",
            )
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        for source, term in cells.items():
            for target, equivalent in cells.items():
                if source != target and term and equivalent:
                    rows.setdefault((source, target), {})[term.casefold()] = equivalent
    return HeadingMap(rows)
