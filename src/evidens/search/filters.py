"""Named filter templates (``<RCT filter>``), written once in PubMed syntax and translated to
each target like any other part of a strategy, so every database gets the same filter and every
construct a target cannot express is reported.

The lines are evidens' own: they follow the idea of the Cochrane Highly Sensitive Search
Strategies for randomized trials (publication type, randomisation words, placebo, trial and group
words, and removal of animal-only records) but are not a copy of the published text. An
information specialist should check them against the current Cochrane Handbook before use.
"""

from __future__ import annotations

from evidens.errors import InputError
from evidens.search.ast import Node

FILTERS: dict[str, str] = {
    "rct sensitive": (
        '("randomized controlled trial"[pt] OR "controlled clinical trial"[pt] OR randomized[tiab]'
        " OR randomised[tiab] OR randomly[tiab] OR placebo[tiab] OR trial[tiab] OR groups[tiab]"
        ' OR "drug therapy"[sh]) NOT ("Animals"[Mesh] NOT "Humans"[Mesh])'
    ),
    "rct precise": (
        '("randomized controlled trial"[pt] OR "controlled clinical trial"[pt] OR randomized[tiab]'
        ' OR randomised[tiab] OR placebo[tiab] OR "Randomized Controlled Trials as Topic"'
        '[Mesh:NoExp] OR randomly[tiab] OR trial[ti]) NOT ("Animals"[Mesh] NOT "Humans"[Mesh])'
    ),
    "sr": (
        '("systematic review"[pt] OR "meta-analysis"[pt] OR "systematic review"[tiab]'
        ' OR "meta-analysis"[tiab] OR metaanalys*[tiab] OR "meta analys*"[tiab])'
    ),
}
ALIASES: dict[str, str] = {
    "rct filter": "rct sensitive",
    "rct": "rct sensitive",
    "cochrane rct filter": "rct sensitive",
    "cochrane rct sensitive": "rct sensitive",
    "cochrane rct precise": "rct precise",
    "sr filter": "sr",
    "systematic review filter": "sr",
}


def filter_key(name: str) -> str:
    """Canonical key of a template name (case, spaces and the word 'filter' ignored)."""
    key = " ".join(name.lower().replace("-", " ").split())
    key = ALIASES.get(key, key)
    if key not in FILTERS:
        known = ", ".join(f"<{k}>" for k in (*FILTERS, *ALIASES))
        raise InputError(
            f"unknown filter template <{name}>", field="query", hint=f"use one of {known}"
        )
    return key


def filter_tree(name: str) -> Node:
    """The template's query tree (parsed from its PubMed text)."""
    from evidens.search.parser import parse_query

    return parse_query(FILTERS[filter_key(name)], dialect="pubmed")
