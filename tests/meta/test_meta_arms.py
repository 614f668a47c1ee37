"""effects_from_arms: the services' entry point from extracted ArmData to a fitted analysis.

Reference values: R metafor 3.8-1 (golden set cases normand1999.uni.MD.FE, bcg.mh.OR), rtol 1e-6.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evidens.core import ArmData
from evidens.errors import ValidationError
from evidens.meta import MetaAnalysis, effects_from_arms

RTOL = 1e-6


@pytest.fixture(scope="module")
def golden(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "data" / "meta" / "metafor_reference.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _case(golden: dict[str, Any], case_id: str) -> dict[str, Any]:
    return next(c["result"] for c in golden["cases"] if c["id"] == case_id)


def test_continuous_arms_mean_difference(golden: dict[str, Any]) -> None:
    c = golden["datasets"]["normand1999"]["columns"]
    studies = [
        (
            c["study"][i],
            ArmData("t", mean=c["m1i"][i], sd=c["sd1i"][i], n=c["n1i"][i]),
            ArmData("c", mean=c["m2i"][i], sd=c["sd2i"][i], n=c["n2i"][i]),
        )
        for i in range(len(c["m1i"]))
    ]
    res = MetaAnalysis(method="FE").fit(effects_from_arms("MD", studies))
    assert res.random is None
    assert res.fixed is not None
    assert res.fixed.estimate == pytest.approx(
        _case(golden, "normand1999.uni.MD.FE")["estimate"], rel=RTOL
    )
    assert res.studies[0].arms["sd1"] == c["sd1i"][0]


def test_binary_arms_mantel_haenszel_under_metafor_preset(golden: dict[str, Any]) -> None:
    c = golden["datasets"]["bcg"]["columns"]
    studies = [
        (
            c["study"][i],
            ArmData("t", events=c["ai"][i], total=c["n1i"][i]),
            ArmData("c", events=c["ci"][i], total=c["n2i"][i]),
        )
        for i in range(13)
    ]
    res = MetaAnalysis(pooling="MH", method="DL").fit(effects_from_arms("OR", studies))
    ref = _case(golden, "bcg.mh.OR")
    assert res.fixed is not None
    assert (res.fixed.estimate, res.fixed.se) == pytest.approx(
        (ref["estimate"], ref["se"]), rel=RTOL
    )
    assert res.methods.pooling == "MH"
    assert "MH pooled on raw counts" not in res.methods.describe()  # no zero cells in BCG


def test_missing_and_impossible_arm_data_are_refused() -> None:
    with pytest.raises(ValidationError, match="has no total"):
        effects_from_arms("RR", [("A", ArmData("t", events=1), ArmData("c", events=2, total=9))])
    with pytest.raises(ValidationError, match="12 events out of 10"):
        effects_from_arms(
            "RR", [("A", ArmData("t", events=12, total=10), ArmData("c", events=2, total=9))]
        )
    with pytest.raises(ValidationError, match="has no sd"):
        effects_from_arms(
            "SMD", [("A", ArmData("t", mean=1, n=5), ArmData("c", mean=1, sd=1, n=5))]
        )


def test_groups_make_subgroups() -> None:
    arms = [
        (f"S{i}", ArmData("t", events=3 + i, total=50), ArmData("c", events=6 + i, total=50))
        for i in range(4)
    ]
    res = MetaAnalysis(method="DL").fit(effects_from_arms("RR", arms, groups=["a", "a", "b", "b"]))
    assert [name for name, _ in res.subgroups] == ["a", "b"]
    assert res.subgroup_test is not None
    assert res.subgroup_test.df == 1
    assert [s.group for s in res.studies] == ["a", "a", "b", "b"]
