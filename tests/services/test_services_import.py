"""Imports are all or nothing: a bad file or a failure half-way leaves the store as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from evidens.errors import FormatError, ReviewStateError
from evidens.services.identification import imports
from evidens.services.store import ReviewStore

TABLES = ("sources", "import_batches", "records", "audit_log")


def row_counts(store: ReviewStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def test_import_records_batch_report_and_audit(review: ReviewStore) -> None:
    counts = row_counts(review)
    assert counts["records"] == 5
    assert counts["import_batches"] == 1
    with review.engine.connect() as conn:
        report = conn.execute(text("SELECT format, records_read FROM import_batches")).one()
        actions = conn.execute(text("SELECT action FROM audit_log ORDER BY id")).scalars().all()
    assert tuple(report) == ("ris", 5)
    assert "import" in actions


def test_a_truncated_file_leaves_the_store_unchanged(
    review: ReviewStore, tmp_path: Path, ris_file: Path
) -> None:
    before = row_counts(review)
    broken = tmp_path / "embase.ris"
    broken.write_text(ris_file.read_text(encoding="utf-8")[:300], encoding="utf-8")
    with pytest.raises(FormatError) as info:
        imports.import_file(review, broken, source="Embase", actor="importer")
    assert "embase.ris" in str(info.value)
    assert row_counts(review) == before


def test_a_binary_file_is_refused_naming_it(review: ReviewStore, tmp_path: Path) -> None:
    before = row_counts(review)
    blob = tmp_path / "export.ris"
    blob.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(FormatError, match=r"export\.ris"):
        imports.import_file(review, blob, source="Scopus", actor="importer")
    assert row_counts(review) == before


def test_the_same_file_is_not_imported_twice(review: ReviewStore, ris_file: Path) -> None:
    before = row_counts(review)
    with pytest.raises(ReviewStateError, match="already imported"):
        imports.import_file(review, ris_file, source="Embase", actor="importer")
    assert row_counts(review) == before


def test_a_database_failure_half_way_rolls_the_whole_file_back(
    review: ReviewStore, tmp_path: Path, ris_file: Path
) -> None:
    """A real failure inside the transaction (a trigger refusing the 4th record, after the
    batch row and three records were written) must leave nothing behind."""
    with review.engine.begin() as conn:
        if review.engine.dialect.name == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_fourth BEFORE INSERT ON records WHEN NEW.ordinal = 4 "
                    "BEGIN SELECT RAISE(ABORT, 'disk full (simulated by a trigger)'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_fourth() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "IF NEW.ordinal = 4 THEN RAISE EXCEPTION 'disk full (simulated by a trigger)'; "
                    "END IF; RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_fourth BEFORE INSERT ON records "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_fourth()"
                )
            )
    before = row_counts(review)
    other = tmp_path / "scopus.ris"
    other.write_text(
        ris_file.read_text(encoding="utf-8").replace("evidens.test", "other"), encoding="utf-8"
    )
    with pytest.raises(DBAPIError, match="disk full"):
        imports.import_file(review, other, source="Scopus", actor="importer")
    assert row_counts(review) == before
