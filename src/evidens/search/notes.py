"""Approximations: what a translation could not say exactly, tied to the engine and the part
of the query it concerns, so a reader of the strategy (and PRISMA-S item 8) sees where the run
differs from the strategy as designed."""

from __future__ import annotations

from dataclasses import dataclass

from evidens.search.ast import Bool, Heading, LineRef, Near, Node, Template, Term
from evidens.search.fields import INTENTS
from evidens.search.vocabulary import vocabulary_label

MAX_PART_CHARS = 120
_SHORT = {
    "tiabkw": "title/abstract/keywords",
    "tiab": "title/abstract",
    "tw": "text words",
    "kw": "keywords",
}


@dataclass(frozen=True)
class Approximation:
    """One warning: ``engine`` is the target id, ``part`` the construct concerned (as a short
    description of the source query) and ``line`` the strategy line, where known."""

    engine: str
    label: str
    message: str
    part: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "message": self.message,
            "part": self.part,
            "line": self.line,
        }


def describe(node: Node) -> str:
    """A short, engine-neutral description of a part of a query (for warnings)."""
    text = _describe(node)
    return text if len(text) <= MAX_PART_CHARS else text[: MAX_PART_CHARS - 1] + "…"


def _describe_term(node: Term) -> str:
    shown = f'"{node.text}"' if node.quoted or " " in node.text else node.text
    if not node.field:
        return shown
    return f"{shown} [{_SHORT.get(node.field) or INTENTS.get(node.field, node.field)}]"


def _describe(node: Node) -> str:
    if isinstance(node, Term):
        return _describe_term(node)
    if isinstance(node, Heading):
        flags = ("exploded" if node.explode else "not exploded") + (
            ", major topic" if node.major else ""
        )
        quals = f" /{', '.join(node.qualifiers)}" if node.qualifiers else ""
        return f"{vocabulary_label(node.vocabulary)} heading {node.term!r}{quals} ({flags})"
    if isinstance(node, Near):
        order = "in order" if node.ordered else "any order"
        return (
            f"{_describe(node.left)} within {node.distance or 0} words of "
            f"{_describe(node.right)} ({order})"
        )
    if isinstance(node, LineRef):
        return f"line {node.number}"
    if isinstance(node, Template):
        return f"<{node.name}>"
    assert isinstance(node, Bool)
    return f" {node.op} ".join(_describe(child) for child in node.operands)
