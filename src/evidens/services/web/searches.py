"""What the searches page shows and accepts: the review's search log (PRISMA-S: each
strategy as run, where, when, its hits, the records imported from it, who ran it, and the
translation it came from with every warning), and the forms that add to it.

The forms call the services the CLI calls (``evidens search translate --db``, ``add`` and
``hits``): :func:`~evidens.services.identification.search_log.log_translations`,
:func:`~evidens.services.identification.search_log.log_search` and
:func:`~evidens.services.identification.search_log.set_hits`; this module only reads the
form's text into their arguments, with one clear line for what cannot be read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from evidens.core import Search, SourceKind
from evidens.errors import InputError, ValidationError
from evidens.search import TARGETS
from evidens.search.connectors import SOURCES as API_SOURCES
from evidens.search.engines import engine
from evidens.search.parser import DIALECTS
from evidens.services.identification import search_log
from evidens.services.identification.search_log import LoggedSearch
from evidens.services.identification.searching import SOURCE_NAMES
from evidens.services.store import ReviewStore, transaction
from evidens.store.models import ImportBatchRow, SearchRow

MAX_STRATEGY_CHARS = 100_000
KINDS = tuple(kind.value for kind in SourceKind)


@dataclass(frozen=True)
class Approximated:
    """One translation warning: what is approximated, and the part of the query concerned."""

    message: str
    part: str | None
    line: int | None


@dataclass(frozen=True)
class Translated:
    """Where a logged strategy came from: the syntax and query as designed, the engine."""

    syntax: str
    query: str
    target: str
    database: str
    warnings: tuple[Approximated, ...]


@dataclass(frozen=True)
class SearchEntry:
    """One line of the search log as the page shows it."""

    id: int
    source: str
    platform: str | None
    strategy: str
    date_run: dt.date | None
    hits: int | None
    imported: int
    run_by: str | None
    limits: str | None
    translation: Translated | None


@dataclass(frozen=True)
class SearchesView:
    searches: tuple[SearchEntry, ...]
    targets: tuple[tuple[str, str], ...]  # engine id, label: the translate form's choices
    syntaxes: tuple[str, ...]
    api_sources: tuple[tuple[str, str], ...]  # connector id, name
    kinds: tuple[str, ...]


def searches_view(store: ReviewStore) -> SearchesView:
    """The review's searches in the order they were logged, with the forms' choices."""
    logged = search_log.list_searches(store)
    with transaction(store, "evidens") as uow:
        rows = uow.session.execute(
            select(SearchRow.id, SearchRow.run_by, SearchRow.limits).where(
                SearchRow.review_id == uow.review_id
            )
        ).all()
        counts = uow.session.execute(
            select(ImportBatchRow.search_id, func.sum(ImportBatchRow.records_read))
            .where(ImportBatchRow.review_id == uow.review_id)
            .where(ImportBatchRow.search_id.is_not(None))
            .group_by(ImportBatchRow.search_id)
        ).all()
    extra = {row.id: (row.run_by, row.limits) for row in rows}
    imported = {sid: int(total or 0) for sid, total in counts if sid is not None}
    entries = tuple(
        _entry(s, imported.get(s.id, 0), *extra.get(s.id, (None, None))) for s in logged
    )
    return SearchesView(
        entries,
        tuple((t, engine(t).label) for t in TARGETS),
        DIALECTS,
        tuple((s, SOURCE_NAMES.get(s, s)) for s in API_SOURCES),
        KINDS,
    )


def _entry(
    search: LoggedSearch, imported: int, run_by: str | None, limits: str | None
) -> SearchEntry:
    t = search.translation
    translated = None
    if t is not None:
        warnings = tuple(Approximated(w.message, w.part, w.line) for w in t.warnings)
        translated = Translated(t.syntax, t.query, t.target, t.database, warnings)
    return SearchEntry(
        search.id,
        search.source,
        search.platform,
        search.strategy,
        search.date_run,
        search.hits,
        imported,
        run_by,
        limits,
        translated,
    )


def date_of(text: str, field: str = "date") -> dt.date | None:
    """A YYYY-MM-DD date from a form (empty: not recorded)."""
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"{text.strip()[:40]!r} is not a date", field=field, hint="use YYYY-MM-DD"
        ) from None


def _count(text: str, field: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise ValidationError(f"{text.strip()[:40]!r} is not a number of records", field=field)
    return int(text.strip())


def _strategy(text: str, field: str) -> str:
    if len(text) > MAX_STRATEGY_CHARS:
        raise ValidationError(
            f"the strategy is longer than {MAX_STRATEGY_CHARS} characters", field=field
        )
    return text.strip()


def translate_and_log(
    store: ReviewStore,
    query: str,
    *,
    syntax: str,
    targets: Sequence[str],
    date_run: str,
    simplify: bool,
    actor: str,
) -> tuple[LoggedSearch, ...]:
    """Translate ``query`` for each target and log one search per target engine, with its
    warnings (as ``evidens search translate --db``); all or nothing."""
    if syntax not in DIALECTS:
        raise ValidationError(
            f"{syntax!r} is not a query syntax evidens reads",
            field="syntax",
            hint="use one of " + ", ".join(DIALECTS),
        )
    text = _strategy(query, "query")
    if not text:
        raise ValidationError("give the strategy to translate", field="query")
    try:
        return search_log.log_translations(
            store,
            text,
            source=syntax,
            targets=list(targets),
            date_run=date_of(date_run),
            run_by=actor,
            actor=actor,
            simplify=simplify,
        )
    except InputError as exc:
        if "\n" not in exc.message:
            raise
        # the parser draws a caret under the column for a terminal: a page shows one line
        first = exc.message.splitlines()[0]
        raise InputError(first, line=exc.line, field=exc.field, hint=exc.hint) from None


def log_run(
    store: ReviewStore,
    *,
    source: str,
    strategy: str,
    kind: str,
    platform: str,
    date_run: str,
    hits: str,
    actor: str,
) -> LoggedSearch:
    """Log a search as it was run (as ``evidens search add``)."""
    if not source.strip():
        raise ValidationError("name the database or register searched", field="source")
    if kind not in KINDS:
        raise ValidationError(f"{kind!r} is not a kind of source", field="kind", hint="database")
    search = Search(
        source.strip()[:200],
        _strategy(strategy, "strategy"),
        date_of(date_run),
        _count(hits, "hits"),
        platform.strip()[:200] or None,
        None,
        actor,
    )
    return search_log.log_search(store, search, SourceKind(kind), actor=actor)


def record_hits(store: ReviewStore, search_id: str, hits: str, date_run: str, actor: str) -> int:
    """Record the hits a logged search gave (as ``evidens search hits``); its id back."""
    number = _count(search_id, "search")
    count = _count(hits, "hits")
    if number is None or count is None:
        raise ValidationError("give the search and its hits", field="hits")
    search_log.set_hits(store, number, count, actor=actor, date_run=date_of(date_run))
    return number
