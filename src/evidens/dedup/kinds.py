"""What kind of record this is: an article, a notice about one, a preprint, a registry entry.

Records of different kinds never are one report, even when they share a title or a DOI
(an erratum carries its article's title; a registry entry its trial's). Pure functions of
normalised fields, like :mod:`evidens.dedup.normalize`.
"""

from __future__ import annotations

import re

from evidens.dedup.normalize import CITED_IN_TITLE, fold

_ERRATUM = re.compile(
    r"^(?:erratum|errata|correction|corrigendum|correction to|publisher s note|retraction|"
    r"retracted|notice of retraction|expression of concern)\b"
    r"|\b(?:erratum|correction|corrigendum|retraction)$"
    r"|\bvol \d+ pg \d+"
)
_REPLY = re.compile(
    r"^in reply\b|^reply(?: to\b|$)|^(?:the )?authors? (?:s )?reply\b|^comments? on\b"
    r"|^response to (?:the )?(?:letter|comment|comments|correspondence|editorial|commentary)\b"
    r"|\b(?:authors? )?reply$"
)
_PREPRINT_VENUE = re.compile(
    r"\b(?:medrxiv|biorxiv|arxiv|chemrxiv|psyarxiv|socarxiv|ssrn|research square|preprints|"
    r"osf preprints|authorea|preprint)\b"
)
_PREPRINT_DOI = ("10.1101/", "10.21203/", "10.2139/", "10.48550/", "10.20944/", "10.31234/")
_REGISTRY_ID = re.compile(
    r"\b(NCT\d{8}|ISRCTN\d{8}|ACTRN\d{14}|CTRI/\d{4}/\d{2,3}/\d{6}|ChiCTR[-\w]{6,20}|"
    r"DRKS\d{8}|EUCTR\d{4}-\d{6}-\d{2}|JPRN-\w{6,20}|IRCT\w{6,30}|PACTR\d{15}|"
    r"NTR\d{3,5}|CRD\d{11})\b"
)  # registries print their identifiers in capitals; case-blind search costs 10x
_REGISTRY_VENUE = re.compile(
    r"clinicaltrials\s*\.?\s*gov|\bictrp\b|trial regist|\bisrctn\b|\bprospero\b|"
    r"\banzctr\b|\bchictr\b|\bdrks\b|\beuctr\b|eu clinical trials register"
)


def is_erratum(
    title: str, publication_types: tuple[str, ...] = (), raw_title: str | None = None
) -> bool:
    """Whether the record is a notice about another article (erratum, correction, retraction).

    The notice and the article it corrects usually share the title, but removing the article
    as a "duplicate" of its erratum would lose the article.
    """
    if _ERRATUM.search(title):
        return True
    if raw_title and CITED_IN_TITLE.search(raw_title):  # "Title (vol 360, pg 542, 2009)"
        return True
    kinds = " ".join(fold(t) for t in publication_types)
    return any(k in kinds for k in ("erratum", "retraction of publication", "corrected"))


def is_reply(title: str) -> bool:
    """Whether a normalised title marks a reply or comment on another item ("... - Reply",
    "Reply to ...", "Comment on ..."): it carries that item's title but is another report."""
    return bool(_REPLY.search(title))


def is_preprint(journal: str, doi: str | None) -> bool:
    """Whether the record is a preprint (bioRxiv, medRxiv, SSRN, Research Square, arXiv...).

    The venue decides when there is one; the DOI's prefix only when there is none. A record
    naming a conference or journal with an SSRN DOI describes that paper (SSRN hosts copies
    of published work under its own DOIs).
    """
    if journal:  # a named venue decides: SSRN gives its DOIs to conference papers it hosts
        return bool(_PREPRINT_VENUE.search(journal))
    return doi is not None and doi.startswith(_PREPRINT_DOI)


_PROCEEDINGS = re.compile(
    r"\b(?:proceedings|proc|conference|conf|symposium|workshop|congress|meeting|convention)\b"
)


def is_proceedings(journal: str) -> bool:
    """Whether a venue is a conference: its name varies far more between databases than a
    journal's (edition, year, acronym), so a name mismatch there is weak evidence."""
    return bool(journal) and bool(_PROCEEDINGS.search(journal))


def registry_ids(*texts: str | None) -> frozenset[str]:
    """Trial registry identifiers (NCT, ISRCTN, ACTRN, ChiCTR, ...) mentioned in the texts."""
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(m.replace(" ", "") for m in _REGISTRY_ID.findall(text))
    return frozenset(found)


def is_registry_venue(journal: str) -> bool:
    """Whether a source name is a trial registry rather than a journal."""
    return bool(journal) and bool(_REGISTRY_VENUE.search(journal))
