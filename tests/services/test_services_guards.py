"""Guards found while building the web app: a review never touches another review's records,
large id lists are chunked, agreement intervals stay inside the coefficients' range."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from evidens.errors import NotFoundError
from evidens.screening.agreement import agreement_from_table
from evidens.services.identification import dedup, imports
from evidens.services.review import records
from evidens.services.store import ReviewStore, create_review


def test_a_pair_decision_cannot_name_another_reviews_record(
    review: ReviewStore, store_url: str, tmp_path: Path
) -> None:
    other = create_review(store_url, title="Another review", slug="another")
    try:
        path = tmp_path / "other.ris"
        path.write_text("TY  - JOUR\nTI  - Someone else's record\nER  -\n", encoding="utf-8")
        imports.import_file(other, path, source="PubMed", actor="them")
        with other.engine.connect() as conn:
            theirs = conn.execute(
                text("SELECT id FROM records WHERE review_id = :r"), {"r": other.review_id}
            ).scalar()
            mine = conn.execute(
                text("SELECT min(id) FROM records WHERE review_id = :r"), {"r": review.review_id}
            ).scalar()
        with pytest.raises(NotFoundError, match=f"no record {theirs} in this review"):
            dedup.decide_pair(review, mine, theirs, same=True, actor="alice")
    finally:
        other.dispose()


def test_record_loading_is_chunked_below_the_parameter_limit(
    review: ReviewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "IN_CHUNK", 2)
    with Session(review.engine) as session:
        ids = list(session.scalars(text("SELECT id FROM records")))
        loaded = records.load_records(session, ids)
    assert sorted(loaded) == sorted(ids)
    assert len(ids) == 5


def test_agreement_intervals_stay_within_minus_one_and_one() -> None:
    result = agreement_from_table([[1, 1], [1, 0]])
    for coefficient in (result.kappa, result.pabak, result.ac1):
        assert -1.0 <= coefficient.ci_low <= coefficient.value <= coefficient.ci_high <= 1.0
    assert result.pabak.ci_low == -1.0
