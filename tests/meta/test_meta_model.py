"""MetaAnalysis: presets, options, subgroups, serialisation, and properties that must hold for
any data (hypothesis). Numeric references: R metafor 3.8-1 via the golden set (bcg cases),
rtol 1e-6 as the golden README defines."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidens.errors import ConfigError, ValidationError
from evidens.meta.bias import egger_test, rank_test, trim_and_fill
from evidens.meta.diagnostics import cumulative, influence, leave_one_out
from evidens.meta.effects import binary_effects, continuous_effects, generic_effects
from evidens.meta.model import MetaAnalysis
from evidens.meta.rma import fit_rma

RTOL = 1e-6


@pytest.fixture(scope="module")
def golden(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "data" / "meta" / "metafor_reference.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _case(golden: dict[str, Any], case_id: str) -> dict[str, Any]:
    return next(c["result"] for c in golden["cases"] if c["id"] == case_id)


def _bcg(golden: dict[str, Any], measure: str = "RR") -> Any:
    c = golden["datasets"]["bcg"]["columns"]
    return binary_effects(
        measure, ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"], labels=c["study"]
    )


def test_metafor_preset_is_reml_inverse_variance(golden: dict[str, Any]) -> None:
    res = MetaAnalysis().fit(_bcg(golden))
    ref = _case(golden, "bcg.uni.RR.REML")
    assert res.random is not None
    assert res.random.estimate == pytest.approx(ref["estimate"], rel=RTOL)
    assert res.heterogeneity is not None
    assert res.heterogeneity.tau2 == pytest.approx(ref["tau2"], rel=RTOL)
    assert res.heterogeneity.I2_ci == pytest.approx((ref["I2_ci_lb"], ref["I2_ci_ub"]), rel=RTOL)
    assert res.prediction == pytest.approx((ref["pi_lb"], ref["pi_ub"]), rel=RTOL)
    assert "REML" in res.methods.describe()


def test_revman_preset_is_mh_fixed_and_dl_random(golden: dict[str, Any]) -> None:
    res = MetaAnalysis(preset="RevMan 5").fit(_bcg(golden))
    ref = _case(golden, "bcg.revman5.MH.RR")
    assert res.fixed is not None
    assert res.random is not None
    assert res.fixed.estimate == pytest.approx(ref["fixed"]["estimate"], rel=RTOL)
    assert res.random.estimate == pytest.approx(ref["random"]["estimate"], rel=RTOL)
    assert res.heterogeneity is not None
    assert res.heterogeneity.tau2 == pytest.approx(ref["tau2_DL"], rel=RTOL)
    assert "Mantel-Haenszel" in res.methods.describe()
    assert [s.weight_random for s in res.studies] == pytest.approx(
        ref["random"]["weights_pct"], rel=RTOL
    )


def test_explicit_options_override_the_preset(golden: dict[str, Any]) -> None:
    res = MetaAnalysis(preset="RevMan 5", pooling="IV", method="PM", test="knha").fit(_bcg(golden))
    ref = _case(golden, "bcg.uni.RR.PM.knha")
    assert res.random is not None
    assert (res.random.ci_lb, res.random.ci_ub) == pytest.approx(
        (ref["ci_lb"], ref["ci_ub"]), rel=RTOL
    )
    assert res.random.df == 12


def test_higgins_prediction_interval(golden: dict[str, Any]) -> None:
    res = MetaAnalysis(prediction="higgins").fit(_bcg(golden))
    ref = _case(golden, "bcg.pi_tk2.RR.REML")
    assert res.prediction == pytest.approx((ref["pi_lb"], ref["pi_ub"]), rel=RTOL)


def test_subgroups_report_both_forms(golden: dict[str, Any]) -> None:
    es = replace(_bcg(golden), groups=tuple(golden["datasets"]["bcg"]["columns"]["alloc"]))
    res = MetaAnalysis(method="REML").fit(es)
    ref = _case(golden, "bcg.subgroup.RR.REML.alloc")
    assert [name for name, _ in res.subgroups] == ref["levels"]
    assert res.subgroup_test is not None
    q_between, q_moderator = res.subgroup_test.Q, res.subgroup_test.QM
    assert q_between == pytest.approx(ref["Q_between"], rel=RTOL)
    assert q_moderator == pytest.approx(ref["mixed_effects_model"]["QM"], rel=RTOL)
    rnd = dict(res.subgroups)["random"].random
    assert rnd is not None
    assert rnd.estimate == pytest.approx(ref["separate"]["random"]["estimate"], rel=RTOL)
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert set(d["subgroups"]) == set(ref["levels"])


def test_result_dict_is_json_and_names_the_methods(golden: dict[str, Any]) -> None:
    d = MetaAnalysis().fit(_bcg(golden)).to_dict()
    text = json.dumps(d, allow_nan=False)
    assert d["methods"]["text"].startswith("Risk ratio")
    assert d["random"]["exp_estimate"] == pytest.approx(np.exp(d["random"]["estimate"]))
    assert len(d["studies"]) == 13
    assert "events1" in d["studies"][0]["arms"]
    assert "NaN" not in text


def test_diagnostics_match_metafor(golden: dict[str, Any]) -> None:
    es = _bcg(golden)
    fit = fit_rma(es.yi, es.vi, method="REML")
    inf = influence(fit)
    ref = _case(golden, "bcg.influence.RR.REML")
    assert list(inf.cook_d) == pytest.approx(ref["cook_d"], rel=RTOL)
    assert list(inf.is_influential) == ref["is_influential"]
    l1 = leave_one_out(fit_rma(es.yi, es.vi, method="DL"))
    assert list(l1.column("estimate")) == pytest.approx(
        _case(golden, "bcg.leave1out.RR.DL")["estimate"], rel=RTOL
    )
    cum = cumulative(fit)
    assert cum.column("estimate")[-1] == pytest.approx(float(fit.beta[0]), rel=1e-9)
    assert cum.fits[0].k == 1


def test_small_study_tests_match_metafor(golden: dict[str, Any]) -> None:
    es = _bcg(golden)
    eg = egger_test(es.yi, es.vi, model="lm")
    assert eg.pval == pytest.approx(_case(golden, "bcg.regtest.RR.lm.sei")["pval"], rel=1e-5)
    rt = rank_test(es.yi, es.vi)
    assert rt.tau == pytest.approx(_case(golden, "bcg.ranktest.RR")["tau"], rel=RTOL)
    tf = trim_and_fill(es.yi, es.vi, method="FE")
    assert tf.k0 == _case(golden, "bcg.trimfill.RR.FE.L0")["k0"]


def test_bad_options_are_refused_with_a_hint() -> None:
    with pytest.raises(ConfigError, match="unknown preset"):
        MetaAnalysis(preset="stata")
    with pytest.raises(ConfigError, match="unknown method"):
        MetaAnalysis(method="XYZ")
    with pytest.raises(ConfigError, match="unknown test"):
        MetaAnalysis(test="t")
    with pytest.raises(ValidationError, match="negative"):
        binary_effects("RR", ai=[-1], ci=[2], n1i=[10], n2i=[10])
    with pytest.raises(ValidationError, match="must be > 0"):
        continuous_effects("MD", m1i=[1], sd1i=[0], n1i=[10], m2i=[1], sd2i=[1], n2i=[10])


def test_reml_at_large_k_needs_no_k_by_k_matrix() -> None:
    rng = np.random.default_rng(7)
    k = 50_000  # a k×k float matrix would need 20 GB
    vi = rng.uniform(0.01, 0.1, k)
    yi = rng.normal(0.3, np.sqrt(vi + 0.04))
    fit = fit_rma(yi, vi, method="REML")
    assert fit.tau2 == pytest.approx(0.04, rel=0.1)  # simulated truth, sampling error ~2 %
    assert fit.tau2_ci() is not None


finite = st.floats(min_value=-3, max_value=3, allow_nan=False)
variances = st.floats(min_value=0.01, max_value=2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(finite, variances), min_size=2, max_size=25),
    st.sampled_from(["DL", "REML", "ML", "PM", "SJ", "HE", "HS", "FE"]),
    finite,
)
def test_properties_of_any_fit(data: list[tuple[float, float]], method: str, shift: float) -> None:
    yi = np.array([d[0] for d in data])
    vi = np.array([d[1] for d in data])
    fit = fit_rma(yi, vi, method=method)
    assert fit.tau2 >= 0
    assert 0 <= fit.I2 <= 100
    assert float(fit.weights_pct.sum()) == pytest.approx(100)
    assert yi.min() - 1e-9 <= float(fit.beta[0]) <= yi.max() + 1e-9
    shifted = fit_rma(yi + shift, vi, method=method)
    assert float(shifted.beta[0]) == pytest.approx(float(fit.beta[0]) + shift, abs=1e-6)
    assert shifted.tau2 == pytest.approx(fit.tau2, rel=1e-5, abs=1e-8)
    order = np.argsort(-yi)
    perm = fit_rma(yi[order], vi[order], method=method)
    assert float(perm.beta[0]) == pytest.approx(float(fit.beta[0]), abs=1e-8)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(1, 40), st.integers(0, 30), st.integers(1, 40)),
        min_size=1,
        max_size=12,
    )
)
def test_sparse_tables_never_crash_and_stay_finite(tables: list[tuple[int, int, int, int]]) -> None:
    ai = [min(a, n) for a, n, _, _ in tables]
    n1 = [n for _, n, _, _ in tables]
    ci = [min(c, n) for _, _, c, n in tables]
    n2 = [n for _, _, _, n in tables]
    es = binary_effects("RD", ai=ai, ci=ci, n1i=n1, n2i=n2, drop00=False)
    res = MetaAnalysis(preset="RevMan 5").fit(es)
    assert res.fixed is not None
    assert -1 <= res.fixed.estimate <= 1
    json.dumps(res.to_dict(), allow_nan=False)


def test_generic_effects_refuse_negative_variance() -> None:
    with pytest.raises(ValidationError, match="negative"):
        generic_effects([0.1, 0.2], [0.1, -0.1])


def test_reml_converges_where_fisher_scoring_oscillates() -> None:
    # simulated 11-study data set (benchmarks/meta.py, seed 2024) on which Fisher scoring
    # oscillates with growing steps; metafor 3.8 stops there with "did not converge"
    yi = np.array(
        [
            -0.35027,
            -0.41597,
            -0.0037440,
            0.33999,
            -0.55118,
            -0.22691,
            -0.57351,
            0.0072464,
            -1.72924,
            -0.39173,
            -0.34772,
        ]
    )
    vi = np.array(
        [
            0.21606,
            0.12801,
            0.027575,
            0.36123,
            0.20543,
            0.066364,
            0.13895,
            0.33942,
            1.02618,
            0.13757,
            0.045535,
        ]
    )
    fit = fit_rma(yi, vi, method="REML")
    assert fit.tau2 > 0

    def loglik(tau2: float) -> float:
        other = fit_rma(yi, vi, method="REML", tau2=tau2)
        stats = replace(other, method="REML").fitstats()
        assert stats is not None
        return stats.logLik

    best = loglik(fit.tau2)
    assert best >= loglik(fit.tau2 * 1.05)
    assert best >= loglik(fit.tau2 * 0.95)
