"""The methods text says uncertain duplicate pairs were checked by a person only when a
person checked them (it said so for every review whose records were imported)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidens.services.identification import dedup, imports
from evidens.services.identification.dedup import PairChecks
from evidens.services.reporting.report import evidens_dedup_method
from evidens.services.store import ReviewStore, create_review

RIS = """TY  - JOUR
TI  - Feathered dinosaurs from the Yixian Formation of Liaoning
AU  - Xu, Xing
PY  - 2020
JO  - Nature
ER  -
TY  - JOUR
TI  - Feathered dinosaurs from the Yixian Formation of Liaoning
AU  - Xu, X
PY  - 2020
JO  - Palaeontology
ER  -
TY  - JOUR
TI  - Skin impressions of hadrosaurs
AU  - Bell, Phil
PY  - 2012
ER  -
"""


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    export = tmp_path / "pubmed.ris"
    export.write_text(RIS, encoding="utf-8")
    review = create_review(str(tmp_path / "review.db"), title="Dinosaurs")
    imports.import_file(review, export, source="PubMed", actor="alice")
    return review


def test_an_unchecked_pair_is_not_said_to_be_checked(store: ReviewStore) -> None:
    summary = dedup.deduplicate(store, actor="alice")
    assert summary.uncertain_pairs == 1  # same title, different journal: a person must say
    text = evidens_dedup_method(dedup.pair_checks(store))
    assert "checked by a person" not in text
    assert "1 uncertain pair left unchecked and kept as separate records" in text
    store.dispose()


def test_a_pair_a_person_judged_is_said_to_be_checked(store: ReviewStore) -> None:
    dedup.deduplicate(store, actor="alice")
    [pair] = dedup.pending_pairs(store)
    dedup.decide_pair(store, pair.record_a, pair.record_b, same=False, actor="alice")
    text = evidens_dedup_method(dedup.pair_checks(store))
    assert "1 uncertain pair checked by a person" in text
    assert "unchecked" not in text
    store.dispose()


@pytest.mark.parametrize(
    ("checks", "expected"),
    [
        (PairChecks(0, 0), "no pair was uncertain, so none was checked by a person"),
        (PairChecks(3, 2), "3 uncertain pairs checked by a person; 2 uncertain pairs left"),
    ],
)
def test_the_wording_follows_the_counts(checks: PairChecks, expected: str) -> None:
    assert expected in evidens_dedup_method(checks)
