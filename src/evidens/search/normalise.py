"""Compare strategies as trees: simplify, then reduce to concept blocks of terms.

Two strategies for different databases never match as strings, and hand-written ones add
redundancy (``x[tiab] OR x[tw]``). :func:`simplify` removes what cannot change the result;
:func:`concept_blocks` turns ``(A OR B) AND (C OR D)`` into one set of search items per
concept; :func:`covers` says whether one term finds everything another finds (``surg*`` covers
``surgery``), which is the test for "same concepts, fields and truncations".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidens.search.ast import OPTIONAL, SINGLE, UNLIMITED, Bool, Heading, Near, Node, Term
from evidens.search.fields import DEFAULT_FIELD
from evidens.search.fields import covers as field_covers


@dataclass(frozen=True)
class Item:
    """One search item of a concept: a free-text term in a field, or a heading."""

    kind: str  # "term" | "heading"
    text: str
    field: str | None = None
    explode: bool = False


def simplify(node: Node, *, dialect: str | None = None) -> Node:
    """Flatten nested AND/OR, drop duplicates and terms a wider field of the same OR covers.

    With ``dialect``, untagged terms take that database's default field first, so that an
    untagged term and a tagged one can be compared.
    """
    if isinstance(node, Term) and node.field is None and dialect is not None:
        return Term(node.text, DEFAULT_FIELD[dialect], node.quoted, node.limit)
    if isinstance(node, Near):
        return Near(
            simplify(node.left, dialect=dialect),
            simplify(node.right, dialect=dialect),
            node.distance,
            node.ordered,
        )
    if not isinstance(node, Bool):
        return node
    operands: list[Node] = []
    for child in (simplify(c, dialect=dialect) for c in node.operands):
        if isinstance(child, Bool) and child.op == node.op and node.op != "NOT":
            operands.extend(child.operands)
        else:
            operands.append(child)
    if node.op == "OR":
        operands = _drop_covered(operands)
    unique = list(dict.fromkeys(operands)) if node.op != "NOT" else operands
    return unique[0] if len(unique) == 1 else Bool(node.op, tuple(unique))


def _drop_covered(operands: list[Node]) -> list[Node]:
    kept: list[Node] = []
    for index, node in enumerate(operands):
        if (
            isinstance(node, Term)
            and node.field is not None
            and any(
                isinstance(other, Term)
                and other is not node
                and other.field is not None
                and _key(other) == _key(node)
                and other.field != node.field
                and field_covers(other.field, node.field)
                for other in operands[:index] + operands[index + 1 :]
            )
        ):
            continue
        kept.append(node)
    return kept


def _key(term: Term) -> tuple[str, int | None]:
    return " ".join(term.text.casefold().split()), term.limit


def concept_blocks(node: Node, *, dialect: str) -> tuple[frozenset[Item], ...]:
    """The AND-ed concepts of a query, each as the set of its OR-ed search items."""
    tree = simplify(node, dialect=dialect)
    blocks = tree.operands if isinstance(tree, Bool) and tree.op == "AND" else (tree,)
    return tuple(frozenset(_items(block)) for block in blocks)


def _items(node: Node) -> list[Item]:
    if isinstance(node, Term):
        return [Item("term", " ".join(node.text.casefold().split()), node.field)]
    if isinstance(node, Heading):
        return [Item("heading", node.term.casefold(), explode=node.explode)]
    if isinstance(node, Bool) and node.op == "OR":
        return [item for child in node.operands for item in _items(child)]
    return [Item("other", repr(node))]


def covers(wide: str, narrow: str) -> bool:
    """True when the (wildcarded) term ``wide`` matches everything the term ``narrow`` does."""
    pattern = "".join(
        {UNLIMITED: r"\S*", SINGLE: r"\S", OPTIONAL: r"\S?"}.get(ch, re.escape(ch))
        for ch in " ".join(wide.split())
    )
    return re.fullmatch(pattern, " ".join(narrow.split())) is not None
