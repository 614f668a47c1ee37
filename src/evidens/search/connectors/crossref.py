"""Crossref REST: DOI look-up, backward citation chasing (a work's reference list) and
searches paged with ``cursor`` (stop when a page has no items)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from evidens.core import Record, normalize_doi
from evidens.errors import InputError
from evidens.search.connectors.ctgov import load_json
from evidens.search.connectors.http import HttpClient
from evidens.search.connectors.runlog import Page, SearchResult, SearchRun, gather, now

CROSSREF = "https://api.crossref.org"
_TAG = re.compile(r"<[^>]+>")


@dataclass
class CrossrefConnector:
    """Crossref works; give ``mailto`` to be served from the "polite" pool."""

    base_url: str = CROSSREF
    mailto: str | None = None
    rows: int = 100
    http: HttpClient = field(default_factory=lambda: HttpClient(min_interval=0.1))

    def _params(self) -> dict[str, str]:
        return {"mailto": self.mailto} if self.mailto else {}

    def _work(self, doi: str) -> dict[str, Any]:
        bare = normalize_doi(doi)
        if bare is None:
            raise InputError(f"{doi!r} is not a DOI", field="doi", hint="write it as 10.xxxx/yyy")
        url = f"{self.base_url.rstrip('/')}/works/{quote(bare, safe='/')}"
        body = load_json(self.http.get(url, self._params()).content, "Crossref work")
        message: dict[str, Any] = body.get("message", {})
        return message

    def work(self, doi: str) -> Record:
        """The record Crossref holds for ``doi``."""
        return work_record(self._work(doi))

    def references(self, doi: str) -> tuple[str, ...]:
        """DOIs in the reference list of ``doi`` (backward citation chasing)."""
        refs = self._work(doi).get("reference", [])
        dois = (normalize_doi(r.get("DOI")) for r in refs if isinstance(r, dict))
        return tuple(dict.fromkeys(d for d in dois if d))

    def search(
        self,
        query: str,
        *,
        max_records: int | None = None,
        filter: str | None = None,
        resume: SearchRun | None = None,
    ) -> SearchResult:
        return gather(self.pages(query, max_records=max_records, filter=filter, resume=resume))

    def pages(
        self,
        query: str,
        *,
        max_records: int | None = None,
        filter: str | None = None,
        resume: SearchRun | None = None,
    ) -> Iterator[Page]:
        params = {**self._params(), "query": query, "rows": str(self.rows)}
        if filter:
            params["filter"] = filter
        run = resume or SearchRun(
            source="crossref",
            platform="Crossref REST API",
            query=query,
            date_run=now(),
            limits="; ".join(
                p
                for p in (
                    filter or "",
                    f"first {max_records} records" if max_records is not None else "",
                )
                if p
            ),
            parameters=tuple(sorted((k, v) for k, v in params.items() if k != "mailto")),
        )
        cursor = run.cursor_value("cursor") or "*"
        while True:
            body = load_json(
                self.http.get(
                    self.base_url.rstrip("/") + "/works", {**params, "cursor": cursor}
                ).content,
                "Crossref response",
            )
            message = body.get("message", {})
            items = message.get("items", [])
            room = None if max_records is None else max(0, max_records - run.retrieved)
            records = tuple(work_record(i) for i in items[:room])
            retrieved = run.retrieved + len(records)
            following = message.get("next-cursor")
            total = message.get("total-results", run.hits)
            more = bool(items) and bool(following) and (total is None or retrieved < total)
            run = replace(run, hits=total).advanced(
                retrieved=retrieved,
                complete=not more,
                cursor=(("cursor", following),) if more and following else (),
            )
            yield Page(records, run)
            if not more or (max_records is not None and retrieved >= max_records):
                return
            cursor = following or cursor


def _first(values: Any) -> str | None:
    return str(values[0]) if isinstance(values, list) and values else None


def work_record(work: dict[str, Any]) -> Record:
    """A Crossref work (``message`` or one of ``message.items``) as a record."""
    parts = (work.get("issued") or {}).get("date-parts") or [[None]]
    year = parts[0][0] if parts and parts[0] else None
    authors = []
    for person in work.get("author", []):
        family, given = person.get("family"), person.get("given")
        name = f"{family}, {given}" if family and given else family or person.get("name")
        if name:
            authors.append(str(name))
    abstract = work.get("abstract")
    return Record(
        title=_first(work.get("title")),
        authors=tuple(authors),
        year=year if isinstance(year, int) else None,
        journal=_first(work.get("container-title")),
        volume=work.get("volume"),
        issue=work.get("issue"),
        pages=work.get("page"),
        doi=normalize_doi(work.get("DOI")),
        abstract=" ".join(_TAG.sub(" ", abstract).split()) if abstract else None,
        publication_types=(str(work["type"]),) if work.get("type") else (),
        issn=_first(work.get("ISSN")),
        urls=(str(work["URL"]),) if work.get("URL") else (),
        source_database="crossref",
    )
