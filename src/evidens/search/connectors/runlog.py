"""What a connector returns: the records and a PRISMA-S log of the run, resumable by cursor.

PRISMA-S asks for each database: the strategy exactly as run, the platform, the date, the
limits and the number of hits. The service's own echo of the query (PubMed's
``QueryTranslation``) is kept too, because database-side query expansion changes over time.
``cursor`` holds what the service needs to continue (a WebEnv and offset, a page token, a
cursor mark), so an interrupted export can resume where it stopped instead of starting over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from evidens.core import Record, Search

Cursor = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SearchRun:
    """One search as run against one service (the PRISMA-S record of it)."""

    source: str
    platform: str
    query: str
    date_run: dt.datetime
    hits: int | None = None
    retrieved: int = 0
    limits: str = ""
    executed_query: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    complete: bool = False
    cursor: Cursor = ()

    def cursor_value(self, key: str) -> str | None:
        for name, value in self.cursor:
            if name == key:
                return value
        return None

    def advanced(
        self, *, retrieved: int, cursor: Cursor, complete: bool, warnings: tuple[str, ...] = ()
    ) -> SearchRun:
        """The log after one more page: counts, cursor and any new warnings."""
        merged = self.warnings + tuple(w for w in warnings if w not in self.warnings)
        return replace(self, retrieved=retrieved, cursor=cursor, complete=complete, warnings=merged)

    def to_search(self, *, run_by: str | None = None, files: tuple[str, ...] = ()) -> Search:
        """The review store's :class:`~evidens.core.Search` row for this run."""
        limits = "; ".join(part for part in (self.limits, *self.warnings) if part) or None
        return Search(
            source=self.source,
            strategy=self.query,
            date_run=self.date_run.date(),
            hits=self.hits,
            platform=self.platform,
            limits=limits,
            run_by=run_by,
            files=files,
        )


@dataclass(frozen=True)
class Page:
    """One page of results and the log as it stands after it (persist ``run`` to resume)."""

    records: tuple[Record, ...]
    run: SearchRun


@dataclass(frozen=True)
class SearchResult:
    """Every record of a run and its final log."""

    records: tuple[Record, ...]
    run: SearchRun

    @property
    def ids(self) -> tuple[str, ...]:
        """PMIDs, NCT numbers or DOIs of the records, whichever the source gives."""
        out = []
        for record in self.records:
            key = record.pmid or (record.registry_ids[0] if record.registry_ids else None)
            key = key or record.doi
            if key:
                out.append(key)
        return tuple(out)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def gather(pages: Iterable[Page]) -> SearchResult:
    """Run a connector's pages to the end; every connector yields at least one page."""
    records: list[Record] = []
    last: SearchRun | None = None
    for page in pages:
        records.extend(page.records)
        last = page.run
    if last is None:  # pragma: no cover - connectors always yield a first page
        raise AssertionError("a connector yielded no page")
    return SearchResult(tuple(records), last)
