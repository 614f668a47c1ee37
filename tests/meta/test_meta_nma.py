"""Network meta-analysis beyond the golden cases: local inconsistency, contributions, RoB,
P-score direction, contrast-level input and refusals (datasets from the rma.mv golden file)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evidens.errors import ConfigError, EstimationError
from evidens.meta.golden_nma import dataset_contrasts
from evidens.meta.nma import NetworkMetaAnalysis
from evidens.meta.nma_contribution import contribution_matrix, within_study_bias
from evidens.meta.nma_data import contrasts_from_effects
from evidens.meta.nma_split import split, split_all


@pytest.fixture(scope="module")
def golden(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "data" / "meta" / "metafor_mv_reference.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def senn(golden: dict[str, Any]) -> Any:
    return dataset_contrasts(golden["datasets"]["senn2013"], {"measure": "MD"})


def test_split_direct_evidence_of_a_single_trial_is_that_trial(senn: Any) -> None:
    res = NetworkMetaAnalysis(model="FE").fit(senn)
    row = next(
        i
        for i, (a, b) in enumerate(zip(senn.t1, senn.t2, strict=True))
        if (a, b) == ("pioglitazone", "placebo")
    )
    s = split(res, "placebo", "pioglitazone")
    assert s is not None
    assert s.n_studies == 1
    assert s.direct == pytest.approx(senn.yi[row], abs=1e-12)
    assert s.direct_se == pytest.approx(math.sqrt(senn.V[row, row]), rel=1e-9)
    assert s.difference == pytest.approx(s.direct - s.indirect, abs=1e-12)
    # fixed effect: direct and indirect evidence are independent
    assert s.difference_se**2 == pytest.approx(s.direct_se**2 + s.indirect_se**2, rel=1e-8)


def test_split_is_not_estimable_without_indirect_evidence(senn: Any) -> None:
    res = NetworkMetaAnalysis(model="RE").fit(senn)
    assert split(res, "placebo", "benfluorex") is None  # a spur: only direct evidence
    pairs = {(s.first, s.second) for s in split_all(res)}
    assert ("placebo", "metformin") in pairs
    assert ("placebo", "miglitol") not in pairs


def test_contributions_sum_to_one_and_a_spur_is_its_own_evidence(senn: Any) -> None:
    res = NetworkMetaAnalysis(model="RE").fit(senn)
    cm = contribution_matrix(res)
    assert np.allclose(cm.share.sum(axis=1), 1.0)
    assert (cm.share >= 0).all()
    r = cm.estimates.index(("placebo", "benfluorex"))
    c = cm.comparisons.index(("placebo", "benfluorex"))
    assert cm.share[r, c] == pytest.approx(1.0)
    mixed = cm.estimates.index(("placebo", "metformin"))
    assert 0.3 < cm.share[mixed, cm.comparisons.index(("placebo", "metformin"))] < 1.0


def test_within_study_bias_shares_follow_the_rob_of_contributing_studies(senn: Any) -> None:
    res = NetworkMetaAnalysis(model="RE").fit(senn)
    studies = list(dict.fromkeys(senn.study))
    all_high = within_study_bias(res, dict.fromkeys(studies, "high"))
    assert all(b.high == pytest.approx(1.0) and b.judgement == "high" for b in all_high)
    benf = {s for s, t in zip(senn.study, senn.t1, strict=True) if t == "benfluorex"}
    rob = {s: ("low" if s in benf else "high") for s in studies}
    prof = next(b for b in within_study_bias(res, rob) if b.second == "benfluorex")
    assert prof.low == pytest.approx(1.0)
    assert prof.judgement == "low"
    with pytest.raises(ConfigError, match="risk-of-bias level"):
        within_study_bias(res, dict.fromkeys(studies, "dreadful"))


def test_pscores_reverse_with_the_direction_of_benefit(senn: Any) -> None:
    good = NetworkMetaAnalysis(small_values="good").fit(senn).pscores()
    bad = NetworkMetaAnalysis(small_values="bad").fit(senn).pscores()
    assert np.allclose(good + bad, 1.0)
    assert good.mean() == pytest.approx(0.5)


def test_contrast_level_input_reproduces_the_arm_level_fit(senn: Any) -> None:
    arm = NetworkMetaAnalysis(model="RE").fit(senn)
    base_var = [
        float(senn.V[i, j]) if j is not None else None
        for i, j in (
            (
                i,
                next(
                    (j for j in range(len(senn.yi)) if j != i and senn.study[j] == senn.study[i]),
                    None,
                ),
            )
            for i in range(len(senn.yi))
        )
    ]
    con = contrasts_from_effects(
        senn.study,
        senn.t1,
        senn.t2,
        senn.yi,
        senn.vi,
        baseline_variance=base_var,
        treatments=senn.treatments,
    )
    fit = NetworkMetaAnalysis(model="RE").fit(con)
    assert np.allclose(fit.fit.beta, arm.fit.beta, rtol=1e-9)
    with pytest.raises(ConfigError, match="baseline arm's variance"):
        contrasts_from_effects(senn.study, senn.t1, senn.t2, senn.yi, senn.vi)


def test_disconnected_network_is_refused_with_its_components(golden: dict[str, Any]) -> None:
    con = dataset_contrasts(golden["datasets"]["hasselblad1998_disconnected"], {"measure": "OR"})
    with pytest.raises(EstimationError, match="2 components"):
        NetworkMetaAnalysis().fit(con)
