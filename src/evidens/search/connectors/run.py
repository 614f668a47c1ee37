"""``run_search(source, query)``: one entry point over every connector, for the CLI and the
services layer (which logs the returned :class:`SearchRun` into the review);
``search_pages`` is the same run page by page, for a caller that shows its progress."""

from __future__ import annotations

from collections.abc import Iterator

from evidens.errors import InputError
from evidens.search.connectors.crossref import CROSSREF, CrossrefConnector
from evidens.search.connectors.ctgov import CTGOV, ClinicalTrialsGovConnector
from evidens.search.connectors.europepmc import EUROPEPMC, EuropePmcConnector
from evidens.search.connectors.openalex import OPENALEX, OpenAlexConnector
from evidens.search.connectors.pubmed import EUTILS, PubMedConnector
from evidens.search.connectors.runlog import Page, SearchResult, SearchRun, gather

SOURCES = ("pubmed", "ctgov", "europepmc", "crossref", "openalex")


def run_search(
    source: str,
    query: str,
    *,
    max_records: int | None = None,
    api_key: str | None = None,
    email: str | None = None,
    base_url: str | None = None,
    resume: SearchRun | None = None,
) -> SearchResult:
    """Run ``query`` on ``source`` (one of :data:`SOURCES`) and return records plus the log.

    ``resume`` continues an interrupted run from its saved :class:`SearchRun`.
    """
    return gather(
        search_pages(
            source,
            query,
            max_records=max_records,
            api_key=api_key,
            email=email,
            base_url=base_url,
            resume=resume,
        )
    )


def search_pages(
    source: str,
    query: str,
    *,
    max_records: int | None = None,
    api_key: str | None = None,
    email: str | None = None,
    base_url: str | None = None,
    resume: SearchRun | None = None,
) -> Iterator[Page]:
    """The run of :func:`run_search`, one :class:`Page` per request answered; an unknown
    source is refused before any request."""
    if source == "pubmed":
        pubmed = PubMedConnector(base_url=base_url or EUTILS, api_key=api_key, email=email)
        return pubmed.pages(query, max_records=max_records, resume=resume)
    if source == "ctgov":
        ctgov = ClinicalTrialsGovConnector(base_url=base_url or CTGOV)
        return ctgov.pages(query, max_records=max_records, resume=resume)
    if source == "europepmc":
        epmc = EuropePmcConnector(base_url=base_url or EUROPEPMC)
        return epmc.pages(query, max_records=max_records, resume=resume)
    if source == "crossref":
        crossref = CrossrefConnector(base_url=base_url or CROSSREF, mailto=email)
        return crossref.pages(query, max_records=max_records, resume=resume)
    if source == "openalex":
        openalex = OpenAlexConnector(api_key=api_key, base_url=base_url or OPENALEX)
        return openalex.pages(query, max_records=max_records, resume=resume)
    raise InputError(
        f"no connector for {source!r}", field="source", hint=f"use one of {', '.join(SOURCES)}"
    )
