"""Render a query tree in one target database's syntax, recording every loss as a warning.

The renderer is generic; what differs per database lives in ``engines.json``. Whenever the
target cannot say what the tree says (no such field, no proximity, no explosion, a heading with
no mapping in the target vocabulary...) the closest form is emitted *and* a warning says what
changed, so a translated strategy never silently searches something else (PRISMA-S item 8).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from evidens.errors import InputError
from evidens.search.ast import (
    OPTIONAL,
    SINGLE,
    UNLIMITED,
    Bool,
    Heading,
    LineRef,
    Near,
    Node,
    Template,
    Term,
)
from evidens.search.engines import Engine, map_heading, qualifier_code
from evidens.search.fields import INTENTS
from evidens.search.filters import filter_tree

_WILDCARD_NAMES = {
    UNLIMITED: "truncation",
    SINGLE: "single-character wildcard",
    OPTIONAL: "optional-character wildcard",
}
_OPERATOR_WORD = re.compile(r"\b(and|or|not|adj\d*|near|next)\b", re.IGNORECASE)
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:[:\-]\s*(\d{4}))?\s*$")
_PUBMED_PROXIMITY_FIELDS = {"ti": "ti", "tiab": "tiab", "tiabkw": "tiab"}
_VOCABULARY_NAMES = {"mesh": "MeSH", "emtree": "Emtree", "cinahl": "CINAHL", "index": "index"}


class Renderer:
    """Renders nodes for one engine; ``warnings`` collects what could not be expressed."""

    def __init__(self, engine: Engine, lines: Mapping[int, Node] | None = None) -> None:
        self.engine = engine
        self.lines = dict(lines or {})
        self._warnings: list[str] = []
        self._lost_fields: dict[str, list[str]] = {}
        self._expanding = 0

    def warn(self, message: str) -> None:
        text = f"{self.engine.label}: {message}"
        if text not in self._warnings:
            self._warnings.append(text)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every loss so far; terms whose field the target lacks are listed per field."""
        lost = [
            f"{self.engine.label}: has no {INTENTS[field]} field: searched in its default "
            f"fields instead: {', '.join(repr(t) for t in terms)}"
            for field, terms in self._lost_fields.items()
        ]
        return (*self._warnings, *lost)

    def render(self, node: Node, *, nested: bool = False) -> str:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Heading):
            return self.heading(node)
        if isinstance(node, Bool):
            return self.boolean(node, nested=nested)
        if isinstance(node, Near):
            return self.near(node, nested=nested)
        if isinstance(node, LineRef):
            return self.line_ref(node, nested=nested)
        return self.template(node, nested=nested)

    # --- terms -------------------------------------------------------------------------
    def term(self, term: Term, *, bare: bool = False) -> str:
        text = self.phrase(term)
        if bare:
            return text
        if term.field is None:
            return (self.engine.default or "{x}").replace("{x}", text)
        if term.field == "dp":
            return self.date(term)
        return self.field_template(term.field, term.text).replace("{x}", text)

    def field_template(self, field: str, text: str) -> str:
        engine = self.engine
        if field in engine.fields:
            return engine.fields[field]
        if field in engine.approximate:
            substitute, note = engine.approximate[field]
            self.warn(note)
            return engine.fields[substitute]
        lost = self._lost_fields.setdefault(field, [])
        if text not in lost:
            lost.append(text)
        return engine.default or "{x}"

    def phrase(self, term: Term) -> str:
        text = self.wildcards(term)
        words = text.split()
        quote = self.engine.quote
        if not quote and len(words) > 1 and _OPERATOR_WORD.search(text):
            quote = '"'
        if quote and (term.quoted or len(words) > 1):
            return f"{quote}{text}{quote}"
        return text

    def wildcards(self, term: Term) -> str:
        engine = self.engine
        text = term.text
        if engine.name == "pubmed":
            self.check_pubmed_truncation(term)
        if term.limit is not None:
            if engine.limited_truncation:
                text = text[:-1] + engine.limited_truncation.replace("{n}", str(term.limit))
            else:
                self.warn(
                    f"has no limited truncation: {term.text[:-1]}${term.limit} widened "
                    f"to {term.text}"
                )
        out: list[str] = []
        for char in text:
            if char not in _WILDCARD_NAMES:
                out.append(char)
            elif char in engine.wildcards:
                out.append(engine.wildcards[char])
            elif UNLIMITED in engine.wildcards:
                self.warn(f"has no {_WILDCARD_NAMES[char]}: widened to * in {term.text!r}")
                out.append(engine.wildcards[UNLIMITED])
            else:
                self.warn(
                    f"has no {_WILDCARD_NAMES[char]}: removed from {term.text!r} "
                    "(the engine expands word forms itself; check the hits)"
                )
        return "".join(out)

    def check_pubmed_truncation(self, term: Term) -> None:
        if UNLIMITED not in term.text:
            return
        stem = term.text.split(UNLIMITED)[0].split()[-1] if term.text.split(UNLIMITED)[0] else ""
        if len(stem) < 4:
            self.warn(f"needs at least 4 characters before * ({term.text!r})")
        if term.quoted and term.field is None:
            self.warn(
                f"ignores truncation inside an untagged quoted phrase ({term.text!r}); "
                "add a field tag such as [tiab]"
            )

    def date(self, term: Term) -> str:
        match = _YEARS.match(term.text)
        if not match:
            raise InputError(
                f"cannot read the date range {term.text!r}",
                field="query",
                hint="write years as 2020:2024[dp]",
            )
        first, last = int(match[1]), int(match[2] or match[1])
        if self.engine.date is None:
            self.warn(
                f"has no date field in the query: apply {first}-{last} as a limit in "
                "the interface (left out of the query text)"
            )
            return ""
        return (
            self.engine.date.replace("{a}", str(first))
            .replace("{b}", str(last))
            .replace("{a_before}", str(first - 1))
            .replace("{b_after}", str(last + 1))
        )

    # --- subject headings ----------------------------------------------------------------
    def heading(self, heading: Heading) -> str:
        engine = self.engine
        name = _VOCABULARY_NAMES.get(heading.vocabulary, heading.vocabulary)
        if engine.vocabulary is None or not engine.heading:
            self.warn(
                f"has no subject headings: {name} {heading.term!r} searched as a free-text phrase"
            )
            return self.term(Term(heading.term, field=None, quoted=True))
        term = heading.term
        if engine.vocabulary not in ("any", heading.vocabulary):
            mapped = map_heading(term, heading.vocabulary, engine.vocabulary)
            target = _VOCABULARY_NAMES.get(engine.vocabulary, engine.vocabulary)
            if mapped is None:
                self.warn(
                    f"{name} heading {term!r} has no {target} equivalent in evidens' "
                    f"table: copied unchanged; check it in {target}"
                )
            else:
                term = mapped
        key = ("major" if heading.major else "") + ("" if heading.explode else "_noexp")
        key = key.strip("_") or "explode"
        if key not in engine.heading and heading.major:
            self.warn(f"cannot restrict a heading to major topic: {term!r} searched as any heading")
            key = "explode" if heading.explode else "noexp"
        if key == "explode" and "explode" in engine.heading_notes:
            self.warn(engine.heading_notes["explode"])
        return self.qualified(engine.heading[key], term, heading.qualifiers)

    def qualified(self, template: str, term: str, qualifiers: tuple[str, ...]) -> str:
        """The heading with its qualifiers: ``"x/drug therapy"[Mesh]`` or ``exp x/dt``."""
        style = self.engine.qualifier_style
        codes = [qualifier_code(q) for q in qualifiers]
        if style == "code" and all(codes):
            return template.replace("{x}", term) + ",".join(c for c in codes if c)
        if style == "name" and qualifiers:
            parts = [template.replace("{x}", f"{term}/{q}") for q in qualifiers]
            return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
        if qualifiers:
            self.warn(
                f"cannot limit a heading to subheadings: {term!r} searched with all of "
                f"them, not only {', '.join(qualifiers)} (wider)"
            )
        return template.replace("{x}", term)

    # --- operators -----------------------------------------------------------------------
    def boolean(self, node: Bool, *, nested: bool) -> str:
        groups = self.field_groups(node)
        parts: list[str] = []
        done: set[str] = set()
        for child in node.operands:
            key = self.group_key(child)
            if key is not None and key in groups:
                if key not in done:
                    done.add(key)
                    parts.append(self.grouped(key, groups[key], node.op))
                continue
            parts.append(self.render(child, nested=True))
        parts = [part for part in parts if part]
        if not parts:
            return ""
        text = f" {self.engine.ops[node.op]} ".join(parts)
        return f"({text})" if nested and len(parts) > 1 else text

    def groupable(self, field: str | None) -> bool:
        """Whether the target can tag a bracketed group (``TITLE-ABS-KEY(a OR b)``)."""
        if not self.engine.group_fields or field == "dp":
            return False
        if not field:
            return self.engine.default is not None
        if field in self.engine.fields:
            return self.engine.fields[field] != "{x}"
        return field in self.engine.approximate

    def group_key(self, node: Node) -> str | None:
        """The field template a term would be tagged with, if it can share a tagged group."""
        if not isinstance(node, Term) or not self.groupable(node.field):
            return None
        engine = self.engine
        if not node.field:
            return engine.default
        if node.field in engine.fields:
            return engine.fields[node.field]
        return engine.fields[engine.approximate[node.field][0]]

    def field_groups(self, node: Bool) -> dict[str, list[Term]]:
        """Terms of an AND/OR that the target tags the same way; AND and OR commute, so they
        are gathered into one tagged group wherever they stand."""
        if node.op == "NOT":
            return {}
        groups: dict[str, list[Term]] = {}
        for child in node.operands:
            key = self.group_key(child)
            if key is not None and isinstance(child, Term):
                groups.setdefault(key, []).append(child)
        return {key: terms for key, terms in groups.items() if len(terms) > 1}

    def grouped(self, template: str, terms: list[Term], op: str) -> str:
        for term in terms:  # records the approximations the terms' fields need
            if term.field:
                self.field_template(term.field, term.text)
        bare = dict.fromkeys(self.term(term, bare=True) for term in terms)
        return _apply(template, f" {self.engine.ops[op]} ".join(bare))

    def tag_group(self, field: str | None, inner: str, example: str) -> str:
        default = self.engine.default or "{x}"
        return _apply(self.field_template(field, example) if field else default, inner)

    def near(self, node: Near, *, nested: bool) -> str:
        engine = self.engine
        if engine.name == "pubmed":
            special = self.pubmed_proximity(node)
            if special is not None:
                return special
        if node.ordered and node.distance is None:
            key = "adjacent"
        elif node.ordered:
            key = "ordered"
        else:
            key = "unordered"
        if key == "ordered" and key not in engine.near and "unordered" in engine.near:
            self.warn("cannot keep word order in proximity: searched in either order")
            key = "unordered"
        if key == "adjacent" and key not in engine.near and "unordered" in engine.near:
            self.warn("has no ordered adjacency: searched within 1 word in either order")
            key = "unordered"
        if key not in engine.near:
            self.warn("has no proximity operator: searched as AND (wider)")
            return self.boolean(Bool("AND", (node.left, node.right)), nested=nested)
        distance = str(node.distance if node.distance is not None else 1)
        left, right = node.left, node.right
        if (
            isinstance(left, Term)
            and isinstance(right, Term)
            and left.field == right.field
            and self.groupable(left.field)
        ):
            inner = (
                engine.near[key]
                .replace("{l}", self.term(left, bare=True))
                .replace("{r}", self.term(right, bare=True))
                .replace("{n}", distance)
            )
            return self.tag_group(left.field, inner, left.text)
        text = (
            engine.near[key]
            .replace("{l}", self.render(left, nested=True))
            .replace("{r}", self.render(right, nested=True))
            .replace("{n}", distance)
        )
        return f"({text})" if nested else text

    def pubmed_proximity(self, node: Near) -> str | None:
        left, right = node.left, node.right
        if not (isinstance(left, Term) and isinstance(right, Term)) or node.ordered:
            return None
        tag = _PUBMED_PROXIMITY_FIELDS.get(left.field or "")
        if tag is None or left.field != right.field or left.truncated or right.truncated:
            return None
        self.field_template(left.field or "tiabkw", left.text)
        distance = node.distance if node.distance is not None else 1
        return f'"{left.text} {right.text}"[{tag}:~{distance}]'

    def line_ref(self, node: LineRef, *, nested: bool) -> str:
        if self.engine.line_ref is not None:
            return self.engine.line_ref.replace("{n}", str(node.number))
        self._expanding += 1
        if self._expanding > 50:
            raise InputError(
                "line references nest more than 50 lines deep",
                field="query",
                hint="this target has no search history: shorten the chain",
            )
        try:
            return self._expand(node, nested=nested)
        finally:
            self._expanding -= 1

    def _expand(self, node: LineRef, *, nested: bool) -> str:
        if node.number not in self.lines:
            raise InputError(
                f"line reference #{node.number} names no earlier line",
                field="query",
                hint="number the strategy's lines",
            )
        return self.render(self.lines[node.number], nested=nested)

    def template(self, node: Template, *, nested: bool) -> str:
        return self.render(filter_tree(node.name), nested=nested)


def _apply(template: str, inner: str) -> str:
    """Tag a bracketed group: ``TS=(a OR b)``, ``(a OR b).ti,ab.``, ``(TI (a OR b))``."""
    if "({x})" in template:
        return template.replace("{x}", inner)
    return template.replace("{x}", f"({inner})")
