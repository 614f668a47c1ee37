"""Translate one strategy into each database's syntax: ``translate(query, target=...)``."""

from __future__ import annotations

from dataclasses import dataclass

from evidens.search.ast import Bool, Line, LineRef, Near, Node, Strategy
from evidens.search.engines import Engine, engine, engines
from evidens.search.normalise import simplify as simplify_tree
from evidens.search.render import Renderer
from evidens.search.strategy import parse_strategy

TARGETS = (
    "pubmed",
    "ovid",
    "embase",
    "embase-ovid",
    "scopus",
    "wos",
    "cochrane",
    "cinahl",
    "ictrp",
    "ctgov",
)
_CTGOV_ROLES = ("Condition/disease", "Intervention/treatment")


@dataclass(frozen=True)
class Translation:
    """A strategy rendered for ``target``; ``warnings`` lists every construct that changed.

    Store the warnings with the search record: PRISMA-S item 8 asks for the strategy exactly as
    run, and a warning is where the run differs from the strategy as designed.
    """

    text: str
    tree: Strategy
    warnings: tuple[str, ...]
    source: str = "pubmed"
    target: str = "pubmed"


def translate(
    query: str,
    *,
    source: str = "pubmed",
    target: str,
    simplify: bool = False,
    one_query: bool = False,
) -> Translation:
    """Translate ``query`` (PubMed or Ovid syntax; one line or a numbered strategy).

    ``simplify`` first removes redundancy that cannot change the result (``x[tiab] OR x[tw]``
    becomes ``x[tw]``). ``one_query`` combines a numbered strategy into the single query its
    last line means (what an API call needs). Raises :class:`~evidens.errors.InputError` for
    a query that cannot be read, naming the line and column.
    """
    chosen = engine(target)
    tree = parse_strategy(query, dialect=source)
    if simplify:
        tree = Strategy(
            tuple(
                Line(line.number, simplify_tree(line.node), line.comment)
                if line.node is not None
                else line
                for line in tree.lines
            ),
            tree.numbered,
        )
    renderer = Renderer(
        chosen,
        {
            line.number: line.node
            for line in tree.searches
            if line.number is not None and line.node is not None
        },
    )
    text = _render_strategy(tree, chosen, renderer, one_query=one_query)
    return Translation(text, tree, tuple(renderer.warnings), source, target)


def translate_all(
    query: str, *, source: str = "pubmed", simplify: bool = False
) -> dict[str, Translation]:
    """The query translated for every target database, in :data:`TARGETS` order."""
    names = [name for name in TARGETS if name in engines()]
    return {name: translate(query, source=source, target=name, simplify=simplify) for name in names}


def _render_strategy(
    tree: Strategy, chosen: Engine, renderer: Renderer, *, one_query: bool = False
) -> str:
    searches = tree.searches
    if chosen.line_ref is None or len(searches) == 1 or one_query:
        if len(searches) > 1 and not one_query:
            renderer.warn(
                "has no search history: the strategy's lines were combined into one query"
            )
        final = _inline_lines(tree) if len(searches) > 1 else tree.final
        if chosen.name == "ctgov":
            return _ctgov(final, renderer)
        return renderer.render(final)
    out: list[str] = []
    for line in tree.lines:
        if line.node is None:
            out.append(f"# {line.comment}")
            continue
        label = chosen.line_ref.replace("{n}", str(line.number))
        out.append(f"{label} {renderer.render(line.node)}")
    return "\n".join(out)


def _inline_lines(tree: Strategy) -> Node:
    """The final line with every line reference replaced by the line it names, flattened, for
    targets without a search history (registers)."""
    resolved: dict[int, Node] = {}
    for line in tree.searches:
        if line.node is not None and line.number is not None:
            resolved[line.number] = simplify_tree(_substitute(line.node, resolved))
    return resolved[tree.searches[-1].number] if tree.searches[-1].number else tree.final


def _substitute(node: Node, lines: dict[int, Node]) -> Node:
    if isinstance(node, LineRef) and node.number in lines:
        return lines[node.number]
    if isinstance(node, Bool):
        return Bool(node.op, tuple(_substitute(child, lines) for child in node.operands))
    if isinstance(node, Near):
        return Near(
            _substitute(node.left, lines),
            _substitute(node.right, lines),
            node.distance,
            node.ordered,
        )
    return node


def _ctgov(node: Node, renderer: Renderer) -> str:
    """ClinicalTrials.gov has separate condition and intervention boxes (``query.cond``,
    ``query.intr``): the first AND-ed concept goes to the first, the second to the second,
    any others to "Other terms", and a warning asks a person to check the roles."""
    blocks = node.operands if isinstance(node, Bool) and node.op == "AND" else (node,)
    if len(blocks) == 1:
        return f"Other terms: {renderer.render(node)}"
    renderer.warn(
        "concepts were assigned by position: the first to Condition/disease, the "
        "second to Intervention/treatment; check these roles"
    )
    lines = [
        f"{role}: {renderer.render(block)}"
        for role, block in zip(_CTGOV_ROLES, blocks, strict=False)
    ]
    if len(blocks) > 2:
        rest = Bool("AND", tuple(blocks[2:])) if len(blocks) > 3 else blocks[2]
        lines.append(f"Other terms: {renderer.render(rest)}")
    return "\n".join(lines)
