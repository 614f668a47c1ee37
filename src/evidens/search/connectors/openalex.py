"""OpenAlex works, paged with ``cursor`` (follow ``meta.next_cursor`` until it is null).

Since 13 February 2026 OpenAlex requires an API key and prices usage per call; without a key
the connector refuses to start and says where to get one, rather than failing mid-run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from evidens.core import Record, normalize_doi
from evidens.errors import ConfigError
from evidens.search.connectors.ctgov import load_json
from evidens.search.connectors.http import HttpClient
from evidens.search.connectors.runlog import Page, SearchResult, SearchRun, gather, now

OPENALEX = "https://api.openalex.org"


@dataclass
class OpenAlexConnector:
    """Search OpenAlex works with ``search=`` (title, abstract, full text) and/or ``filter=``."""

    api_key: str | None
    base_url: str = OPENALEX
    per_page: int = 100
    http: HttpClient = field(default_factory=lambda: HttpClient(min_interval=0.05))

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ConfigError(
                "OpenAlex requires an API key since 13 February 2026",
                field="api_key",
                hint="create a free key at https://openalex.org/settings/api and pass it "
                "(--api-key or the OPENALEX_API_KEY environment variable)",
            )

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
        params = {"per_page": str(self.per_page)}
        if query:
            params["search"] = query
        if filter:
            params["filter"] = filter
        run = resume or SearchRun(
            source="openalex",
            platform="OpenAlex API",
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
            parameters=tuple(sorted(params.items())),
        )
        cursor = run.cursor_value("cursor") or "*"
        while True:
            request = {**params, "cursor": cursor, "api_key": self.api_key or ""}
            body = load_json(
                self.http.get(self.base_url.rstrip("/") + "/works", request).content,
                "OpenAlex response",
            )
            meta, results = body.get("meta") or {}, body.get("results") or []
            room = None if max_records is None else max(0, max_records - run.retrieved)
            records = tuple(openalex_record(w) for w in results[:room])
            retrieved = run.retrieved + len(records)
            following = meta.get("next_cursor")
            more = bool(results) and bool(following)
            run = replace(run, hits=meta.get("count", run.hits)).advanced(
                retrieved=retrieved,
                complete=not more,
                cursor=(("cursor", following),) if more and following else (),
            )
            yield Page(records, run)
            if not more or (max_records is not None and retrieved >= max_records):
                return
            cursor = str(following)


def abstract_from_index(index: dict[str, list[int]] | None) -> str | None:
    """Rebuild an abstract from OpenAlex's ``abstract_inverted_index`` (word -> positions)."""
    if not index:
        return None
    placed = sorted((pos, word) for word, positions in index.items() for pos in positions)
    return " ".join(word for _, word in placed) or None


def openalex_record(work: dict[str, Any]) -> Record:
    """One OpenAlex work as a record."""
    source = ((work.get("primary_location") or {}).get("source")) or {}
    biblio = work.get("biblio") or {}
    ids = work.get("ids") or {}
    pmid = str(ids.get("pmid") or "").rstrip("/").rsplit("/", 1)[-1] or None
    first, last = biblio.get("first_page"), biblio.get("last_page")
    pages = f"{first}-{last}" if first and last and first != last else first
    authors = tuple(
        str(a["author"]["display_name"])
        for a in work.get("authorships", [])
        if isinstance(a, dict) and (a.get("author") or {}).get("display_name")
    )
    return Record(
        title=work.get("title") or work.get("display_name"),
        authors=authors,
        year=work.get("publication_year"),
        journal=source.get("display_name"),
        volume=biblio.get("volume"),
        issue=biblio.get("issue"),
        pages=pages,
        doi=normalize_doi(work.get("doi")),
        pmid=pmid,
        accessions=(("openalex", str(work["id"])),) if work.get("id") else (),
        abstract=abstract_from_index(work.get("abstract_inverted_index")),
        language=work.get("language"),
        publication_types=(str(work["type"]),) if work.get("type") else (),
        issn=source.get("issn_l"),
        source_database="openalex",
    )
