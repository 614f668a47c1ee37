"""Render a query tree in one target database's syntax, recording every loss as a warning.

The renderer is generic; what differs per database lives in ``engines.json`` (fields,
operators, proximity), ``pubtypes.json`` (publication types) and ``vocabulary.json``
(headings, qualifiers); subject headings, qualifiers, floating subheadings and publication
types are rendered by :mod:`evidens.search.render_vocab`. Whenever the target cannot say what
the tree says, the closest form is emitted *and* a warning says what changed, naming the part
of the query, so a translated strategy never silently searches something else (PRISMA-S 8).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

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
from evidens.search.engines import Engine
from evidens.search.fields import INTENTS, wider_fields
from evidens.search.filters import filter_for
from evidens.search.notes import Approximation, describe
from evidens.search.render_near import ProximityRenderer
from evidens.search.render_vocab import VocabularyRenderer
from evidens.search.vocabulary import HeadingMap, builtin_headings

_WILDCARD_NAMES = {
    UNLIMITED: "truncation",
    SINGLE: "single-character wildcard",
    OPTIONAL: "optional-character wildcard",
}
_OPERATOR_WORD = re.compile(r"\b(and|or|not|adj\d*|near|next)\b", re.IGNORECASE)
_DAY = r"(\d{4})((?:/\d{1,2}){0,2})"
_YEARS = re.compile(rf"^\s*{_DAY}\s*(?:[:\-]\s*{_DAY})?\s*$")
_NO_GROUPING = ("dp", "pt", "sh", "fs")


class Renderer(ProximityRenderer, VocabularyRenderer):
    """Renders nodes for one engine; ``notes`` collects what could not be expressed."""

    def __init__(
        self,
        engine: Engine,
        lines: Mapping[int, Node] | None = None,
        headings: HeadingMap | None = None,
        *,
        source: str | None = None,
    ) -> None:
        self.engine = engine
        self.source = source
        self.lines = dict(lines or {})
        self.headings = headings or builtin_headings()
        self._notes: list[Approximation] = []
        self._lost_fields: dict[str, list[str]] = {}
        self._expanding = 0
        self._part: Node | None = None
        self._bare = False
        self.line: int | None = None

    def warn(self, message: str, part: str | None = None) -> None:
        if part is None and self._part is not None:
            part = describe(self._part)
        note = Approximation(self.engine.name, self.engine.label, message, part, self.line)
        if not any(n.message == message and n.part == note.part for n in self._notes):
            self._notes.append(note)

    @contextmanager
    def about(self, node: Node) -> Iterator[None]:
        """Warnings raised while rendering ``node`` concern it (the innermost part wins); the
        description is only written when a warning needs it."""
        outer = self._part
        self._part = node
        try:
            yield
        finally:
            self._part = outer

    @property
    def notes(self) -> tuple[Approximation, ...]:
        """Every loss so far, one per message with the parts it concerns; terms whose field
        the target lacks are listed per field."""
        merged: dict[str, list[Approximation]] = {}
        for note in self._notes:
            merged.setdefault(note.message, []).append(note)
        notes = [
            Approximation(
                self.engine.name,
                self.engine.label,
                message,
                _join_parts([n.part for n in same]),
                same[0].line if len({n.line for n in same}) == 1 else None,
            )
            for message, same in merged.items()
        ]
        lost = [
            Approximation(
                self.engine.name,
                self.engine.label,
                f"has no {INTENTS.get(field, field)} field: searched in its default fields "
                f"instead: {', '.join(repr(t) for t in terms)}",
                ", ".join(terms),
            )
            for field, terms in self._lost_fields.items()
        ]
        return (*notes, *lost)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(str(note) for note in self.notes)

    def render(self, node: Node, *, nested: bool = False) -> str:
        if isinstance(node, Bool):
            return self.boolean(node, nested=nested)
        if isinstance(node, LineRef):
            return self.line_ref(node, nested=nested)
        with self.about(node):
            if isinstance(node, Term):
                return self.term(node, nested=nested)
            if isinstance(node, Heading):
                return self.heading(node, nested=nested)
            if isinstance(node, Near):
                return self.near(node, nested=nested)
            return self.template(node, nested=nested)

    # --- terms -------------------------------------------------------------------------
    def term(self, term: Term, *, bare: bool = False, nested: bool = False) -> str:
        if term.field in ("sh", "fs") and not bare:
            return self.subheading(term, nested=nested)
        if term.field == "pt" and not bare:
            return self.publication_type(term, nested=nested)
        text = self.phrase(term)
        if bare or self._bare:
            return text
        if term.field is None:
            # PubMed maps untagged words, not quoted phrases, to headings.
            if (
                self.source == "pubmed"
                and not term.quoted
                and not (self.engine.name == "pubmed" or self.engine.register)
            ):
                self.warn(
                    "PubMed also maps untagged words to MeSH headings (Automatic Term Mapping);"
                    " here only the words are searched: tag them or add the headings"
                )
            return (self.engine.default or "{x}").replace("{x}", text)
        if term.field in ("dp", "la"):
            return self.limit(term)
        return self.field_template(term.field, term.text).replace("{x}", text)

    def limit(self, term: Term) -> str:
        """A date or language: in the query where the engine has the field, else a limit to
        apply in the interface (searching the word "english" would be wrong)."""
        if term.field == "dp":
            return self.date(term)
        if "la" not in self.engine.fields:
            self.warn(
                f"has no language field in the query: apply the language {term.text!r} as a "
                "limit in the interface (left out of the query text)"
            )
            return ""
        return self.engine.fields["la"].replace("{x}", self.phrase(term))

    def field_template(self, field: str, text: str) -> str:
        engine = self.engine
        if field in engine.fields:
            return engine.fields[field]
        if field in engine.approximate:
            substitute, note = engine.approximate[field]
            self.warn(note)
            return engine.fields[substitute]
        wider = next((f for f in wider_fields(field) if f in engine.fields), None)
        if wider is not None:
            self.warn(
                f"has no {INTENTS.get(field, field)} field: searched in "
                f"{INTENTS.get(wider, wider)} (wider)"
            )
            return engine.fields[wider]
        lost = self._lost_fields.setdefault(field, [])
        if text not in lost:
            lost.append(text)
        return engine.default or "{x}"

    def phrase(self, term: Term) -> str:
        text = self.wildcards(term)
        words = text.split()
        if len(words) > 1 and term.truncated and not self.engine.phrase_wildcards:
            # The Cochrane Library ignores wildcards inside quotes: its help advises NEXT.
            adjacent = self.engine.near["adjacent"]
            joined = words[0]
            for word in words[1:]:
                joined = adjacent.replace("{l}", joined).replace("{r}", word)
            return f"({joined})"
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
            text = _end_truncation(text)
            if text != term.text:
                self.warn(
                    f"truncates only at the end of a word: {term.text!r} searched as "
                    f"{text!r} (wider)"
                )
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
        head = term.text.split(UNLIMITED)[0]
        stem = head.split()[-1] if head.split() else ""
        if len(stem) < 4:
            self.warn(f"needs at least 4 characters before * ({term.text!r})")
        if term.quoted and term.field is None:
            self.warn(
                f"ignores truncation inside an untagged quoted phrase ({term.text!r}); "
                "add a field tag such as [tiab]"
            )

    def date(self, term: Term) -> str:
        match = _YEARS.match(term.text)
        if not match:  # "last 5 years"[dp] and other relative dates
            if self.engine.name == "pubmed":
                return f'"{term.text}"[dp]'
            self.warn(
                f"cannot write the date {term.text!r} in the query: apply it as a limit in the "
                "interface (left out of the query text)"
            )
            return ""
        first, last = int(match[1]), int(match[3] or match[1])
        precise = bool(match[2] or match[4])
        if precise and self.engine.name == "pubmed":
            start, end = match[1] + match[2], (match[3] or match[1]) + (match[4] or "")
            return f'("{start}"[dp] : "{end}"[dp])'
        if precise:
            self.warn(f"dates are searched by year here: {term.text!r} widened to {first}-{last}")
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
        if node.op != "NOT":  # a OR a is a; a NOT a is not a
            parts = list(dict.fromkeys(parts))
        if not parts:
            return ""
        text = f" {self.engine.ops[node.op]} ".join(parts)
        return f"({text})" if nested and len(parts) > 1 else text

    def groupable(self, field: str | None) -> bool:
        """Whether the target can tag a bracketed group (``TITLE-ABS-KEY(a OR b)``)."""
        if not self.engine.group_fields or field in _NO_GROUPING:
            return False
        if not field:
            return self.engine.default is not None
        if field in self.engine.fields:
            return self.engine.fields[field] != "{x}"
        return field in self.engine.approximate

    def group_key(self, node: Node) -> str | None:
        """The field template a term would be tagged with, if it can share a tagged group."""
        if self._bare or not isinstance(node, Term) or not self.groupable(node.field):
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
        bare: list[str] = []
        for term in terms:  # records the approximations the terms' fields need
            with self.about(term):
                if term.field:
                    self.field_template(term.field, term.text)
                bare.append(self.term(term, bare=True))
        return _apply(template, f" {self.engine.ops[op]} ".join(dict.fromkeys(bare)))

    def tag_group(self, field: str | None, inner: str, example: str) -> str:
        default = self.engine.default or "{x}"
        return _apply(self.field_template(field, example) if field else default, inner)

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
            if node.number not in self.lines:
                raise InputError(
                    f"line reference #{node.number} names no earlier line",
                    field="query",
                    hint="number the strategy's lines",
                )
            return self.render(self.lines[node.number], nested=nested)
        finally:
            self._expanding -= 1

    def template(self, node: Template, *, nested: bool) -> str:
        choice = filter_for(node.name, self.engine.name)
        if choice.note:
            self.warn(choice.note)
        if choice.text is not None:
            return f"({choice.text})" if nested else choice.text
        if choice.tree is None:
            return ""
        return self.render(choice.tree, nested=nested)


def _join_parts(parts: list[str | None]) -> str | None:
    """The distinct parts a merged warning concerns, in order."""
    unique = [p for p in dict.fromkeys(parts) if p]
    return "; ".join(unique) if unique else None


def _end_truncation(text: str) -> str:
    """Each word cut at its first wildcard and truncated there (PubMed has no wildcard inside
    a word, nor a single-character one)."""
    words = []
    for word in text.split(" "):
        cut = min((word.find(mark) for mark in _WILDCARD_NAMES if mark in word), default=-1)
        words.append(word if cut < 0 else word[:cut] + UNLIMITED)
    return " ".join(words)


def _apply(template: str, inner: str) -> str:
    """Tag a bracketed group: ``TS=(a OR b)``, ``(a OR b).ti,ab.``, ``(TI (a OR b))``."""
    if "({x})" in template:
        return template.replace("{x}", inner)
    return template.replace("{x}", f"({inner})")
