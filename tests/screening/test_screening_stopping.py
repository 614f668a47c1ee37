"""Stopping rules on hand-computed cases."""

from __future__ import annotations

import pytest

from evidens.errors import ValidationError
from evidens.screening.stopping import (
    consecutive_irrelevant_stop,
    first_stop,
    hypergeometric_stop,
    safe_stop,
)


def test_hypergeometric_p_value_by_hand() -> None:
    # 10 records, screened [1, 1, 0, 0, 0], target 50 %: K = k_n + floor(2·0.5/0.5) + 1.
    # n=1: P(X=0 | urn 6, K 3, 1) = 3/6; n=2: C(4,2)/C(7,2) = 6/21; n=3: C(5,3)/C(8,3) = 10/56;
    # n=4: k=1, K=4, urn 9: (C(5,4) + 4·C(5,3))/C(9,4) = 45/126; n=5: 126/252. Minimum 10/56.
    report = hypergeometric_stop([1, 1, 0, 0, 0], 10, target_recall=0.5, confidence=0.95)
    assert report.p_value == pytest.approx(10 / 56)
    assert not report.stop
    assert "last 3 records" in report.detail


def test_hypergeometric_stops_after_a_long_irrelevant_tail() -> None:
    labels = [1] * 40 + [0] * 560
    # K = floor(40·0.05/0.95) + 1 = 3; P(X=0) = C(657,560)/C(660,560) ≈ (100/660)³ ≈ 0.0035.
    report = hypergeometric_stop(labels, 700, target_recall=0.95, confidence=0.95)
    assert report.stop
    assert report.p_value is not None
    assert report.p_value < 0.05
    assert report.recall_estimate == pytest.approx(1.0)
    assert report.recall_low is not None
    assert 0.8 < report.recall_low <= 1.0
    assert "95%" in report.methods_text()
    assert "600 of 700" in report.methods_text()


def test_hypergeometric_does_not_stop_while_relevant_records_keep_coming() -> None:
    labels = [1, 0] * 100
    assert not hypergeometric_stop(labels, 2000).stop


def test_random_sample_form_only_uses_the_sample() -> None:
    labels = [1] * 30 + [0] * 100
    strict = hypergeometric_stop(labels, 5000, sample_start=120)
    loose = hypergeometric_stop(labels, 5000)
    assert strict.p_value is not None
    assert loose.p_value is not None
    assert strict.p_value > loose.p_value
    assert "random-sample form" in strict.rule


def test_bad_target_is_refused() -> None:
    with pytest.raises(ValidationError, match="strictly between"):
        hypergeometric_stop([1, 0], 10, target_recall=1.0)


def test_consecutive_irrelevant_heuristic() -> None:
    assert consecutive_irrelevant_stop([1, 0, 0, 0], 100, run=3).stop
    report = consecutive_irrelevant_stop([1, 0, 0, 0], 100, run=4)
    assert not report.stop
    assert report.p_value is None
    assert "no probability statement" in report.rule


def test_safe_style_needs_every_condition() -> None:
    labels = [1] * 5 + [0] * 60
    assert safe_stop(labels, 500, expected_relevant=10, run=50).stop
    assert not safe_stop(labels, 1000, expected_relevant=10, run=50).stop  # < 10 % screened
    assert not safe_stop(labels, 500, expected_relevant=40, run=50).stop  # < 2 × expected
    assert not safe_stop(labels, 500, expected_relevant=10, run=61).stop  # run too short


def test_first_stop_checks_every_ten_records() -> None:
    labels = [1] + [0] * 70
    report = first_stop(labels, 100, lambda y, n: consecutive_irrelevant_stop(y, n, run=50))
    assert report is not None
    assert report.records_screened == 60  # at 50 the run is only 49 long
    assert first_stop([1, 0, 1], 100, consecutive_irrelevant_stop) is None
