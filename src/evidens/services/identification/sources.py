"""Sources (databases, registers, other methods) and the searches run in them (PRISMA-S)."""

from __future__ import annotations

from sqlalchemy import select

from evidens.core import Search, Source, SourceKind
from evidens.search.logged import LoggedTranslation
from evidens.services.review.rounds import current_round
from evidens.services.store import UnitOfWork
from evidens.store.models import SearchRow, SourceRow


def ensure_source(uow: UnitOfWork, source: Source) -> SourceRow:
    """The source row named ``source.name``, created (and audited) when new."""
    row = uow.session.scalar(
        select(SourceRow).where(SourceRow.review_id == uow.review_id, SourceRow.name == source.name)
    )
    if row is None:
        row = SourceRow(
            review_id=uow.review_id,
            name=source.name,
            kind=source.kind.value,
            platform=source.platform,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit("create", "source", row.id, after={"name": source.name, "kind": row.kind})
    return row


def add_search(
    uow: UnitOfWork,
    search: Search,
    kind: SourceKind,
    translation: LoggedTranslation | None = None,
) -> SearchRow:
    """Log ``search``; ``translation`` keeps what its strategy was translated from and the
    translation's warnings (PRISMA-S item 8)."""
    source = ensure_source(uow, Source(search.source, kind, search.platform))
    row = SearchRow(
        review_id=uow.review_id,
        source_id=source.id,
        strategy=search.strategy,
        date_run=search.date_run,
        hits=search.hits,
        platform=search.platform,
        limits=search.limits,
        run_by=search.run_by,
        round=current_round(uow),
        translation=None if translation is None else translation.to_dict(),
    )
    uow.session.add(row)
    uow.session.flush()
    after = {"source": search.source, "date_run": str(search.date_run), "hits": search.hits}
    if translation is not None:
        after["translated"] = f"{translation.syntax} -> {translation.target}"
    uow.audit("create", "search", row.id, after=after)
    return row
