"""Simulation metrics on hand-computed vectors (definitions: specs/screening-metrics.md §3)."""

from __future__ import annotations

import pytest

from evidens.errors import EstimationError
from evidens.screening.metrics import (
    atd,
    erf_at,
    loss,
    ndcg,
    padded_labels,
    recall_at,
    simulation_metrics,
    wss,
    wss_classic,
)

# N = 10, R = 2, relevant at positions 1 and 3. By hand:
# random curve round(linspace(0, 2, 10)) = 0 0 0 1 1 1 1 2 2 2 (half-to-even);
# WSS@95: m = floor(1.9) = 1, i_model = 0, i_rand = 3 -> 0.3;
# classic: ceil(1.9) = 2nd relevant at position 3 -> 7/10 − 0.05 = 0.65;
# recall@10%: k = 1 -> 1/2; ERF@10%: (c_1 − ρ_0)/R = 0.5;
# loss: (2·(10 − 0.5) − (1 + 1 + 2·8)) / (2·8) = 1/16; ATD: (1 + 3)/2 = 2;
# NDCG: (1/log2 2 + 1/log2 4)/(1/log2 2 + 1/log2 3) = 1.5/1.6309298.
Y = padded_labels([1, 0, 1], 10)


def test_wss_insights_and_classic() -> None:
    assert wss(Y, 0.95) == pytest.approx(0.3)
    assert wss_classic(Y, 0.95) == pytest.approx(0.65)


def test_recall_and_erf_at_ten_percent() -> None:
    assert recall_at(Y, 0.10) == pytest.approx(0.5)
    assert erf_at(Y, 0.10) == pytest.approx(0.5)


def test_loss_atd_ndcg() -> None:
    assert loss(Y) == pytest.approx(1 / 16)
    assert atd(Y) == pytest.approx(2.0)
    assert ndcg(Y) == pytest.approx(1.5 / 1.6309298, abs=1e-7)


def test_loss_is_zero_for_perfect_and_one_for_worst_order() -> None:
    assert loss(padded_labels([1, 1, 0, 0, 0], 5)) == pytest.approx(0.0)
    assert loss(padded_labels([0, 0, 0, 1, 1], 5)) == pytest.approx(1.0)


def test_small_r_floor_makes_insights_wss_exceed_classic() -> None:
    # R = 19: insights uses 18/19 (floor), classic needs all 19 (ceil of 18.05).
    labels = [1] * 18 + [0] * 50 + [1] + [0] * 31
    y = padded_labels(labels, 100)
    # insights: i_model = 17; ρ_i = round(19·i/99) first reaches 18 when 19·i/99 >= 17.5,
    # i.e. i = 92 (17.66 rounds to 18). classic: 19th hit at 69 -> 31/100 − 0.05.
    assert wss(y, 0.95) == pytest.approx((92 - 17) / 100)
    assert wss_classic(y, 0.95) == pytest.approx(0.26)


def test_simulation_metrics_excludes_priors_and_counts_them_in_found_all() -> None:
    metrics = simulation_metrics([1, 0, 1], n_total=12, n_priors=2)
    assert metrics.wss95 == pytest.approx(0.3)
    assert metrics.n_screened_all_found == 5
    assert set(metrics.as_dict()) >= {
        "wss95", "wss95_classic", "recall10", "erf10", "loss", "atd", "n_screened_all_found",
    }  # fmt: skip


def test_no_relevant_record_is_an_error() -> None:
    with pytest.raises(EstimationError, match="no relevant"):
        wss(padded_labels([0, 0], 5), 0.95)
