"""One query tree for every database syntax.

The node types mirror what a search strategy is made of (terms, subject headings, Boolean and
proximity operators, references to earlier lines, named filter templates) rather than how any
one vendor spells them, so that a strategy written for PubMed or Ovid can be rendered for any
target and compared with another target's strategy as a tree.

Wildcards inside :attr:`Term.text` use one canonical spelling, whatever the source wrote:
``*`` unlimited truncation, ``?`` exactly one character, ``%`` zero or one character.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BoolOp = Literal["AND", "OR", "NOT"]

UNLIMITED = "*"
SINGLE = "?"
OPTIONAL = "%"
WILDCARDS = (UNLIMITED, SINGLE, OPTIONAL)


@dataclass(frozen=True)
class Term:
    """Free text searched in a field intent (see :mod:`evidens.search.fields`).

    ``field`` is ``None`` when the source gave no tag, which means "the engine's default", a
    different thing in each database. ``limit`` is Ovid's ``$n`` (at most n more characters).
    """

    text: str
    field: str | None = None
    quoted: bool = False
    limit: int | None = None

    @property
    def truncated(self) -> bool:
        return any(mark in self.text for mark in WILDCARDS)


@dataclass(frozen=True)
class Heading:
    """A controlled-vocabulary descriptor (MeSH, Emtree, CINAHL Headings), optionally limited
    to qualifiers (MeSH subheadings, full names such as "drug therapy")."""

    term: str
    vocabulary: str = "mesh"
    explode: bool = True
    major: bool = False
    qualifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bool:
    """AND/OR over two or more operands; NOT has exactly two (keep left, remove right)."""

    op: BoolOp
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Near:
    """Proximity: at most ``distance`` words *between* the operands (0 or ``None`` = next to
    each other); ``ordered`` keeps the left operand first. Vendors count differently (Ovid
    ``adj3`` is distance 2, PubMed ``[tiab:~3]`` distance 3): parsers and renderers convert."""

    left: Node
    right: Node
    distance: int | None = None
    ordered: bool = False


@dataclass(frozen=True)
class LineRef:
    """A reference to an earlier numbered line of the strategy (``#3``, ``3``, ``S3``)."""

    number: int


@dataclass(frozen=True)
class Template:
    """A named filter block such as ``<RCT filter>``, expanded per target."""

    name: str


Node = Term | Heading | Bool | Near | LineRef | Template


@dataclass(frozen=True)
class Line:
    """One line of a strategy: a numbered search, or a comment when ``node`` is ``None``."""

    number: int | None
    node: Node | None
    comment: str | None = None


@dataclass(frozen=True)
class Strategy:
    """A whole strategy; a one-line query is a strategy of one line."""

    lines: tuple[Line, ...]
    numbered: bool = False

    @property
    def searches(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.node is not None)

    @property
    def final(self) -> Node:
        """The last search line: what the strategy retrieves."""
        return self.searches[-1].node  # type: ignore[return-value]


def walk(node: Node) -> tuple[Node, ...]:
    """Every node of the subtree, parents first (for checks and tests)."""
    found: list[Node] = [node]
    if isinstance(node, Bool):
        for child in node.operands:
            found.extend(walk(child))
    elif isinstance(node, Near):
        found.extend(walk(node.left))
        found.extend(walk(node.right))
    return tuple(found)
