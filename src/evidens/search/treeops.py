"""Small operations on query trees shared by the parser, the strategy reader and the renderers:
combining operands, tagging groups with a field, mapping terms."""

from __future__ import annotations

from collections.abc import Callable

from evidens.search.ast import Bool, BoolOp, Heading, Near, Node, Term


def combine(op: str, left: Node, right: Node) -> Node:
    """``left op right``, flattening runs of the same AND/OR into one n-ary node."""
    if op == "NOT":
        return Bool("NOT", (left, right))
    bool_op: BoolOp = "AND" if op == "AND" else "OR"
    operands = left.operands if isinstance(left, Bool) and left.op == bool_op else (left,)
    return Bool(bool_op, (*operands, right))


def with_fields(node: Node, fields: list[str], headings: tuple[bool, ...] = ()) -> Node:
    """Give every untagged term under ``node`` the fields of a code list: one field, or an
    OR over several (``x.ti,ab,hw.``) plus headings (``.sh.``: not exploded, ``.xm.``)."""

    def tag(term: Term) -> Node:
        if term.field:
            return term
        parts: list[Node] = [Term(term.text, f, term.quoted, term.limit) for f in fields]
        parts.extend(Heading(term.text, explode=explode) for explode in headings)
        return parts[0] if len(parts) == 1 else Bool("OR", tuple(parts))

    return map_terms(node, tag)


def with_field(node: Node, field: str) -> Node:
    """Give every untagged term under ``node`` the field ``field`` (Ovid group tags)."""
    return with_fields(node, [field])


def map_terms(node: Node, change: Callable[[Term], Node]) -> Node:
    """``node`` with every :class:`Term` replaced by ``change(term)``."""
    if isinstance(node, Term):
        return change(node)
    if isinstance(node, Bool):
        return Bool(node.op, tuple(map_terms(child, change) for child in node.operands))
    if isinstance(node, Near):
        return Near(
            map_terms(node.left, change), map_terms(node.right, change), node.distance, node.ordered
        )
    return node


def map_headings(node: Node, change: Callable[[Heading], Node]) -> Node:
    """``node`` with every :class:`Heading` replaced by ``change(heading)``."""
    if isinstance(node, Heading):
        return change(node)
    if isinstance(node, Bool):
        return Bool(node.op, tuple(map_headings(child, change) for child in node.operands))
    return node
