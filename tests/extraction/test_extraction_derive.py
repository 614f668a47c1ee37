"""Derived numbers checked against values worked out by hand from the published formulas.

Provenance: Cochrane Handbook §6.5.2 (SD from SE and CI, Table 6.5.a for combining groups),
Wan et al. 2014 (IQR and range), Hozo et al. 2005 (range). Quantiles come from printed
tables (t(0.975, 24) = 2.0639, z(0.975) = 1.95996) or from Python's own NormalDist, not from
the scipy calls the code uses.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from evidens.errors import ValidationError
from evidens.extraction import (
    combine_binary,
    combine_groups,
    events_from_percentage,
    mean_from_median_iqr,
    mean_from_median_range,
    sd_from_ci,
    sd_from_iqr,
    sd_from_range,
    sd_from_se,
)

TABLE = 1e-4  # relative tolerance against 4-5 digit printed table quantiles
EXACT = 1e-12  # closed-form arithmetic


def test_sd_from_se() -> None:
    derived = sd_from_se(1.5, 36)  # 1.5 × 6
    assert derived.value == pytest.approx(9.0, rel=EXACT)
    assert derived.formula == "SD = SE × √n"
    assert dict(derived.inputs) == {"se": 1.5, "n": 36.0}


def test_sd_from_ci_uses_t_for_small_groups() -> None:
    derived = sd_from_ci(10.0, 20.0, 25)
    assert derived.value == pytest.approx(5 * 10 / (2 * 2.0639), rel=TABLE)  # = 12.1130
    assert "(t)" in derived.method
    assert "t(1 − α/2, n − 1)" in derived.formula


def test_sd_from_ci_uses_z_for_large_groups() -> None:
    derived = sd_from_ci(4.0, 6.0, 100)
    assert derived.value == pytest.approx(10 * 2 / 3.919928, rel=TABLE)  # = 5.1021
    assert "(z)" in derived.method
    forced = sd_from_ci(4.0, 6.0, 100, distribution="t")
    assert forced.value < derived.value  # t quantile (99 df) is wider than z


def test_sd_from_iqr_wan_2014() -> None:
    n = 50
    expected = (18.0 - 10.0) / (2 * NormalDist().inv_cdf((0.75 * n - 0.125) / (n + 0.25)))
    derived = sd_from_iqr(10.0, 18.0, n)
    assert derived.value == pytest.approx(expected, rel=1e-9)
    assert "Wan 2014" in derived.method
    # for large n the Wan formula tends to the familiar IQR / 1.35
    assert sd_from_iqr(0.0, 1.35, 100_000).value == pytest.approx(1.0, rel=1e-3)


def test_sd_from_range_wan_2014() -> None:
    n = 30
    expected = (30.0 - 10.0) / (2 * NormalDist().inv_cdf((n - 0.375) / (n + 0.25)))
    assert sd_from_range(10.0, 30.0, n).value == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("n", "expected"), [(30, 20 / 4), (100, 20 / 6)])
def test_sd_from_range_hozo_2005_rules_of_thumb(n: int, expected: float) -> None:
    derived = sd_from_range(10.0, 30.0, n, method="hozo2005")
    assert derived.value == pytest.approx(expected, rel=EXACT)
    assert "Hozo 2005" in derived.method


def test_sd_from_range_hozo_2005_small_sample_needs_median() -> None:
    # ((2 − 2·5 + 14)² / 4 + 12²) / 12 = (9 + 144) / 12 = 12.75
    derived = sd_from_range(2.0, 14.0, 10, median=5.0, method="hozo2005")
    assert derived.value == pytest.approx(math.sqrt(12.75), rel=EXACT)
    with pytest.raises(ValidationError, match="needs the median"):
        sd_from_range(2.0, 14.0, 10, method="hozo2005")


def test_means_from_medians() -> None:
    assert mean_from_median_iqr(4.0, 6.0, 11.0).value == pytest.approx(7.0, rel=EXACT)
    assert mean_from_median_range(1.0, 6.0, 19.0).value == pytest.approx(8.0, rel=EXACT)


def test_combine_groups_matches_pooled_sums_of_squares() -> None:
    n, mean, sd = combine_groups(10, 5.0, 2.0, n2=20, mean2=8.0, sd2=3.0)
    # by hand: M = (50 + 160) / 30 = 7; total SS = 9·4 + 10·(5−7)² + 19·9 + 20·(8−7)² = 267
    assert n.value == 30
    assert mean.value == pytest.approx(7.0, rel=EXACT)
    assert sd.value == pytest.approx(math.sqrt(267 / 29), rel=1e-12)
    assert "Table 6.5.a" in sd.method


def test_combine_binary_adds_events_and_totals() -> None:
    events, total = combine_binary(3, 20, 5, 22)
    assert (events.value, total.value) == (8, 42)


@pytest.mark.parametrize(
    ("percent", "total", "events"),
    [(23.9, 46, 11), (65.2, 46, 30), (19.6, 46, 9), (0.0, 45, 0)],  # the seed's Table 4
)
def test_events_from_percentage(percent: float, total: int, events: int) -> None:
    derived = events_from_percentage(percent, total)
    assert derived.value == events
    assert derived.formula == "events = round(percent / 100 × total)"


def test_events_from_inconsistent_percentage_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a whole number of events"):
        events_from_percentage(33.3, 46)  # 15/46 = 32.6%, 16/46 = 34.8%


@pytest.mark.parametrize(
    "call",
    [
        lambda: sd_from_se(0.0, 10),
        lambda: sd_from_se(1.0, 0),
        lambda: sd_from_ci(6.0, 4.0, 10),
        lambda: sd_from_iqr(8.0, 3.0, 10),
        lambda: events_from_percentage(120.0, 10),
    ],
)
def test_impossible_inputs_are_refused(call) -> None:
    with pytest.raises(ValidationError):
        call()
