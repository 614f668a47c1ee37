"""Absolute effects per 1000, NNT and the single-study effects, against published values.

Provenance: methods.md §7 test vectors (Cochrane Handbook 5.1 §12.5.4 examples; HR vectors
computed there by hand) and R metafor 3.8-1 golden values in
../shared/data/meta/metafor_reference.json.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.errors import ValidationError
from evidens.grade import (
    BaselineRisk,
    EffectEstimate,
    Measure,
    corrected_ratio,
    corresponding_risk,
    from_relative,
    from_risk_difference,
    needed_to_treat,
    wald_risk_difference,
)
from evidens.grade.absolute import round_half_away, span_text

METAFOR_TOL = 1e-9  # metafor golden values are printed to full double precision


def _effect(measure: Measure, value: float) -> EffectEstimate:
    return EffectEstimate(measure, value, value, value)


@pytest.mark.parametrize(
    ("measure", "effect", "acr", "acr_per_1000", "risk_per_1000", "difference"),
    [
        (Measure.RR, 0.92, 0.30, 300, 276, -24),  # Handbook 5.1 §12.5.4.2
        (Measure.OR, 0.73, 0.30, 300, 238, -62),  # Handbook 5.1 §12.5.4.3
        (Measure.HR, 0.79, 0.0525, 53, 42, -11),  # methods.md §7 (52.5 rounds half up)
        (Measure.HR, 0.50, 0.20, 200, 106, -94),  # methods.md §7
    ],
)
def test_absolute_effect_matches_handbook_vectors(
    measure: Measure,
    effect: float,
    acr: float,
    acr_per_1000: int,
    risk_per_1000: int,
    difference: int,
) -> None:
    result = from_relative(_effect(measure, effect), BaselineRisk("x", acr))
    assert result.intervention_risk == risk_per_1000
    assert result.difference == difference
    assert result.comparator_risk == acr_per_1000


def test_nnt_is_rounded_up_as_in_the_handbook() -> None:
    # OR 0.73 at ACR 0.30: risk difference 0.0617 -> NNT 17 (Handbook 5.1 §12.5.4.3)
    rd = 0.30 - corresponding_risk(Measure.OR, 0.30, 0.73)
    assert needed_to_treat(rd) == 17
    assert needed_to_treat(0.0) is None
    assert needed_to_treat(0.25) == 4  # exactly 4, not 5: no spurious rounding up


def test_ci_limits_are_converted_with_the_same_formula() -> None:
    rr = EffectEstimate(Measure.RR, 0.80, 0.60, 1.10)
    result = from_relative(rr, BaselineRisk("Moderate risk", 0.10))
    assert (result.difference, result.difference_low, result.difference_high) == (-20, -40, 10)
    assert result.text == "20 fewer per 1000 (40 fewer to 10 more)"


@pytest.fixture(scope="module")
def metafor(shared_dir: Path) -> dict[str, Any]:
    data = json.loads((shared_dir / "data/meta/metafor_reference.json").read_text())
    return {case["id"]: case["result"] for case in data["cases"]}


def test_zero_event_risk_difference_is_the_uncorrected_wald_one(metafor: dict[str, Any]) -> None:
    """9/46 vs 0/45 must read 196 more per 1000 (81 to 310 more): metafor's rma.mh RD for a
    single study (no continuity correction) gives exactly that; escalc's 0.5-corrected RD
    gives 191 (73 to 310) and is therefore not the one used."""
    rd = wald_risk_difference(9, 46, 0, 45)
    ref = metafor["single_9of46_vs_0of45.mh.RD"]
    assert rd.values() == pytest.approx(
        (ref["estimate"], ref["ci_lb"], ref["ci_ub"]), abs=METAFOR_TOL
    )
    effect = from_risk_difference(rd, BaselineRisk("Study population", 0 / 45))
    assert effect.text == "196 more per 1000 (81 to 310 more)"
    corrected = metafor["single_9of46_vs_0of45.uni.RD.FE"]
    assert round(corrected["ci_lb"] * 1000) == 73  # what the 0.5 correction would have shown


@pytest.mark.parametrize("events", [9, 11, 30])
def test_single_study_rd_matches_metafor_mh(metafor: dict[str, Any], events: int) -> None:
    ref = metafor[f"single_{events}of46_vs_0of45.mh.RD"]
    got = wald_risk_difference(events, 46, 0, 45).values()
    assert got == pytest.approx((ref["estimate"], ref["ci_lb"], ref["ci_ub"]), abs=METAFOR_TOL)


@pytest.mark.parametrize(("measure", "events"), [("RR", 9), ("OR", 9), ("RR", 30), ("OR", 11)])
def test_corrected_ratio_matches_metafor_escalc(
    metafor: dict[str, Any], measure: str, events: int
) -> None:
    ref = metafor[f"single_{events}of46_vs_0of45.uni.{measure}.FE"]  # log scale
    got = corrected_ratio(Measure(measure), events, 46, 0, 45)
    assert [math.log(v) for v in got.values()] == pytest.approx(
        [ref["estimate"], ref["ci_lb"], ref["ci_ub"]], abs=METAFOR_TOL
    )
    assert "0.5" in got.method


def test_double_zero_ratio_is_not_estimable() -> None:
    effect = corrected_ratio(Measure.RR, 0, 46, 0, 45)
    assert not effect.estimable
    assert from_relative(effect, BaselineRisk("x", 0.1)).text == "not estimable"


def test_impossible_counts_and_risks_are_refused() -> None:
    with pytest.raises(ValidationError, match="9/5"):
        wald_risk_difference(9, 5, 0, 45)
    with pytest.raises(ValidationError, match="not a proportion"):
        corresponding_risk(Measure.RR, 1.5, 0.8)


def test_span_text_words_both_directions() -> None:
    assert span_text(81, 310) == "81 to 310 more"
    assert span_text(-40, -10) == "40 to 10 fewer"
    assert span_text(-24, 13) == "24 fewer to 13 more"
    assert round_half_away(2.5) == 3
    assert round_half_away(-2.5) == -3


risks = st.floats(min_value=0.001, max_value=0.999)
ratios = st.floats(min_value=0.01, max_value=100.0)


@given(acr=risks, effect=ratios, measure=st.sampled_from([Measure.RR, Measure.OR, Measure.HR]))
def test_corresponding_risk_is_a_proportion_moving_with_the_effect(
    acr: float, effect: float, measure: Measure
) -> None:
    risk = corresponding_risk(measure, acr, effect)
    assert 0.0 <= risk <= 1.0
    assert corresponding_risk(measure, acr, 1.0) == pytest.approx(acr)
    bigger = corresponding_risk(measure, acr, effect * 1.5)
    assert bigger >= risk - 1e-12


@given(acr=risks, low=ratios, high=ratios)
def test_absolute_ci_brackets_the_estimate(acr: float, low: float, high: float) -> None:
    low, high = min(low, high), max(low, high)
    mid = math.sqrt(low * high)
    for measure in (Measure.RR, Measure.OR, Measure.HR):
        result = from_relative(EffectEstimate(measure, mid, low, high), BaselineRisk("x", acr))
        assert result.difference_low is not None
        assert result.difference_high is not None
        assert result.difference is not None
        assert result.difference_low <= result.difference <= result.difference_high
