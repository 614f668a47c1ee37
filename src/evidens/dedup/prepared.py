"""A record's matching view: every field normalised once, before any pair is compared."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from evidens.core import Record, doi_key
from evidens.dedup import kinds
from evidens.dedup import normalize as nz

_PMID = re.compile(r"^\d{1,9}$")


@dataclass(frozen=True, slots=True)
class Prepared:
    """Normalised fields of one record plus its kind (article, erratum, preprint, registry)."""

    title: str
    title_alt: str
    translated: bool
    title_key: str
    generic: bool
    authors: tuple[str, ...]
    author_text: str
    author_names: str
    year: int | None
    journal: tuple[str, ...]
    volume: str
    issue: str
    first_page: str
    last_page: str
    page_starts: frozenset[str]
    doi: str | None
    doi_shared: bool
    """The DOI is carried by records of different articles here (a supplement's DOI)."""
    pmid: str | None
    erratum: bool
    reply: bool
    short_item: bool
    """One page or a supplement: a meeting abstract or a notice rather than a full paper."""
    preprint: bool
    proceedings: bool
    registry: bool
    trial_ids: frozenset[str]
    completeness: int
    sort_key: tuple[str, ...]


def prepare(record: Record) -> Prepared:
    """Normalise a record for matching; the sort key makes results input-order-invariant."""
    title = nz.normalize_title(record.title)
    authors = nz.normalize_authors(record.authors)
    journal = nz.normalize_journal(record.journal)
    journal_text = " ".join(journal)
    first, last = nz.normalize_pages(record.pages)
    doi = doi_key(record.doi)
    pmid = (record.pmid or "").strip()
    trial_ids = kinds.registry_ids(*record.registry_ids, record.title, record.abstract)
    registry = kinds.is_registry_venue(journal_text) or (
        bool(record.registry_ids) and not record.journal and not record.doi
    )
    prepared_fields = (title, " ".join(authors), journal_text, first, doi or "", pmid)
    return Prepared(
        title=title,
        title_alt=nz.alternative_title(record.title),
        translated=nz.is_translated_title(record.title),
        title_key=title.replace(" ", ""),
        generic=nz.is_generic_title(title),
        authors=authors,
        author_text=" ".join(authors),
        author_names=nz.author_name_words(record.authors),
        year=record.year,
        journal=journal,
        volume=nz.normalize_volume(record.volume),
        issue=nz.normalize_volume(record.issue),
        first_page=first,
        last_page=last,
        page_starts=nz.page_starts(record.pages),
        doi=doi,
        doi_shared=False,
        pmid=pmid if _PMID.match(pmid) else None,
        erratum=kinds.is_erratum(title, record.publication_types, record.title),
        reply=kinds.is_reply(title),
        short_item=_short_item(first, last, record.volume, record.issue),
        preprint=kinds.is_preprint(journal_text, doi),
        proceedings=kinds.is_proceedings(journal_text),
        registry=registry,
        trial_ids=trial_ids,
        completeness=_completeness(record),
        sort_key=(*prepared_fields, repr(record)),
    )


def _short_item(first: str, last: str, volume: str | None, issue: str | None) -> bool:
    """A single printed page or a supplement issue: how abstracts and notices are printed."""
    if "suppl" in f"{volume} {issue}".lower():
        return True
    number = first[1:] if first[:1] in ("s", "a") else first  # "S354", "A111"
    return number.isdigit() and last in ("", first)


def _completeness(record: Record) -> int:
    """How much a record says: the most complete member of a cluster is kept as canonical."""
    filled = [
        record.title,
        record.journal,
        record.volume,
        record.issue,
        record.pages,
        record.doi,
        record.pmid,
        record.abstract,
        record.issn,
        record.year,
    ]
    score = 10 * sum(1 for value in filled if value)
    score += min(len(record.authors), 5) + len(record.accessions)
    return score + min(len(record.abstract or ""), 2000) // 200


def mark_shared_dois(prepared: list[Prepared]) -> list[Prepared]:
    """Flag DOIs that records with different first pages or titles carry.

    Conference abstracts printed in a journal supplement often all carry the supplement's
    DOI; once two records under one DOI are seen on different pages, that DOI no longer
    identifies an article for any pair in the input.
    """
    by_doi: dict[str, list[int]] = {}
    for index, p in enumerate(prepared):
        if p.doi:
            by_doi.setdefault(p.doi, []).append(index)
    shared = set()
    for doi, members in by_doi.items():
        pages = {prepared[i].first_page for i in members if _has_digit(prepared[i].first_page)}
        titles = {prepared[i].title_key for i in members if prepared[i].title_key}
        if len(pages) > 1 and len(titles) > 1:
            shared.add(doi)
    return [replace(p, doi_shared=True) if p.doi in shared else p for p in prepared]


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)
