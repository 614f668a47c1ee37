"""The two jobs of the searches page: an API search run from the browser, and a large
upload imported in the background. Each writes to the review store once, at its end, in
one transaction (the search logged and its records imported together; the file's batch and
its records together), so a worker killed mid-way leaves nothing behind and the job can be
tried again from its input.

Their input travels in the job queue (:class:`~evidens.services.web.jobs.JobInput`): the
source, query and API address for a search (the address is the web server's setting, put
there by the route, never a form field); the file's name, source and bytes for an import
(the bytes in the queue's storage, so a worker on another host reads them too).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from evidens.errors import InputError, ValidationError
from evidens.search import translate
from evidens.search.connectors import SOURCES, search_pages
from evidens.search.connectors.runlog import Page, gather
from evidens.services.identification import imports
from evidens.services.identification.searching import SOURCE_NAMES, record_search_run
from evidens.services.store import ReviewStore
from evidens.services.web import queue as web_queue
from evidens.services.web.jobs import JobInput, Progress

MAX_API_RECORDS = 10_000
"""The most records one search from the page fetches (PubMed's window for one query)."""


def api_query(source: str, text: str) -> str:
    """The query a source's API is sent: a numbered PubMed strategy becomes the one query
    its last line means (esearch takes one query); others are sent as written."""
    if source == "pubmed" and len([x for x in text.splitlines() if x.strip()]) > 1:
        return translate(text, source="pubmed", target="pubmed", one_query=True).text
    return text


def search_params(source: str, query: str, max_records: str, base_url: str | None) -> JobInput:
    """A search job's input, checked before it is queued (one clear line when it is not)."""
    if source not in SOURCES:
        raise ValidationError(
            f"{source!r} is not a database evidens can search",
            field="source",
            hint="use one of " + ", ".join(SOURCES),
        )
    if not query.strip():
        raise InputError("give the query to run", field="query")
    limit = max_records.strip() or str(MAX_API_RECORDS)
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_API_RECORDS:
        raise ValidationError(
            f"{max_records!r} is not a number of records from 1 to {MAX_API_RECORDS}",
            field="max",
        )
    params = {"source": source, "query": query.strip(), "max": limit}
    return JobInput(params if base_url is None else {**params, "base_url": base_url})


def api_search(store: ReviewStore, actor: str, progress: Progress, given: JobInput) -> bytes:
    """Run the search page by page (the bar counts records fetched of the hits), then log
    it and import its records in one transaction; the result names the logged search."""
    source, params = given.params["source"], given.params
    name = SOURCE_NAMES.get(source, source)
    key = os.environ.get("OPENALEX_API_KEY") if source == "openalex" else None
    progress(f"asking {name}", 0, 1)
    pages = search_pages(
        source,
        api_query(source, params["query"]),
        max_records=int(params["max"]),
        api_key=key,
        base_url=params.get("base_url"),
    )
    result = gather(_counted(pages, name, int(params["max"]), progress))
    run = result.run
    summary = {"source": name, "hits": run.hits, "retrieved": len(result.records)}
    if not result.records:
        return json.dumps({**summary, "search": None, "imported": 0}).encode()
    progress(f"importing {len(result.records)} records from {name}", 0, 1)
    outcome = record_search_run(store, source, result, actor=actor)
    web_queue.forget(store)  # new records to count and order
    warnings = list(run.warnings)
    answer = {**summary, "imported": outcome.report.records, "warnings": warnings}
    return json.dumps({**answer, "batch": outcome.batch_id}).encode()


def _counted(pages: Iterator[Page], name: str, most: int, progress: Progress) -> Iterator[Page]:
    """The pages as they come, each told to the bar (page n, records so far of those the
    search will fetch: its hits, or the most asked for)."""
    for number, page in enumerate(pages, start=1):
        run = page.run
        total = max(min(run.hits or 0, most), run.retrieved, 1)
        step = f"{name}: page {number} fetched, {run.retrieved} of {total} records"
        progress(step, run.retrieved, total)
        yield page


def import_params(name: str, source: str, data: bytes) -> JobInput:
    """An import job's input: the upload's name and source, its bytes as the payload."""
    return JobInput({"name": name, "source": source}, data)


def import_upload(store: ReviewStore, actor: str, progress: Progress, given: JobInput) -> bytes:
    """Import the uploaded file (parsed completely, then inserted batch by batch, the bar
    counting records in; all committed at the end or none) and return its report."""
    if given.payload is None:
        raise InputError("the uploaded file is no longer in the job queue", hint="upload it again")
    name, source = given.params["name"], given.params["source"]
    progress(f"reading {name} ({len(given.payload) // 1024} KiB)", 0, 1)

    def inserted(done: int, total: int) -> None:
        step = f"{name}: {total} records read, {done} imported"
        progress(step, done, total)

    outcome = imports.import_upload(
        store, given.payload, name=name, source=source, actor=actor, progress=inserted
    )
    web_queue.forget(store)
    report = imports.report_json(outcome.report)
    return json.dumps({"source": outcome.source, "report": report}).encode()
