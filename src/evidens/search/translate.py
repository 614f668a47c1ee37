"""Translate one strategy into each database's syntax: ``translate(query, target=...)``."""

from __future__ import annotations

from dataclasses import dataclass

from evidens.search.ast import Bool, Line, LineRef, Near, Node, Strategy, Term
from evidens.search.engines import Engine, engine, engines
from evidens.search.normalise import simplify as simplify_tree
from evidens.search.notes import Approximation
from evidens.search.registers import register_query
from evidens.search.render import Renderer
from evidens.search.strategy import parse_strategy
from evidens.search.treeops import map_terms
from evidens.search.vocabulary import HeadingMap, builtin_headings

TARGETS = (
    "pubmed",
    "ovid",
    "embase",
    "embase-ovid",
    "scopus",
    "scopus-basic",
    "wos",
    "wos-basic",
    "cochrane",
    "cinahl",
    "psycinfo-ovid",
    "psycinfo-ebsco",
    "ebsco",
    "proquest",
    "lilacs",
    "europepmc",
    "epistemonikos",
    "ictrp",
    "ctgov",
)
OVID_FAMILY = ("ovid", "embase-ovid", "psycinfo-ovid")
_CTGOV_ROLES = ("Condition/disease", "Intervention/treatment")


@dataclass(frozen=True)
class Translation:
    """A strategy rendered for ``target``; ``notes`` lists every construct that changed, with
    the part of the query it concerns (``warnings`` is the same as one line each).

    Store the notes with the search record: PRISMA-S item 8 asks for the strategy exactly as
    run, and a warning is where the run differs from the strategy as designed.
    """

    text: str
    tree: Strategy
    warnings: tuple[str, ...]
    source: str = "pubmed"
    target: str = "pubmed"
    notes: tuple[Approximation, ...] = ()

    @property
    def label(self) -> str:
        return engine(self.target).label

    def to_dict(self) -> dict[str, object]:
        """Plain data (JSON-ready) for logging the translation with the search."""
        return {
            "source": self.source,
            "target": self.target,
            "database": self.label,
            "strategy": self.text,
            "warnings": [note.to_dict() for note in self.notes],
        }


def translate(
    query: str,
    *,
    source: str = "pubmed",
    target: str,
    simplify: bool = False,
    one_query: bool = False,
    headings: HeadingMap | None = None,
) -> Translation:
    """Translate ``query`` (PubMed or Ovid syntax; one line or a numbered strategy).

    ``simplify`` first removes redundancy that cannot change the result (``x[tiab] OR x[tw]``
    becomes ``x[tw]``). ``one_query`` combines a numbered strategy into the single query its
    last line means (what an API call needs). ``headings`` adds a review's own heading map
    (:func:`~evidens.search.vocabulary.read_heading_map`) to the built-in one. Raises
    :class:`~evidens.errors.InputError` for a query that cannot be read, naming line and column.
    """
    chosen = engine(target)
    tree = _prepared(parse_strategy(query, dialect=source), simplify=simplify)
    heading_map = builtin_headings().merged(headings) if headings else builtin_headings()
    return _translate_tree(tree, source, chosen, heading_map, one_query=one_query)


def translate_all(
    query: str,
    *,
    source: str = "pubmed",
    simplify: bool = False,
    headings: HeadingMap | None = None,
) -> dict[str, Translation]:
    """The query translated for every target database, in :data:`TARGETS` order (parsed
    once, rendered for each)."""
    tree = _prepared(parse_strategy(query, dialect=source), simplify=simplify)
    heading_map = builtin_headings().merged(headings) if headings else builtin_headings()
    table = engines()
    return {
        name: _translate_tree(tree, source, table[name], heading_map)
        for name in TARGETS
        if name in table
    }


def _prepared(tree: Strategy, *, simplify: bool) -> Strategy:
    if not simplify:
        return tree
    return Strategy(
        tuple(
            Line(line.number, simplify_tree(line.node), line.comment)
            if line.node is not None
            else line
            for line in tree.lines
        ),
        tree.numbered,
    )


def _translate_tree(
    tree: Strategy,
    source: str,
    chosen: Engine,
    headings: HeadingMap,
    *,
    one_query: bool = False,
) -> Translation:
    if source == "ovid" and chosen.name not in OVID_FAMILY:
        tree = _ovid_default_field(tree)
    renderer = Renderer(
        chosen,
        {
            line.number: line.node
            for line in tree.searches
            if line.number is not None and line.node is not None
        },
        headings,
        source=source,
    )
    text = _render_strategy(tree, chosen, renderer, one_query=one_query)
    notes = renderer.notes
    return Translation(text, tree, tuple(str(n) for n in notes), source, chosen.name, notes)


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
        if chosen.register:
            return _register(final, chosen, renderer)
        return renderer.render(final)
    out: list[str] = []
    for line in tree.lines:
        if line.node is None:
            out.append(f"# {line.comment}")
            continue
        renderer.line = line.number
        label = chosen.line_ref.replace("{n}", str(line.number))
        out.append(f"{label} {renderer.render(line.node)}")
    renderer.line = None
    return "\n".join(out)


def _ovid_default_field(tree: Strategy) -> Strategy:
    """Ovid searches a word typed without a field code in its default fields (``.mp.``:
    title, abstract, headings, keywords...), so for another database an untagged Ovid word is
    a text-word search, not that database's own default."""

    def tag(term: Term) -> Term:
        return term if term.field else Term(term.text, "tw", term.quoted, term.limit)

    return Strategy(
        tuple(
            Line(line.number, map_terms(line.node, tag), line.comment)
            if line.node is not None
            else line
            for line in tree.lines
        ),
        tree.numbered,
    )


def _register(node: Node, chosen: Engine, renderer: Renderer) -> str:
    simple = register_query(node, chosen.name, renderer.warn)
    if simple is None:
        renderer.warn("nothing is left to search once filters are left out")
        return ""
    if chosen.name == "ctgov":
        return _ctgov(simple, renderer)
    return renderer.render(simple)


def _inline_lines(tree: Strategy) -> Node:
    """The final line with every line reference replaced by the line it names, flattened, for
    targets without a search history."""
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
