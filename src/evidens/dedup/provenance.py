"""The record kept for a cluster, with what every merged record contributed.

PRISMA 2020 reports how many records each source returned and how many duplicates were
removed; a review also needs every identifier of the article (a PMID from MEDLINE, an
accession from Embase, a DOI from Scopus) to find it again. Nothing is thrown away: the
canonical record is filled from the others only where it is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from evidens.core import Record, normalize_doi
from evidens.dedup.types import Cluster

T = TypeVar("T")


@dataclass(frozen=True)
class MergedRecord:
    """The canonical record of a cluster, completed from its duplicates, with provenance.

    ``sources`` has one entry per merged record (its ``source_database`` or "unknown"), so
    ``sources.count("embase")`` is how many Embase records this article accounts for.
    ``dois`` lists each DOI once in its bare form.
    """

    record: Record
    members: tuple[int, ...]
    canonical: int
    sources: tuple[str, ...]
    dois: tuple[str, ...]
    pmids: tuple[str, ...]
    accessions: tuple[tuple[str, str], ...]
    registry_ids: tuple[str, ...]


_FILLABLE = ("title", "year", "journal", "volume", "issue", "pages", "doi", "pmid", "pmcid")
_FILLABLE_TEXT = ("abstract", "language", "issn")


def merge_provenance(records: Sequence[Record], cluster: Cluster) -> MergedRecord:
    """The canonical record of ``cluster`` with empty fields filled from the other members."""
    members = [records[i] for i in cluster.members]
    canonical = records[cluster.canonical]
    others = [records[i] for i in cluster.members if i != cluster.canonical]
    updates: dict[str, object] = {}
    for name in (*_FILLABLE, *_FILLABLE_TEXT):
        if getattr(canonical, name) in (None, ""):
            value = next((getattr(r, name) for r in others if getattr(r, name)), None)
            if value is not None:
                updates[name] = value
    if not canonical.authors:
        updates["authors"] = next((r.authors for r in others if r.authors), ())
    accessions = _unique(a for r in members for a in r.accessions)
    registry_ids = _unique(t for r in members for t in r.registry_ids)
    updates["accessions"] = accessions
    updates["registry_ids"] = registry_ids
    merged = replace(canonical, **updates)  # type: ignore[arg-type]
    return MergedRecord(
        record=merged,
        members=cluster.members,
        canonical=cluster.canonical,
        sources=tuple(r.source_database or "unknown" for r in members),
        dois=_dois(members),
        pmids=_unique(r.pmid for r in members if r.pmid),
        accessions=accessions,
        registry_ids=registry_ids,
    )


def _dois(members: Sequence[Record]) -> tuple[str, ...]:
    """Each DOI once, in its bare form, whichever way (URL, "doi:", case) sources wrote it."""
    found: dict[str, str] = {}
    for record in members:
        bare = normalize_doi(record.doi)
        if bare:
            found.setdefault(bare.lower(), bare)
    return tuple(found.values())


def _unique(values: Iterable[T]) -> tuple[T, ...]:
    """Values in first-seen order without repeats (a record's identifiers are ordered)."""
    return tuple(dict.fromkeys(values))
