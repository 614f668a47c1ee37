"""Searches run by evidens against a database API, logged (PRISMA-S) and imported together.

The run's log (query as sent, the service's own reading of it, date, hits, limits, who ran
it) and its records land in one transaction, the export linked to its search, so Table 1
and the per-source PRISMA counts come from the same place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from evidens.core import Source, SourceKind
from evidens.formats import write_ris
from evidens.search.connectors import SearchResult
from evidens.services.identification.imports import ImportOutcome, import_data
from evidens.services.identification.sources import add_search
from evidens.services.store import ReviewStore, transaction

SOURCE_NAMES = {
    "pubmed": "PubMed",
    "ctgov": "ClinicalTrials.gov",
    "europepmc": "Europe PMC",
    "crossref": "Crossref",
    "openalex": "OpenAlex",
}
REGISTERS = {"ctgov"}


def record_search_run(
    store: ReviewStore, source: str, result: SearchResult, *, actor: str
) -> ImportOutcome:
    """Log one API search and import the records it retrieved, all or nothing."""
    run = result.run
    name = SOURCE_NAMES.get(source, source)
    kind = SourceKind.REGISTER if source in REGISTERS else SourceKind.DATABASE
    limits = "; ".join(x for x in (run.limits, *run.warnings) if x)
    if run.executed_query:
        limits = "; ".join(x for x in (limits, f"executed as: {run.executed_query}") if x)
    stamp = run.date_run.strftime("%Y%m%dT%H%M%S")
    file_name = f"{source}-search-{stamp}.ris"
    with transaction(store, actor) as uow:
        logged = replace(run.to_search(run_by=actor, files=(file_name,)), source=name)
        search = add_search(uow, logged, kind)
        search.limits = limits or None
        search.hits = run.hits
        date: dt.date = run.date_run.date()
        return import_data(
            uow,
            write_ris(result.records).encode("utf-8"),
            name=file_name,
            source=Source(name, kind, run.platform),
            search_id=search.id,
            search_date=date,
        )
