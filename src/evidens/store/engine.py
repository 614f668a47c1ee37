"""Opening a review store: a SQLite file by default, a PostgreSQL URL for a team.

SQLite runs in WAL mode with foreign keys on (SQLite leaves them off unless asked), and
waits for a writer instead of failing at once, so the web app's concurrent reviewers and a
CLI can share one file.

PostgreSQL connections are not pinged on every checkout (``pool_pre_ping`` costs a round trip
per transaction, about a tenth of a web request's queries): a connection psycopg already
knows to be closed or broken is replaced at checkout for free, and a connection the server
dropped (a restart) fails the one statement that finds out, after which SQLAlchemy
invalidates the whole pool, so the next transaction connects afresh.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

DEFAULT_FILE = "review.db"
ENV_VAR = "EVIDENS_DB"


def database_url(db: str | Path | None = None) -> str:
    """The SQLAlchemy URL for ``db``: a file path, a ``postgresql://`` URL, or — when not
    given — ``$EVIDENS_DB`` or ``review.db`` in the working directory."""
    target = str(db) if db is not None else os.environ.get(ENV_VAR, DEFAULT_FILE)
    if target.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + target.split("://", 1)[1]
    if "://" in target:
        return target
    return f"sqlite:///{Path(target)}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def open_engine(db: str | Path | None = None, *, echo: bool = False) -> Engine:
    """An engine for the store at ``db`` (see :func:`database_url`)."""
    url = database_url(db)
    if is_sqlite(url):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_recycle=3600)
    event.listen(engine, "checkout", _usable)
    return engine


def _usable(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse, at no cost, a pooled connection psycopg knows is unusable (the pool then
    opens a new one); what only the server knows is found by the next statement."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        raise DisconnectionError("the pooled connection is closed")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
