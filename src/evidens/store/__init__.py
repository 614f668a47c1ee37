"""The review store: SQLAlchemy models, Alembic migrations and queries (SQLite by default,
PostgreSQL for teams). Services are its only users."""

from evidens.store import (
    account_models,
    document_models,
    label_models,
    link_models,
    round_models,
    status_models,
    synthesis_models,
)
from evidens.store.engine import database_url, is_sqlite, open_engine
from evidens.store.migrate import current_revision, head_revision, upgrade

__all__ = [
    "account_models",
    "current_revision",
    "database_url",
    "document_models",
    "head_revision",
    "is_sqlite",
    "label_models",
    "link_models",
    "open_engine",
    "round_models",
    "status_models",
    "synthesis_models",
    "upgrade",
]
