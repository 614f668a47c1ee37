"""Rendering proximity: each engine's operator and its own way of counting.

The tree stores the largest number of words allowed *between* two terms; ``engines.json``
writes it as ``{n}`` (PubMed, Cochrane, Scopus, Web of Science, EBSCO, ProQuest) or ``{n1}`` =
n + 1 (Ovid ``adjN``; Embase.com ``NEAR/n`` and ``NEXT/n``, whose help says ``NEAR/5`` allows at
most four words between). A field tag on a proximity group applies to the whole group
(``((a OR b) NEAR/2 c):ti,ab``), never to each side. PubMed and Europe PMC take proximity only
as a quoted pair of words, so ORs of plain words are expanded into every pair.
"""

from __future__ import annotations

from evidens.search.ast import Bool, Near, Node, Term
from evidens.search.engines import Engine

_PUBMED_PROXIMITY_FIELDS = {"ti": "ti", "tiab": "tiab", "tiabkw": "tiab", "ad": "ad"}
MAX_PROXIMITY_PAIRS = 36


class ProximityRenderer:
    """Mixin of :class:`~evidens.search.render.Renderer` for ``Near`` nodes."""

    engine: Engine
    _bare: bool

    def warn(self, message: str, part: str | None = None) -> None:  # pragma: no cover
        raise NotImplementedError

    def render(self, node: Node, *, nested: bool = False) -> str:  # pragma: no cover
        raise NotImplementedError

    def term(self, term: Term, *, bare: bool = False, nested: bool = False) -> str:
        raise NotImplementedError  # pragma: no cover

    def boolean(self, node: Bool, *, nested: bool) -> str:  # pragma: no cover
        raise NotImplementedError

    def groupable(self, field: str | None) -> bool:  # pragma: no cover
        raise NotImplementedError

    def field_template(self, field: str, text: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def tag_group(self, field: str | None, inner: str, example: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def near(self, node: Near, *, nested: bool) -> str:
        engine = self.engine
        left, right = node.left, node.right
        gap = node.distance or 0
        adjacent = node.ordered and gap == 0
        pair = _same_field_terms(node)
        if adjacent and pair and "adjacent" not in engine.near and engine.quote:
            # Words next to each other in order are a phrase in every engine with quotes.
            first, second = pair
            return self.term(Term(f"{first.text} {second.text}", first.field, True, second.limit))
        if engine.name == "pubmed" or engine.near_terms_only:
            return self.phrase_proximity(node, nested=nested)
        key = "adjacent" if adjacent else "ordered" if node.ordered else "unordered"
        if key == "ordered" and key not in engine.near and "unordered" in engine.near:
            self.warn("cannot keep word order in proximity: searched in either order (wider)")
            key = "unordered"
        counts_both = "{n1}" in engine.near.get("ordered", "")
        if key == "adjacent" and key not in engine.near and counts_both:
            # Embase.com NEXT/1: within one word, in order, is next to each other exactly.
            key = "ordered"
        if key == "adjacent" and key not in engine.near and "unordered" in engine.near:
            self.warn("has no ordered adjacency: searched next to each other in either order")
            key = "unordered"
        if key not in engine.near:
            self.warn("has no proximity operator: searched as AND (wider)")
            return self.boolean(Bool("AND", (left, right)), nested=nested)
        template = engine.near[key].replace("{n1}", str(gap + 1)).replace("{n}", str(gap))
        uniform = _uniform_field(node)
        if uniform is not None and not pair and self.groupable(uniform[0]):
            # ((a OR b) adj3 c).ti,ab. : the field applies to the whole proximity group.
            self._bare = True
            try:
                inner = template.replace("{l}", self.render(left, nested=True)).replace(
                    "{r}", self.render(right, nested=True)
                )
            finally:
                self._bare = False
            return self.tag_group(uniform[0], inner, uniform[1])
        if pair and self.groupable(pair[0].field):
            inner = template.replace("{l}", self.term(pair[0], bare=True)).replace(
                "{r}", self.term(pair[1], bare=True)
            )
            return self.tag_group(pair[0].field, inner, pair[0].text)
        text = template.replace("{l}", self.render(left, nested=True)).replace(
            "{r}", self.render(right, nested=True)
        )
        return f"({text})" if nested else text

    def phrase_proximity(self, node: Near, *, nested: bool) -> str:
        """PubMed ``"a b"[tiab:~N]`` and Lucene ``"a b"~N`` (Europe PMC) take two plain words;
        ORs of plain words are expanded into every pair (exactly the same search)."""
        gap = node.distance or 0
        left, right = _plain_words(node.left), _plain_words(node.right)
        fields = {t.field for t in (*(left or ()), *(right or ()))}
        field = next(iter(fields)) if len(fields) == 1 else None
        fits = left is not None and right is not None and len(fields) == 1
        fits = fits and len(left or ()) * len(right or ()) <= MAX_PROXIMITY_PAIRS
        if self.engine.name == "pubmed":
            fits = fits and (field or "") in _PUBMED_PROXIMITY_FIELDS
        if not fits or left is None or right is None:
            self.warn(
                "proximity takes plain untruncated words in one field here: searched as AND (wider)"
            )
            return self.boolean(Bool("AND", (node.left, node.right)), nested=nested)
        if node.ordered:
            self.warn("cannot keep word order in proximity: searched in either order (wider)")
        if self.engine.name == "pubmed":
            self.field_template(field or "tiabkw", left[0].text)
            tag = _PUBMED_PROXIMITY_FIELDS[field or ""]
            phrases = [f'"{a.text} {b.text}"[{tag}:~{gap}]' for a in left for b in right]
        else:
            template = self.field_template(field, left[0].text) if field else "{x}"
            phrases = [
                template.replace("{x}", f'"{a.text} {b.text}"~{gap}') for a in left for b in right
            ]
        if len(phrases) == 1:
            return phrases[0]
        text = " OR ".join(phrases)
        return f"({text})" if nested else text


def _plain_words(node: Node) -> list[Term] | None:
    """The words of a single untruncated word or an OR of them, else ``None``."""
    items = node.operands if isinstance(node, Bool) and node.op == "OR" else (node,)
    words = [t for t in items if isinstance(t, Term) and not t.truncated and " " not in t.text]
    return words if len(words) == len(items) else None


def _uniform_field(node: Node) -> tuple[str | None, str] | None:
    """(field, an example term) when every term under ``node`` is searched in one field and
    nothing else (headings, references) is there; ``None`` otherwise."""
    fields: set[str | None] = set()
    example = ""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Term):
            fields.add(current.field)
            example = current.text
        elif isinstance(current, Near):
            stack.extend((current.left, current.right))
        elif isinstance(current, Bool) and current.op != "NOT":
            stack.extend(current.operands)
        else:
            return None
    return (fields.pop(), example) if len(fields) == 1 else None


def _same_field_terms(node: Near) -> tuple[Term, Term] | None:
    """The two operands when both are terms of the same field."""
    left, right = node.left, node.right
    if isinstance(left, Term) and isinstance(right, Term) and left.field == right.field:
        return left, right
    return None
