"""The eleventh migration (screening labels) on SQLite and PostgreSQL: a store with records,
taken down to 0010, upgrades to a ``record_labels`` table that keeps one label per (record,
stage, member, label) and goes with its record; downgrading drops it and keeps the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from evidens.services.identification import imports
from evidens.services.store import create_review
from evidens.store import current_revision, head_revision, upgrade
from evidens.store.migrate import alembic_config

RIS = "TY  - JOUR\nTI  - A trial of diet in infants\nPY  - 2020\nER  - \n"
LABEL = (
    "INSERT INTO record_labels (review_id, record_id, stage, member, label, created_at) "
    "VALUES (:review, :record, 'title_abstract', 'alice', :label, CURRENT_TIMESTAMP)"
)


def test_labels_migration_upgrades_keeps_one_label_and_downgrades(
    store_url: str, tmp_path: Path
) -> None:
    store = create_review(store_url, title="A review")
    export = tmp_path / "a.ris"
    export.write_text(RIS, encoding="utf-8")
    imports.import_file(store, export, source="PubMed", actor="alice")
    engine = store.engine
    command.downgrade(alembic_config(engine), "0010")
    assert "record_labels" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        record = conn.execute(text("SELECT id FROM records")).scalar_one()
    values = {"review": store.review_id, "record": record}
    with engine.begin() as conn:
        conn.execute(text(LABEL), {**values, "label": "background"})
        conn.execute(text(LABEL), {**values, "label": "check protocol"})
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(LABEL), {**values, "label": "background"})
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM records"))
        assert conn.execute(text("SELECT count(*) FROM record_labels")).scalar_one() == 0
    command.downgrade(alembic_config(engine), "0010")
    assert "record_labels" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM reviews")).scalar_one() == "A review"
    store.dispose()
