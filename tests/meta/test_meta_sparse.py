"""Sparse binary data, honestly: the RISS seed's single trial 9/46 vs 0/45.

The seed review reported "NE" (not estimable) for this trial. Reference values: R metafor
3.8-1 (escalc/rma.uni with add=0.5 to='only0'; rma.peto; rma.mh), as recorded in the golden
set's cases single_9of46_vs_0of45.* — RR 18.5957 (1.11441–310.301), Peto OR 8.76934
(2.23062–34.4753), RD (MH) 0.195652 (0.0810129–0.310291), RD (IV, corrected) 0.191258
(0.0726026–0.309914). Tolerance: rtol 1e-5 (values copied to 6 significant digits).
"""

from __future__ import annotations

import json
import math

import pytest

from evidens.core import ArmData
from evidens.errors import EstimationError
from evidens.meta.arms import effects_from_arms
from evidens.meta.effects import binary_effects
from evidens.meta.mh import mantel_haenszel, peto
from evidens.meta.model import MetaAnalysis

RTOL = 1e-5
TRIAL = [
    ("Sharma 2021", ArmData("MAD", events=9, total=46), ArmData("control", events=0, total=45))
]


def _exp3(d: dict[str, float]) -> tuple[float, float, float]:
    return d["exp_estimate"], d["exp_ci_lb"], d["exp_ci_ub"]


@pytest.mark.parametrize("preset", ["metafor", "RevMan 5"])
def test_risk_ratio_with_correction(preset: str) -> None:
    res = MetaAnalysis(preset=preset).fit(effects_from_arms("RR", TRIAL)).to_dict()
    got = _exp3(res["fixed"])
    assert got == pytest.approx((18.5957, 1.11441, 310.301), rel=RTOL)


def test_peto_odds_ratio_needs_no_correction() -> None:
    res = MetaAnalysis().fit(effects_from_arms("PETO", TRIAL))
    d = res.to_dict()
    assert _exp3(d["fixed"]) == pytest.approx((8.76934, 2.23062, 34.4753), rel=RTOL)
    assert res.methods.pooling == "PETO"
    assert res.warnings == ()  # nothing was corrected


def test_risk_difference_mantel_haenszel_and_inverse_variance() -> None:
    es = effects_from_arms("RD", TRIAL)
    mh = mantel_haenszel(es).pooled
    assert (mh.estimate, mh.ci_lb, mh.ci_ub) == pytest.approx(
        (0.195652, 0.0810129, 0.310291), rel=RTOL
    )
    iv = MetaAnalysis().fit(es).to_dict()["fixed"]
    assert (iv["estimate"], iv["ci_lb"], iv["ci_ub"]) == pytest.approx(
        (0.191258, 0.0726026, 0.309914), rel=RTOL
    )


def test_correction_comes_with_a_warning_saying_why() -> None:
    res = MetaAnalysis().fit(effects_from_arms("RR", TRIAL))
    assert len(res.warnings) == 1
    text = res.warnings[0]
    assert "Sharma 2021" in text
    assert "0 events in the control arm" in text
    assert "0.5 added" in text
    assert "0.5 added" in res.methods.describe()


def test_mh_odds_ratio_of_single_zero_cell_study_is_undefined_not_invented() -> None:
    es = binary_effects("OR", ai=[9], ci=[0], n1i=[46], n2i=[45])
    pooled = mantel_haenszel(es).pooled  # metafor rma.mh gives NA here too
    assert math.isnan(pooled.estimate)


def test_not_estimable_only_without_events_in_either_arm() -> None:
    double_zero = [
        ("Null trial", ArmData("a", events=0, total=46), ArmData("b", events=0, total=45))
    ]
    for measure in ("RR", "OR"):
        with pytest.raises(EstimationError, match="not estimable"):
            MetaAnalysis().fit(effects_from_arms(measure, double_zero))
    with pytest.raises(EstimationError, match="never occurred"):
        peto(effects_from_arms("PETO", double_zero))
    rd = MetaAnalysis().fit(effects_from_arms("RD", double_zero)).to_dict()["fixed"]
    # metafor single_double_zero.uni.RD.FE: -0.000231267 (-0.0421610 to 0.0416985)
    assert (rd["estimate"], rd["ci_lb"], rd["ci_ub"]) == pytest.approx(
        (-0.000231267, -0.0421610, 0.0416985), rel=RTOL
    )


def test_double_zero_study_is_listed_as_not_estimable_beside_an_informative_one() -> None:
    studies = [
        *TRIAL,
        ("Null trial", ArmData("a", events=0, total=30), ArmData("b", events=0, total=30)),
    ]
    res = MetaAnalysis(preset="RevMan 5").fit(effects_from_arms("RR", studies))
    assert res.k == 1
    assert res.studies[1].note == "not estimable"
    assert any("Null trial" in w and "not estimable" in w for w in res.warnings)
    assert _exp3(res.to_dict()["fixed"]) == pytest.approx((18.5957, 1.11441, 310.301), rel=RTOL)
    json.dumps(res.to_dict(), allow_nan=False)
