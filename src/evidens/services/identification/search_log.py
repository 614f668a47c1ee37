"""Translated strategies logged as the review's searches (PRISMA-S item 8: the full
strategy for every source, and where each differs from the strategy as designed).

``log_translations`` translates one strategy for each target database and logs one search
per target, the translated strategy as the search's strategy and the translation (source
syntax, query as designed, warnings) kept with it, in one audited transaction. Hits are
known only once the search is run in the database: ``set_hits`` records them later, and
``search_for_import`` checks that an export file names a search of its own source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from evidens.core import Search, SourceKind
from evidens.errors import NotFoundError, ValidationError
from evidens.search import TARGETS, translate
from evidens.search.logged import LoggedTranslation, read_translation
from evidens.search.vocabulary import HeadingMap
from evidens.services.identification.sources import add_search
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import SearchRow, SourceRow

SOURCES: dict[str, tuple[str, str | None]] = {
    "pubmed": ("PubMed", None),
    "ovid": ("MEDLINE", "Ovid"),
    "embase": ("Embase", "Embase.com"),
    "embase-ovid": ("Embase", "Ovid"),
    "cochrane": ("CENTRAL", "Cochrane Library"),
    "scopus": ("Scopus", None),
    "scopus-basic": ("Scopus", None),
    "wos": ("Web of Science", None),
    "wos-basic": ("Web of Science", None),
    "cinahl": ("CINAHL", "EBSCOhost"),
    "psycinfo-ovid": ("APA PsycInfo", "Ovid"),
    "psycinfo-ebsco": ("APA PsycInfo", "EBSCOhost"),
    "ebsco": ("EBSCOhost database", "EBSCOhost"),
    "proquest": ("ProQuest", None),
    "lilacs": ("LILACS", "BVS portal"),
    "europepmc": ("Europe PMC", None),
    "epistemonikos": ("Epistemonikos", None),
    "ictrp": ("WHO ICTRP", None),
    "ctgov": ("ClinicalTrials.gov", None),
}
"""The source (database) and platform a target engine's search is logged under; the names
match :data:`evidens.services.identification.searching.SOURCE_NAMES` where an API run logs
the same one."""
REGISTERS = frozenset({"ictrp", "ctgov"})


@dataclass(frozen=True)
class LoggedSearch:
    """One search of the review as listed: its id (what ``evidens import --search`` names),
    where and when it ran, its hits, and the translation it came from (if any)."""

    id: int
    source: str
    platform: str | None
    strategy: str
    date_run: dt.date | None
    hits: int | None
    translation: LoggedTranslation | None = None


def log_translations(
    store: ReviewStore,
    query: str,
    *,
    source: str,
    targets: Sequence[str],
    date_run: dt.date | None,
    run_by: str | None,
    actor: str,
    simplify: bool = False,
    headings: HeadingMap | None = None,
) -> tuple[LoggedSearch, ...]:
    """Translate ``query`` (in ``source`` syntax) for each of ``targets`` and log one search
    per target, all or nothing. A query that cannot be read raises before anything is
    written; hits stay unknown until :func:`set_hits`."""
    unknown = [t for t in targets if t not in SOURCES]
    if unknown or not targets:
        raise ValidationError(
            f"unknown target database {unknown[0]!r}" if unknown else "no target database",
            field="to",
            hint="use one of " + ", ".join(TARGETS),
        )
    translations = [
        translate(query, source=source, target=t, simplify=simplify, headings=headings)
        for t in dict.fromkeys(targets)
    ]
    logged = []
    with transaction(store, actor) as uow:
        for result in translations:
            name, platform = SOURCES[result.target]
            kind = SourceKind.REGISTER if result.target in REGISTERS else SourceKind.DATABASE
            search = Search(name, result.text, date_run, None, platform, None, run_by)
            log = LoggedTranslation.of(result, query)
            row = add_search(uow, search, kind, log)
            logged.append(LoggedSearch(row.id, name, platform, result.text, date_run, None, log))
    return tuple(logged)


def log_search(store: ReviewStore, search: Search, kind: SourceKind, *, actor: str) -> LoggedSearch:
    """Log a search as it was run (PRISMA-S: source, platform, date, full strategy, hits),
    so that its exports can be imported against it (``evidens import --search ID``)."""
    if not search.strategy.strip():
        raise ValidationError(
            "a search needs its strategy", field="strategy", hint="give the query as it was run"
        )
    with transaction(store, actor) as uow:
        row = add_search(uow, search, kind)
        return _logged(uow, row)


def set_hits(
    store: ReviewStore,
    search_id: int,
    hits: int,
    *,
    actor: str,
    date_run: dt.date | None = None,
) -> None:
    """Record the hits a logged search gave when it was run (PRISMA-S item 13), and the
    date it ran when given; audited with the values they replace."""
    if hits < 0:
        raise ValidationError(f"hits must be 0 or more, not {hits}", field="hits")
    with transaction(store, actor) as uow:
        row = _search(uow, search_id)
        before = {"hits": row.hits, "date_run": str(row.date_run)}
        row.hits = hits
        row.date_run = date_run or row.date_run
        after = {"hits": hits, "date_run": str(row.date_run)}
        uow.audit("update", "search", row.id, before=before, after=after)


def search_for_import(store: ReviewStore, search_id: int, source: str | None) -> LoggedSearch:
    """The search an export file says it came from, refused when it is not a search of
    this review or was run in another source than ``source`` (``None``: take its own)."""
    with transaction(store, "evidens") as uow:
        row = _search(uow, search_id)
        found = _logged(uow, row)
    if source is not None and source.casefold() != found.source.casefold():
        raise ValidationError(
            f"search {search_id} was run in {found.source}, not {source}",
            field="search",
            hint=f"use --source {found.source!r}, or name the search of {source}",
        )
    return found


def list_searches(store: ReviewStore) -> tuple[LoggedSearch, ...]:
    """Every search of the review, in the order it was logged."""
    with transaction(store, "evidens") as uow:
        rows = uow.session.scalars(
            select(SearchRow).where(SearchRow.review_id == uow.review_id).order_by(SearchRow.id)
        ).all()
        sources = uow.session.execute(
            select(SourceRow.id, SourceRow.name).where(SourceRow.review_id == uow.review_id)
        ).all()
        names = dict(sources)  # one query for every source, not one per search
        return tuple(_logged(uow, row, names.get(row.source_id)) for row in rows)


def _search(uow: UnitOfWork, search_id: int) -> SearchRow:
    row = uow.session.get(SearchRow, search_id)
    if row is None or row.review_id != uow.review_id:
        raise NotFoundError(
            f"search {search_id} is not a search of this review",
            hint="`evidens search list` shows the review's searches and their ids",
        )
    return row


def _logged(uow: UnitOfWork, row: SearchRow, name: str | None = None) -> LoggedSearch:
    if name is None:
        name = uow.session.scalar(select(SourceRow.name).where(SourceRow.id == row.source_id))
    return LoggedSearch(
        row.id,
        str(name),
        row.platform,
        row.strategy,
        row.date_run,
        row.hits,
        None if row.translation is None else read_translation(row.translation),
    )
