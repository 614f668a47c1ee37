"""The simplified strategy a trial register's search box accepts (ClinicalTrials.gov, WHO ICTRP).

Registers index trials with a few fields and little syntax. The Cochrane Handbook (Technical
Supplement to Chapter 4, on trials registers) advises simple, sensitive searches there: a
bibliographic strategy pasted as it is finds nothing or fails. So, before rendering:

* the strategy's lines are combined into one query;
* design filters (``<RCT filter>``, publication types) and the animal-study exclusion are left
  out: a register holds trials (use its own study-type filter);
* field tags and proximity are removed (registers search their own fields);
* subject headings become their words, in natural order ("Spasms, Infantile" -> "Infantile
  Spasms"): ClinicalTrials.gov maps condition words to MeSH itself;
* truncated stems are left out for ClinicalTrials.gov, which has no truncation (``epilep``
  would match nothing), and kept for ICTRP, whose portal accepts ``*``;
* the query is reduced to concept blocks ``(a OR b) AND (c OR d)``.

Each step that changes something adds a warning naming what it changed.
"""

from __future__ import annotations

from collections.abc import Callable

from evidens.search.ast import UNLIMITED, Bool, Heading, LineRef, Near, Node, Template, Term, walk
from evidens.search.normalise import simplify

_ANIMAL_HEADINGS = {"animals", "humans", "animal", "human"}

Warn = Callable[[str, str | None], None]


def register_query(node: Node, target: str, warn: Warn) -> Node | None:
    """``node`` simplified for the register ``target`` (``ctgov`` or ``ictrp``)."""
    stripped = _strip(_drop_design_blocks(simplify(node), warn), warn)
    if stripped is None:
        return None
    tree = simplify(stripped)
    blocks = tree.operands if isinstance(tree, Bool) and tree.op == "AND" else (tree,)
    kept: list[Node] = []
    for block in blocks:
        simple = _drop_stems(block, warn) if target == "ctgov" else block
        if target == "ictrp" and _nested(simple):
            warn("the ICTRP search box may not read brackets inside a concept: check it", None)
        kept.append(simple)
    tree = kept[0] if len(kept) == 1 else Bool("AND", tuple(kept))
    return _dedupe(simplify(tree))


def _drop_design_blocks(node: Node, warn: Warn) -> Node:
    """An AND-ed concept that holds a publication type or a filter template is a study-design
    filter written out (the HSSS lines of a strategy): a register holds trials, so the whole
    concept goes, not only its publication types (its words alone would narrow at random)."""
    if not (isinstance(node, Bool) and node.op in ("AND", "NOT")):
        return node
    if node.op == "NOT":
        return Bool("NOT", (_drop_design_blocks(node.operands[0], warn), node.operands[1]))
    kept = []
    for block in node.operands:
        design = any(
            isinstance(n, Template) or (isinstance(n, Term) and n.field == "pt")
            for n in walk(block)
        )
        if design and isinstance(block, Bool):
            warn(
                "the study-design concept (a filter written out) left out: a register holds"
                " trials; use its study-type filter",
                None,
            )
            continue
        kept.append(_drop_design_blocks(block, warn))
    if not kept:
        return node
    return kept[0] if len(kept) == 1 else Bool("AND", tuple(kept))


def _nested(block: Node) -> bool:
    return isinstance(block, Bool) and any(isinstance(child, Bool) for child in block.operands)


def _dedupe(node: Node) -> Node:
    """Terms that differ only in case ("Infantile Spasms", "infantile spasms") kept once."""
    if not isinstance(node, Bool) or node.op == "NOT":
        return node
    seen: dict[object, Node] = {}
    for child in (_dedupe(c) for c in node.operands):
        key = (child.text.casefold(), child.limit) if isinstance(child, Term) else child
        seen.setdefault(key, child)
    kept = tuple(seen.values())
    return kept[0] if len(kept) == 1 else Bool(node.op, kept)


def _strip(node: Node, warn: Warn) -> Node | None:
    """Filters, fields, headings and proximity removed, as the module docstring says."""
    if isinstance(node, Template):
        warn(f"<{node.name}> left out: a register holds trials; use its study-type filter", None)
        return None
    if isinstance(node, Term):
        return _strip_term(node, warn)
    if isinstance(node, Heading):
        words = natural_order(node.term)
        warn(f"heading {node.term!r} searched as the words {words!r}", node.term)
        return Term(words, None, quoted=" " in words)
    if isinstance(node, Near):
        warn("proximity removed: the terms are AND-ed", None)
        return _strip(Bool("AND", (node.left, node.right)), warn)
    if isinstance(node, LineRef):
        return node
    return _strip_bool(node, warn)


def _strip_term(node: Term, warn: Warn) -> Node | None:
    if node.field in ("pt", "dp", "la", "sb"):
        warn(
            f"limit {node.text!r} ({node.field}) left out: apply the register's own filters",
            node.text,
        )
        return None
    if node.field is not None:
        warn("field tags removed: the register searches its own fields", None)
    return Term(node.text, None, node.quoted, node.limit)


def _strip_bool(node: Bool, warn: Warn) -> Node | None:
    if node.op == "NOT" and _is_animal_exclusion(node.operands[1]):
        warn("the animal-study exclusion (NOT animals) left out: registers hold human trials", None)
        return _strip(node.operands[0], warn)
    if node.op == "NOT":
        left, right = _strip(node.operands[0], warn), _strip(node.operands[1], warn)
        if left is None or right is None:
            return left
        return Bool("NOT", (left, right))
    parts = [part for part in (_strip(child, warn) for child in node.operands) if part]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Bool(node.op, tuple(parts))


def _is_animal_exclusion(node: Node) -> bool:
    if isinstance(node, Heading):
        return node.term.casefold() in _ANIMAL_HEADINGS
    if isinstance(node, Bool):
        return all(_is_animal_exclusion(child) for child in node.operands)
    return False


def _drop_stems(block: Node, warn: Warn) -> Node:
    """ClinicalTrials.gov has no truncation: alternatives holding a truncated stem are left
    out of an OR block, or kept without the ``*`` (with a warning) when nothing else is left."""
    terms = block.operands if isinstance(block, Bool) and block.op == "OR" else (block,)
    stems = [t for t in terms if _has_stem(t)]
    if not stems:
        return block
    rest = [t for t in terms if t not in stems]
    names = ", ".join(
        n.text for t in stems for n in walk(t) if isinstance(n, Term) and UNLIMITED in n.text
    )
    if rest:
        warn(
            f"ClinicalTrials.gov has no truncation: the stems {names} were left out "
            "(add the whole words they stand for)",
            names,
        )
        return rest[0] if len(rest) == 1 else Bool("OR", tuple(rest))
    warn(
        f"ClinicalTrials.gov has no truncation and this concept has only stems ({names}): "
        "searched without the *; replace them with whole words",
        names,
    )
    return block


def _has_stem(node: Node) -> bool:
    return any(isinstance(n, Term) and UNLIMITED in n.text for n in walk(node))


def natural_order(heading: str) -> str:
    """``Spasms, Infantile`` -> ``Infantile Spasms``: MeSH's inverted form, read as words."""
    head, comma, tail = heading.partition(", ")
    if not comma or "," in tail:
        return heading
    return f"{tail} {head}"
