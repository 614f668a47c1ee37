"""The report's search-strategy table (the seed's Table 1; PRISMA-S items 8 and 13): one row per
database with the strategy as run, where, when and how many records it found.

Rows come from the search log (:class:`~evidens.core.Search`), so the table printed in the
report is the strategy that was executed, not a copy typed again by hand. Planned strategies
that have not been run yet can be tabulated from translations, with their warnings as notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evidens.core import Search
from evidens.search.engines import engine
from evidens.search.translate import Translation


@dataclass(frozen=True)
class StrategyRow:
    """One row of the strategy table."""

    database: str
    strategy: str
    platform: str | None = None
    date_run: dt.date | None = None
    hits: int | None = None
    notes: str | None = None


def strategy_table(searches: Iterable[Search]) -> tuple[StrategyRow, ...]:
    """Rows for searches as run, in the order given (the review's order of sources)."""
    return tuple(
        StrategyRow(
            database=s.source,
            strategy=s.strategy,
            platform=s.platform,
            date_run=s.date_run,
            hits=s.hits,
            notes=s.limits,
        )
        for s in searches
    )


def planned_table(translations: Mapping[str, Translation]) -> tuple[StrategyRow, ...]:
    """Rows for strategies translated but not yet run; warnings become the notes."""
    return tuple(
        StrategyRow(
            database=engine(name).label, strategy=t.text, notes="; ".join(t.warnings) or None
        )
        for name, t in translations.items()
    )
