"""Opening a review and running one review step as one transaction with its audit trail.

Every public service function takes a :class:`ReviewStore` and does its writes inside
:func:`transaction`, which commits everything or nothing and records each change in the
append-only audit log through :meth:`UnitOfWork.audit`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session

from evidens.errors import NotFoundError, ReviewStateError
from evidens.store import current_revision, head_revision, open_engine, upgrade
from evidens.store.models import AuditRow, MemberRow, ReviewRow


@dataclass(frozen=True)
class ReviewStore:
    """A handle on one review in one store (engine + review id)."""

    engine: Engine
    review_id: int
    slug: str

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        """``with open_review(...) as store:`` disposes of the engine however it ends."""
        self.dispose()


@dataclass
class UnitOfWork:
    """One transaction: the session, the review it acts on and the person acting."""

    session: Session
    review_id: int
    actor: str

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: object = None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        on_behalf_of: str | None = None,
    ) -> None:
        """Log one change. ``on_behalf_of`` names the person whose decision it is when
        someone (or ``evidens run``) records it for them; the recorder is kept too."""
        if on_behalf_of and on_behalf_of != self.actor and after is not None:
            after = {**after, "recorded_by": self.actor}
        self.session.add(
            AuditRow(
                review_id=self.review_id,
                actor=on_behalf_of or self.actor,
                action=action,
                entity=entity,
                entity_id=None if entity_id is None else str(entity_id),
                before=before,
                after=after,
            )
        )


@contextmanager
def transaction(store: ReviewStore, actor: str) -> Iterator[UnitOfWork]:
    """Commit everything done in the block, or nothing if it raises."""
    with Session(store.engine, expire_on_commit=False) as session, session.begin():
        yield UnitOfWork(session, store.review_id, actor)


_READS = "evidens.reads"
T = TypeVar("T")


def read_once(session: Session, key: Hashable, read: Callable[[], T]) -> T:
    """``read()``'s answer, kept for the rest of the transaction or until it writes.

    A page that asks several services for the same derived thing (the canonical records,
    a stage's statuses) works it out once. Any flush, and any statement through the
    session that is not a select, forgets everything kept (see the listeners below); so
    do changes waiting for a flush (a changed setting, a new row), which ``read()`` would
    have flushed first. A service writing through the raw connection calls
    :func:`forget_reads` itself."""
    if session.new or session.dirty or session.deleted:
        forget_reads(session)
    held: dict[Hashable, Any] = session.info.setdefault(_READS, {})
    if key in held:
        found: T = held[key]
        return found
    value = held[key] = read()  # an autoflush inside read() leaves it unkept: safe
    return value


def forget_reads(session: Session) -> None:
    session.info.pop(_READS, None)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    forget_reads(session)


@event.listens_for(Session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget_reads(state.session)


def database_key(session: Session) -> str:
    """The database a session works on, without its password: the key of what a server
    process keeps in memory per database."""
    return session.connection().engine.url.render_as_string(hide_password=True)


def _slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:80] or "review"


def prepare_engine(db: str | Path | None) -> Engine:
    """An engine whose schema is at the newest migration (older stores are upgraded)."""
    engine = open_engine(db)
    try:
        if current_revision(engine) != head_revision(engine):
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise ReviewStateError(
            f"cannot open the review store at {db}: {exc.orig}",
            hint="check the path or the PostgreSQL URL",
        ) from exc
    return engine


def create_review(
    db: str | Path | Engine | None,
    *,
    title: str,
    protocol: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    slug: str | None = None,
    actor: str = "evidens",
    owner: str | None = None,
) -> ReviewStore:
    """Create a review (and the store, if new) and return a handle on it; ``owner`` (an
    account's username) is made its owner in the same transaction, so a review made from
    the web app never exists without someone who can open it."""
    engine = db if isinstance(db, Engine) else prepare_engine(db)  # an open store as it is
    slug = slug or _slugify(title)
    with Session(engine) as session, session.begin():
        if session.scalar(select(ReviewRow.id).where(ReviewRow.slug == slug)) is not None:
            raise ReviewStateError(
                f"a review named {slug!r} already exists in this store",
                hint="open it instead, or choose another --slug",
            )
        row = ReviewRow(slug=slug, title=title, protocol=protocol or {}, settings=settings or {})
        session.add(row)
        session.flush()
        session.add(
            AuditRow(
                review_id=row.id,
                actor=actor,
                action="create",
                entity="review",
                entity_id=str(row.id),
                after={"slug": slug, "title": title},
            )
        )
        if owner is not None:
            session.add(MemberRow(review_id=row.id, name=owner, role="owner", permissions=[]))
            after = {"role": "owner", "permissions": []}
            session.add(
                AuditRow(
                    review_id=row.id,
                    actor=actor,
                    action="member",
                    entity="member",
                    entity_id=owner,
                    after=after,
                )
            )
        review_id = row.id
    return ReviewStore(engine, review_id, slug)


def open_review(db: str | Path | None, slug: str | None = None) -> ReviewStore:
    """Open the review named ``slug``, or the only review in the store."""
    if db is not None and "://" not in str(db) and not Path(db).exists():
        raise NotFoundError(
            f"no review store at {db}", hint="create one with `evidens init` or check --db"
        )
    engine = prepare_engine(db)
    with Session(engine) as session:
        query = select(ReviewRow.id, ReviewRow.slug)
        rows = session.execute(query if slug is None else query.where(ReviewRow.slug == slug)).all()
    if not rows:
        engine.dispose()
        raise NotFoundError(
            "no review in this store" if slug is None else f"no review named {slug!r}",
            hint="create one with `evidens init`",
        )
    if len(rows) > 1:
        engine.dispose()
        names = ", ".join(r.slug for r in rows)
        raise ReviewStateError(
            f"this store holds several reviews ({names})", hint="name one with --review"
        )
    return ReviewStore(engine, rows[0].id, rows[0].slug)
