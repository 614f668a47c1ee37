"""Instruments declared as data: domains, signalling questions, conditions and algorithm tables.

An instrument is a TOML file in :mod:`evidens.rob.instruments` (format described in that
package's README.md). Conditions are a small language so that every branch of an official
flowchart is a line of data that a reviewer can check against the figure, not code:

    2.1 in Y|NI or 2.2 in Y|NI          # or binds looser than and
    @effect in adhering and 2.3 in N    # @name reads a preliminary setting

For questions, ``Y`` stands for {Y, PY} and ``N`` for {N, PN}; ``NI`` and ``NA`` are themselves.
A domain's algorithm is one or more rule tables ("parts"); each table is read top to bottom and
the first rule whose condition holds gives the part's judgment; the domain takes the most severe
part. A domain without rules is judged by the assessor (ROBINS-I 2016 has no algorithm).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from evidens.core.toml import parse_toml
from evidens.errors import ConfigError
from evidens.rob.model import Answer, Judgment

_CLASS_MEMBERS = {
    "Y": frozenset({Answer.Y, Answer.PY}),
    "N": frozenset({Answer.N, Answer.PN}),
    "NI": frozenset({Answer.NI}),
    "NA": frozenset({Answer.NA}),
}


@dataclass(frozen=True)
class Atom:
    """``key in values``: a question's answer (raw codes) or a setting's value."""

    key: str
    values: frozenset[str]
    setting: bool


#: Disjunctive normal form: any clause holds when all of its atoms hold. () means "always".
Condition = tuple[tuple[Atom, ...], ...]
ALWAYS: Condition = ()


def holds(condition: Condition, answers: dict[str, str], settings: dict[str, str]) -> bool:
    """Whether the condition holds; an unanswered question matches nothing."""
    if not condition:
        return True
    for clause in condition:
        for atom in clause:
            value = settings.get(atom.key) if atom.setting else answers.get(atom.key)
            if value is None or value not in atom.values:
                break
        else:
            return True
    return False


def parse_condition(text: str, *, where: str) -> Condition:
    """Compile the condition language above; ``where`` names the TOML entry for errors."""
    text = text.strip()
    if text in ("", "always"):
        return ALWAYS
    clauses = []
    for clause in text.split(" or "):
        atoms = []
        for atom_text in clause.split(" and "):
            parts = atom_text.split()
            if len(parts) != 3 or parts[1] != "in":
                raise ConfigError(
                    f"cannot read condition {atom_text.strip()!r}",
                    field=where,
                    hint="write 'ID in A|B', e.g. '2.1 in Y|NI', joined by 'and' / 'or'",
                )
            atoms.append(_atom(parts[0], parts[2], where))
        clauses.append(tuple(atoms))
    return tuple(clauses)


def _atom(key: str, values_text: str, where: str) -> Atom:
    names = values_text.split("|")
    if key.startswith("@"):
        return Atom(key[1:], frozenset(names), setting=True)
    members: set[str] = set()
    for name in names:
        if name not in _CLASS_MEMBERS:
            raise ConfigError(
                f"unknown answer class {name!r}", field=where, hint="use Y, N, NI or NA"
            )
        members.update(_CLASS_MEMBERS[name])
    return Atom(key, frozenset(members), setting=False)


@dataclass(frozen=True)
class Question:
    """A signalling question: official number, our own-words label, options, when asked."""

    id: str
    text: str
    options: tuple[Answer, ...]
    asked_if: Condition
    asked_if_text: str


@dataclass(frozen=True)
class Rule:
    when: Condition
    when_text: str
    judge: Judgment


@dataclass(frozen=True)
class Domain:
    """A domain; ``column`` is its robvis column (both RoB 2 domain-2 variants are "D2")."""

    id: str
    name: str
    short: str
    column: str
    questions: tuple[Question, ...]
    parts: tuple[tuple[Rule, ...], ...]
    included_if: Condition
    scale: tuple[Judgment, ...]

    @property
    def has_algorithm(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True)
class Setting:
    """A preliminary choice that decides which domains and questions apply."""

    id: str
    label: str
    options: tuple[str, ...]
    default: str
    asked_if: Condition = ALWAYS  # on other settings, e.g. ticks only for "adhering"


@dataclass(frozen=True)
class Instrument:
    """A whole tool: its judgment scale in order of severity, settings, domains, overall rule."""

    id: str
    name: str
    version: str
    robvis_tool: str
    scale: tuple[Judgment, ...]
    settings: tuple[Setting, ...]
    domains: tuple[Domain, ...]
    overall_rule: str
    no_information_below: Judgment | None
    notes: str

    def severity(self, judgment: Judgment) -> int:
        """Rank on this instrument's scale (0 = least severe); unknown levels raise KeyError."""
        try:
            return self.scale.index(judgment)
        except ValueError:
            raise KeyError(judgment) from None

    def domain(self, domain_id: str) -> Domain:
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise KeyError(domain_id)

    def domains_for(self, settings: dict[str, str]) -> tuple[Domain, ...]:
        """The domains an assessment with these settings covers."""
        return tuple(d for d in self.domains if holds(d.included_if, {}, settings))

    def resolve_settings(self, given: dict[str, str]) -> dict[str, str]:
        """Settings with defaults filled in; unknown names or values raise ConfigError."""
        known = {s.id: s for s in self.settings}
        for name, value in given.items():
            if name not in known:
                raise ConfigError(
                    f"unknown setting {name!r} for {self.id}",
                    field=f"settings.{name}",
                    hint=f"known settings: {', '.join(known) or 'none'}",
                )
            if value not in known[name].options:
                raise ConfigError(
                    f"setting {name} = {value!r} is not allowed",
                    field=f"settings.{name}",
                    hint=f"use one of {', '.join(known[name].options)}",
                )
        return {s.id: given.get(s.id, s.default) for s in self.settings}


