"""The report's appendix of translated searches (PRISMA-S item 8): for every search whose
strategy evidens translated, the full strategy as run, the strategy it was translated from,
and every warning the translation gave, with the part of the query it concerns.

Table 1 already shows each strategy as run; this appendix shows where a translated one
differs from the strategy as designed, so a reader can judge what a database may have
missed. Searches sharing one source strategy are grouped under it.
"""

from __future__ import annotations

from collections.abc import Sequence

from evidens.report.inputs import SearchLog
from evidens.report.model import Cell, Table
from evidens.search.engines import engine
from evidens.search.logged import LoggedTranslation
from evidens.search.notes import Approximation

KEY = "search-translations"
_NOTE = (
    "{warned} warnings: each is a construct the database cannot express exactly, named by "
    "the strategy line and the part of the query it concerns."
)


def _warning_text(note: Approximation) -> str:
    where = ", ".join(x for x in (f"line {note.line}" if note.line else None, note.part) if x)
    return f"{where}: {note.message}" if where else note.message


def _warnings(translation: LoggedTranslation) -> Cell:
    if not translation.warnings:
        return Cell("none: equivalent as translated", muted=True)
    return Cell("\n".join(f"- {_warning_text(w)}" for w in translation.warnings))


def _database(log: SearchLog, translation: LoggedTranslation) -> str:
    source = log.search.source
    label = translation.database
    return source if label.casefold() == source.casefold() else f"{source}\n{label}"


def translations_table(number: int, searches: Sequence[SearchLog]) -> Table | None:
    """The appendix table, or ``None`` when no search was logged from a translation."""
    groups: dict[tuple[str, str], list[tuple[SearchLog, LoggedTranslation]]] = {}
    for log in searches:
        if log.translation is not None:
            key = (log.translation.syntax, log.translation.query)
            groups.setdefault(key, []).append((log, log.translation))
    if not groups:
        return None
    body: list[tuple[Cell, ...]] = []
    for (syntax, query), logs in groups.items():
        heading = f"Translated from this {engine(syntax).label} strategy:\n{query}"
        body.append((Cell(heading, colspan=3, bold=True),))
        for log, translation in logs:
            strategy = Cell(log.search.strategy.strip())
            body.append((Cell(_database(log, translation)), strategy, _warnings(translation)))
    warned = sum(len(t.warnings) for logs in groups.values() for _, t in logs)
    return Table(
        key=KEY,
        number=number,
        caption="Appendix: search strategies as translated for each database, with warnings.",
        header=(tuple(Cell(h, bold=True) for h in ("Database", "Strategy as run", "Warnings")),),
        body=tuple(body),
        widths=(3.0, 8.0, 6.0),
        notes=(_NOTE.format(warned=warned),),
    )
