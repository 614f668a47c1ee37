"""Europe PMC REST search, paged with ``cursorMark`` (start ``*``, follow ``nextCursorMark``
until it is missing or stops changing)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from evidens.core import Record
from evidens.search.connectors.ctgov import load_json
from evidens.search.connectors.http import HttpClient
from evidens.search.connectors.runlog import Page, SearchResult, SearchRun, gather, now

EUROPEPMC = "https://www.ebi.ac.uk/europepmc/webservices/rest"


@dataclass
class EuropePmcConnector:
    """Search Europe PMC (no key; fair use is about 10 requests/s)."""

    base_url: str = EUROPEPMC
    page_size: int = 100
    result_type: str = "core"
    http: HttpClient = field(default_factory=lambda: HttpClient(min_interval=0.1))

    def search(
        self, query: str, *, max_records: int | None = None, resume: SearchRun | None = None
    ) -> SearchResult:
        return gather(self.pages(query, max_records=max_records, resume=resume))

    def pages(
        self, query: str, *, max_records: int | None = None, resume: SearchRun | None = None
    ) -> Iterator[Page]:
        params = {
            "query": query,
            "format": "json",
            "resultType": self.result_type,
            "pageSize": str(self.page_size),
        }
        run = resume or SearchRun(
            source="europepmc",
            platform="Europe PMC REST API",
            query=query,
            date_run=now(),
            limits=f"first {max_records} records" if max_records is not None else "",
            parameters=tuple(sorted(params.items())),
        )
        mark = run.cursor_value("cursorMark") or "*"
        while True:
            body = load_json(
                self.http.get(
                    self.base_url.rstrip("/") + "/search", {**params, "cursorMark": mark}
                ).content,
                "Europe PMC response",
            )
            results = body.get("resultList", {}).get("result", [])
            room = None if max_records is None else max(0, max_records - run.retrieved)
            records = tuple(epmc_record(r) for r in results[:room])
            following = body.get("nextCursorMark")
            more = bool(results) and bool(following) and following != mark
            retrieved = run.retrieved + len(records)
            hits = run.hits if run.hits is not None else body.get("hitCount")
            run = replace(run, hits=hits).advanced(
                retrieved=retrieved,
                complete=not more,
                cursor=(("cursorMark", following),) if more and following else (),
            )
            yield Page(records, run)
            if not more or (max_records is not None and retrieved >= max_records):
                return
            mark = following or mark


def _authors(result: dict[str, Any]) -> tuple[str, ...]:
    listed = result.get("authorList", {}).get("author", [])
    names = [str(a["fullName"]) for a in listed if isinstance(a, dict) and a.get("fullName")]
    if names:
        return tuple(names)
    text = (result.get("authorString") or "").strip().rstrip(".")
    return tuple(n.strip() for n in text.split(",") if n.strip())


def epmc_record(result: dict[str, Any]) -> Record:
    """One ``resultList.result`` entry (lite or core) as a record."""
    journal = result.get("journalInfo") or {}
    year = str(result.get("pubYear") or "")
    source, ident = result.get("source"), result.get("id")
    return Record(
        title=result.get("title"),
        authors=_authors(result),
        year=int(year) if year.isdigit() else None,
        journal=result.get("journalTitle") or (journal.get("journal") or {}).get("title"),
        volume=result.get("journalVolume") or journal.get("volume"),
        issue=result.get("issue") or journal.get("issue"),
        pages=result.get("pageInfo"),
        doi=result.get("doi"),
        pmid=result.get("pmid"),
        pmcid=result.get("pmcid"),
        accessions=((("europepmc", f"{source}:{ident}"),) if source and ident else ()),
        abstract=result.get("abstractText"),
        keywords=tuple((result.get("keywordList") or {}).get("keyword", [])),
        subject_headings=tuple(
            str(h.get("descriptorName", ""))
            for h in (result.get("meshHeadingList") or {}).get("meshHeading", [])
        ),
        language=result.get("language"),
        publication_types=tuple((result.get("pubTypeList") or {}).get("pubType", [])),
        source_database="europepmc",
    )
