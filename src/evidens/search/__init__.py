"""Search strategies: one query language, translations to each database's syntax, and connectors to
the databases' APIs.

``translate(query, source="pubmed", target="scopus")`` reads PubMed or Ovid syntax (one line or a
numbered strategy) into one tree (:mod:`evidens.search.ast`) and renders it for a target, with a
warning for every construct the target cannot express. :mod:`evidens.search.connectors` runs
searches where an API exists and returns records plus a :class:`SearchRun` log.
"""

from evidens.search.ast import Bool, Heading, Line, LineRef, Near, Node, Strategy, Template, Term
from evidens.search.normalise import Item, concept_blocks, covers, simplify
from evidens.search.parser import parse_query
from evidens.search.strategy import parse_strategy
from evidens.search.translate import TARGETS, Translation, translate, translate_all

__all__ = [
    "TARGETS",
    "Bool",
    "Heading",
    "Item",
    "Line",
    "LineRef",
    "Near",
    "Node",
    "Strategy",
    "Template",
    "Term",
    "Translation",
    "concept_blocks",
    "covers",
    "parse_query",
    "parse_strategy",
    "simplify",
    "translate",
    "translate_all",
]
