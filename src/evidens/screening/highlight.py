"""Highlight lists: a review's include and exclude terms, marked in a record's title/abstract.

Screeners decide faster and more consistently when the words that matter stand out. Terms are
whole words, matched case-insensitively; ``*`` stands for any run of word characters and ``?``
for exactly one (``random*`` matches *randomised* and *randomized*). The result is a list of
character spans, so the terminal and the web app can render them with their own escaping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from evidens.errors import ValidationError

MAX_TERMS = 500
MAX_TERM_LENGTH = 100


class TermKind(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` matched ``term`` of kind ``kind`` in ``field``."""

    field: str
    start: int
    end: int
    kind: TermKind
    term: str


@dataclass(frozen=True)
class HighlightList:
    """A review's compiled highlight terms; build once with :func:`compile_terms`."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]
    pattern: re.Pattern[str] | None


def _term_regex(term: str) -> str:
    parts = []
    for char in term:
        if char == "*":
            parts.append(r"\w*")
        elif char == "?":
            parts.append(r"\w")
        elif char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return r"(?<!\w)" + "".join(parts) + r"(?!\w)"


def _clean(terms: Sequence[str], kind: TermKind) -> tuple[str, ...]:
    cleaned: list[str] = []
    for position, raw in enumerate(terms, start=1):
        term = " ".join(raw.split())
        if not term.replace(" ", "").strip("*?"):
            raise ValidationError(
                f"{kind.value} term {position} ({raw!r}) matches nothing or everything",
                field=f"highlight.{kind.value}",
                hint="use words, optionally with * or ? wildcards, e.g. random*",
            )
        if len(term) > MAX_TERM_LENGTH:
            raise ValidationError(
                f"{kind.value} term {position} is {len(term)} characters long",
                field=f"highlight.{kind.value}",
                hint=f"keep terms under {MAX_TERM_LENGTH} characters",
            )
        cleaned.append(term)
    return tuple(cleaned)


def compile_terms(include: Sequence[str], exclude: Sequence[str]) -> HighlightList:
    """Check and compile include/exclude terms into one regular expression.

    Longer terms are tried first so that "randomised controlled trial" wins over "trial".
    """
    if len(include) + len(exclude) > MAX_TERMS:
        raise ValidationError(
            f"{len(include) + len(exclude)} highlight terms given",
            field="highlight",
            hint=f"keep the list under {MAX_TERMS} terms",
        )
    inc = _clean(include, TermKind.INCLUDE)
    exc = _clean(exclude, TermKind.EXCLUDE)
    named = [(t, f"i{n}") for n, t in enumerate(inc)] + [(t, f"e{n}") for n, t in enumerate(exc)]
    if not named:
        return HighlightList(inc, exc, None)
    named.sort(key=lambda pair: -len(pair[0]))
    source = "|".join(f"(?P<{name}>{_term_regex(term)})" for term, name in named)
    return HighlightList(inc, exc, re.compile(source, re.IGNORECASE))


def highlight(text: str, terms: HighlightList, field: str = "text") -> tuple[Span, ...]:
    """Non-overlapping spans of ``terms`` in ``text``, left to right."""
    if terms.pattern is None or not text:
        return ()
    spans: list[Span] = []
    for match in terms.pattern.finditer(text):
        name = match.lastgroup
        if name is None:
            continue
        kind = TermKind.INCLUDE if name[0] == "i" else TermKind.EXCLUDE
        index = int(name[1:])
        term = terms.include[index] if kind is TermKind.INCLUDE else terms.exclude[index]
        spans.append(Span(field, match.start(), match.end(), kind, term))
    return tuple(spans)


def highlight_record(title: str, abstract: str, terms: HighlightList) -> tuple[Span, ...]:
    """Spans in a record's title (field ``title``) and abstract (field ``abstract``)."""
    return highlight(title, terms, "title") + highlight(abstract, terms, "abstract")