def parse_instrument(text: str) -> Instrument:
    """Build an instrument from its TOML text; malformed data raises ConfigError."""
    data = parse_toml(text, what="instrument TOML")
    head = data.get("instrument", {})
    scale = tuple(Judgment.parse(s, field="instrument.scale") for s in head.get("scale", ()))
    below = head.get("no_information_below")
    return Instrument(
        id=str(head["id"]),
        name=str(head["name"]),
        version=str(head.get("version", "")),
        robvis_tool=str(head.get("robvis_tool", "Generic")),
        scale=scale,
        settings=tuple(_setting(s) for s in data.get("settings", ())),
        domains=tuple(_domain(d, scale) for d in data.get("domains", ())),
        overall_rule=str(head.get("overall", "worst")),
        no_information_below=Judgment.parse(below) if below else None,
        notes=str(head.get("notes", "")),
    )


def _setting(raw: dict[str, Any]) -> Setting:
    options = tuple(str(o) for o in raw["options"])
    asked_if = parse_condition(str(raw.get("asked_if", "")), where=f"settings.{raw['id']}")
    default = str(raw.get("default", options[0]))
    return Setting(str(raw["id"]), str(raw["label"]), options, default, asked_if)


def _domain(raw: dict[str, Any], scale: tuple[Judgment, ...]) -> Domain:
    domain_id = str(raw["id"])
    questions = tuple(_question(q, domain_id) for q in raw.get("questions", ()))
    parts = tuple(_rules(p, domain_id) for p in raw.get("parts", ()))
    for rules in parts:
        if rules[-1].when:
            raise ConfigError(
                f"the last rule of a part of {domain_id} has a condition",
                field=f"domains.{domain_id}.parts",
                hint="end each rule table with an unconditional rule so every path is judged",
            )
    extra = tuple(Judgment.parse(s) for s in raw.get("extra_levels", ()))
    return Domain(
        id=domain_id,
        name=str(raw["name"]),
        short=str(raw.get("short", raw["name"])),
        column=str(raw.get("column", domain_id)),
        questions=questions,
        parts=parts,
        included_if=parse_condition(str(raw.get("included_if", "")), where=domain_id),
        scale=scale + extra,
    )


def _question(raw: dict[str, Any], domain_id: str) -> Question:
    where = f"domains.{domain_id}.{raw['id']}"
    asked_if = str(raw.get("asked_if", "always"))
    return Question(
        id=str(raw["id"]),
        text=str(raw["text"]),
        options=tuple(Answer.parse(o, field=where) for o in raw["options"]),
        asked_if=parse_condition(asked_if, where=where),
        asked_if_text=asked_if,
    )


def _rules(raw: dict[str, Any], domain_id: str) -> tuple[Rule, ...]:
    where = f"domains.{domain_id}.parts"
    rules = []
    for entry in raw["rules"]:
        when_text = str(entry.get("when", "always"))
        judge = Judgment.parse(str(entry["judge"]), field=where)
        rules.append(Rule(parse_condition(when_text, where=where), when_text, judge))
    if not rules:
        raise ConfigError(f"empty rule table in {domain_id}", field=where)
    return tuple(rules)


INSTRUMENT_FILES = {"rob2": "rob2.toml", "robins-i": "robins_i.toml"}


@cache
def get_instrument(instrument_id: str) -> Instrument:
    """A packaged instrument by id ("rob2", "robins-i")."""
    try:
        name = INSTRUMENT_FILES[instrument_id.lower()]
    except KeyError:
        raise ConfigError(
            f"unknown instrument {instrument_id!r}",
            field="instrument",
            hint=f"use one of {', '.join(INSTRUMENT_FILES)}",
        ) from None
    text = resources.files("evidens.rob.instruments").joinpath(name).read_text("utf-8")
    return parse_instrument(text)
