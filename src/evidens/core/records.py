"""Bibliographic records as imported from a database or register export.

A :class:`Record` is what one line-up of tags in one export file says about one article or
trial registration. It is immutable; de-duplication groups records into clusters instead of
editing them, so the evidence of what each source returned is never lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

RawField = tuple[str, str]
"""A field exactly as the file had it: (tag or column name, value), in file order."""

_DOI_PREFIX = re.compile(
    r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|https?://doi\.org/)", re.IGNORECASE
)
_DOI_SUFFIX = re.compile(r"\s*\[doi\]\s*$", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")


def normalize_doi(value: str | None) -> str | None:
    """Bare ``10.x/y`` form of a DOI written in any vendor's way, case kept.

    Vendors write bare DOIs, ``http://dx.doi.org/`` URLs (Ovid), ``https://doi.org/`` URLs
    (OpenAlex), ``10.x/y [doi]`` (MEDLINE) or escaped underscores (WoS BibTeX). Storage keeps
    the case; :func:`doi_key` lowercases for matching only. Returns ``None`` for anything
    that is not shaped like a DOI, so a junk value never becomes a matching key.
    """
    if value is None:
        return None
    text = value.strip().replace("\\_", "_")
    text = _DOI_SUFFIX.sub("", text)
    text = _DOI_PREFIX.sub("", text).strip().rstrip(".")
    return text if _DOI_SHAPE.match(text) else None


def doi_key(value: str | None) -> str | None:
    """The DOI as a case-insensitive matching key (DOIs are case-insensitive by spec)."""
    doi = normalize_doi(value)
    return doi.lower() if doi else None


@dataclass(frozen=True)
class Record:
    """One bibliographic record, mapped to common fields with every raw field kept verbatim.

    Identifiers are kept apart per database because PRISMA and de-duplication need to know
    which source said what: ``accessions`` maps a database name (``embase``, ``wos``,
    ``scopus``, ``central``, ``eric``, ...) to its accession number.
    """

    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    accessions: tuple[tuple[str, str], ...] = ()
    registry_ids: tuple[str, ...] = ()
    abstract: str | None = None
    keywords: tuple[str, ...] = ()
    subject_headings: tuple[str, ...] = ()
    language: str | None = None
    publication_types: tuple[str, ...] = ()
    issn: str | None = None
    urls: tuple[str, ...] = ()
    source_database: str | None = None
    raw: tuple[RawField, ...] = field(default=(), compare=True)
    source_line: int | None = field(default=None, compare=False)

    def accession(self, database: str) -> str | None:
        """The accession number this record carries for ``database``, if any."""
        for name, value in self.accessions:
            if name == database:
                return value
        return None

    @property
    def first_author(self) -> str | None:
        return self.authors[0] if self.authors else None
