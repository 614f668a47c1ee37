"""The store's schema: migrations from the first revision to head keep the data, and the
audit log refuses changes — on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from evidens.store import current_revision, head_revision, open_engine, upgrade


def test_first_migration_upgrades_to_head_keeping_data(store_url: str) -> None:
    engine = open_engine(store_url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert "analyses" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO reviews (slug, title, protocol, settings, created_at) "
                "VALUES ('old', 'A review from the first schema', '{}', '{}', CURRENT_TIMESTAMP)"
            )
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine) != "0001"
    tables = set(inspect(engine).get_table_names())
    assert {"analyses", "grade_assessments", "records", "audit_log"} <= tables
    with engine.connect() as conn:
        title = conn.execute(text("SELECT title FROM reviews WHERE slug = 'old'")).scalar_one()
    assert title == "A review from the first schema"
    engine.dispose()


def test_audit_log_is_append_only(store_url: str) -> None:
    engine = open_engine(store_url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (actor, action, entity, at) "
                "VALUES ('alice', 'decide', 'screening_decision', CURRENT_TIMESTAMP)"
            )
        )
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_log")).scalars().all() == ["alice"]
    engine.dispose()


def test_sqlite_store_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    engine = open_engine(f"{tmp_path}/r.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


@pytest.mark.postgres
def test_migrations_and_models_agree(pg_url: str) -> None:
    """Upgrading to head gives exactly the schema the models declare (no forgotten column)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import evidens.store.account_models
    import evidens.store.synthesis_models  # noqa: F401 - registers their tables
    from evidens.store.models import Base

    engine = open_engine(pg_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
