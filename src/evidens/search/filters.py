"""Named filter templates (``<RCT filter>``), rendered per target.

A filter is validated in one database, so it is written in that database's own syntax rather
than translated: a publication-type line that works in MEDLINE is an invalid value in Embase
(``:it``), Scopus (``DOCTYPE``) or Web of Science (``DT``).

* **MEDLINE (PubMed, Ovid)**: the Cochrane Highly Sensitive Search Strategy for identifying
  randomized trials, sensitivity-maximizing version (2008 revision), as given in the Cochrane
  Handbook for Systematic Reviews of Interventions, Technical Supplement to Chapter 4
  (Lefebvre C, Glanville J, Briscoe S, et al., section 3.6.1). It ORs the two trial publication
  types, the drug-therapy subheading and five text words (randomized, placebo, randomly,
  trial, groups), then removes records indexed as animal studies but not human ones. The
  "precise" variant is the same Handbook's sensitivity- and precision-maximizing version.
* **Embase**: evidens' own short adaptation built on the concepts of the Cochrane Embase RCT
  filter (Glanville J, Foxlee R, Wisniewski S, et al. Translating the Cochrane EMBASE RCT
  filter from the Ovid interface to Embase.com: a case study. Health Info Libr J 2019;36:73-
  90): trial and design headings, random/placebo/blinding/crossover words, minus animal-only
  records. It is *not* the validated filter, and the translation says so.
* **CENTRAL** holds reports of trials already: no filter is needed, and none is added.
* **Registers** (ClinicalTrials.gov, ICTRP) hold trials; their simplified search drops the
  filter (see :mod:`evidens.search.registers`).
* Anywhere else, the MEDLINE filter is translated like the rest of the strategy, with a
  warning that no validated filter for that database was used.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidens.errors import InputError
from evidens.search.ast import Node

FILTERS: dict[str, str] = {
    "rct sensitive": (
        '("randomized controlled trial"[pt] OR "controlled clinical trial"[pt] OR randomized[tiab]'
        ' OR placebo[tiab] OR "drug therapy"[sh] OR randomly[tiab] OR trial[tiab] OR groups[tiab])'
        ' NOT ("Animals"[Mesh] NOT "Humans"[Mesh])'
    ),
    "rct precise": (
        '("randomized controlled trial"[pt] OR "controlled clinical trial"[pt] OR randomized[tiab]'
        ' OR placebo[tiab] OR "Clinical Trials as Topic"[Mesh:NoExp] OR randomly[tiab]'
        ' OR trial[ti]) NOT ("Animals"[Mesh] NOT "Humans"[Mesh])'
    ),
    "sr": (
        '("systematic review"[pt] OR "meta-analysis"[pt] OR "systematic review"[tiab]'
        ' OR "meta-analysis"[tiab] OR metaanalys*[tiab] OR "meta analys*"[tiab])'
    ),
}
# The same filters in a database's own syntax (the Ovid form of the Cochrane HSSS uses .ab.
# for the text words and the floating subheading dt).
NATIVE: dict[tuple[str, str], str] = {
    ("rct sensitive", "ovid"): (
        "((randomized controlled trial or controlled clinical trial).pt. or randomized.ab."
        " or placebo.ab. or dt.fs. or randomly.ab. or trial.ab. or groups.ab.)"
        " not (exp animals/ not humans.sh.)"
    ),
    ("rct precise", "ovid"): (
        "((randomized controlled trial or controlled clinical trial).pt. or randomized.ab."
        " or placebo.ab. or clinical trials as topic.sh. or randomly.ab. or trial.ti.)"
        " not (exp animals/ not humans.sh.)"
    ),
    ("rct sensitive", "embase"): (
        "('randomized controlled trial'/exp OR 'controlled clinical trial'/de"
        " OR 'randomization'/de OR 'double blind procedure'/de OR 'single blind procedure'/de"
        " OR 'crossover procedure'/de OR 'placebo'/de OR random*:ti,ab OR placebo*:ti,ab"
        " OR ((single OR double OR triple) NEXT/1 (blind* OR mask*)):ti,ab"
        " OR crossover*:ti,ab OR 'cross over':ti,ab OR trial:ti)"
        " NOT ('animal'/exp NOT 'human'/exp)"
    ),
    ("rct sensitive", "embase-ovid"): (
        "(exp randomized controlled trial/ or controlled clinical trial/ or randomization/"
        " or double blind procedure/ or single blind procedure/ or crossover procedure/"
        " or placebo/ or random*.ti,ab. or placebo*.ti,ab."
        " or ((single or double or triple) adj (blind* or mask*)).ti,ab."
        " or (crossover* or cross over).ti,ab. or trial.ti.)"
        " not (exp animal/ not exp human/)"
    ),
}
NATIVE[("rct precise", "embase")] = NATIVE[("rct sensitive", "embase")]
NATIVE[("rct precise", "embase-ovid")] = NATIVE[("rct sensitive", "embase-ovid")]
NATIVE[("rct sensitive", "pubmed")] = FILTERS["rct sensitive"]
NATIVE[("rct precise", "pubmed")] = FILTERS["rct precise"]
_VALIDATED = {"pubmed", "ovid"}
_NOT_NEEDED = {"cochrane": "CENTRAL holds reports of trials already"}

ALIASES: dict[str, str] = {
    "rct filter": "rct sensitive",
    "rct": "rct sensitive",
    "cochrane rct filter": "rct sensitive",
    "cochrane rct sensitive": "rct sensitive",
    "cochrane rct precise": "rct precise",
    "sr filter": "sr",
    "systematic review filter": "sr",
}


@dataclass(frozen=True)
class FilterChoice:
    """How a target gets a filter: ``text`` in its own syntax, or ``tree`` to translate, or
    neither (the filter is left out); ``note`` is the warning to attach, if any."""

    text: str | None
    tree: Node | None
    note: str | None


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


def filter_for(name: str, target: str) -> FilterChoice:
    """What ``<name>`` becomes in ``target`` (see the module docstring)."""
    key = filter_key(name)
    if key.startswith("rct") and target in _NOT_NEEDED:
        return FilterChoice(None, None, f"<{name}> left out: {_NOT_NEEDED[target]}")
    native = NATIVE.get((key, target))
    if native is not None:
        note = None
        if key.startswith("rct") and target not in _VALIDATED:
            note = (
                f"<{name}> is evidens' short adaptation of the Cochrane Embase RCT filter"
                " (Glanville et al. 2019), not the validated filter: paste the current"
                " published filter for a Cochrane review"
            )
        return FilterChoice(native, None, note)
    note = None
    if key.startswith("rct"):
        note = (
            f"no validated RCT filter for this database: the Cochrane MEDLINE filter (HSSS)"
            f" in <{name}> was translated term by term; check it or use a filter validated there"
        )
    return FilterChoice(None, filter_tree(name), note)
