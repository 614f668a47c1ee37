"""rma.mv API beyond the golden cases: refusals with one clear message, robust clustering
rules, the class API, and agreement of ML/REML likelihood pieces with first principles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evidens.errors import ConfigError, EstimationError
from evidens.meta import GroupedEffects, MultilevelMetaAnalysis, NestedLevels, fit_rma_mv, robust


@pytest.fixture(scope="module")
def three_level() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 6, 40)
    study = np.repeat(np.arange(40), sizes)
    es = np.concatenate([np.arange(n) for n in sizes])
    k = len(study)
    vi = rng.uniform(0.02, 0.08, k)
    yi = 0.3 + rng.normal(0, 0.3, 40)[study] + rng.normal(0, 0.15, k) + rng.normal(0, np.sqrt(vi))
    return {"study": study, "es": es, "yi": yi, "vi": vi}


def test_ml_loglik_is_the_multivariate_normal_density(three_level: dict[str, np.ndarray]) -> None:
    d = three_level
    nested = NestedLevels((d["study"], d["es"]), ("study", "es"))
    fit = MultilevelMetaAnalysis(method="ML").fit(d["yi"], d["vi"], random=[nested])
    same = (d["study"][:, None] == d["study"][None, :]).astype(float)
    marg = np.diag(d["vi"]) + fit.theta[0] * same + fit.theta[1] * np.eye(len(d["yi"]))
    r = d["yi"] - fit.beta[0]
    sign, logdet = np.linalg.slogdet(marg)
    ll = -0.5 * (len(r) * math.log(2 * math.pi) + logdet + r @ np.linalg.solve(marg, r))
    assert sign > 0
    assert fit.ll == pytest.approx(ll, rel=1e-12)
    # the optimum: no direction increases the likelihood
    for i in range(2):
        for step in (1e-4, -1e-4):
            theta = fit.theta.copy()
            theta[i] = max(theta[i] + step, 0.0)
            marg2 = np.diag(d["vi"]) + theta[0] * same + theta[1] * np.eye(len(r))
            w = np.linalg.inv(marg2)
            b = (w.sum(axis=0) @ d["yi"]) / w.sum()
            r2 = d["yi"] - b
            ll2 = -0.5 * (
                len(r) * math.log(2 * math.pi) + np.linalg.slogdet(marg2)[1] + r2 @ w @ r2
            )
            assert ll2 <= fit.ll + 1e-12


def test_refusals_name_the_problem(three_level: dict[str, np.ndarray]) -> None:
    d = three_level
    with pytest.raises(ConfigError, match="unknown method"):
        MultilevelMetaAnalysis(method="DL")
    with pytest.raises(EstimationError, match="sampling variances must be positive"):
        fit_rma_mv(d["yi"], -d["vi"])
    with pytest.raises(ConfigError, match="V must have"):
        fit_rma_mv(d["yi"], d["vi"][:-1])
    with pytest.raises(ConfigError, match="unknown random-effects structure"):
        GroupedEffects(d["es"], d["study"], "AR")
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(EstimationError, match="not positive definite"):
        fit_rma_mv([0.1, 0.2], bad)


def test_robust_needs_clusters_that_contain_correlated_rows(
    three_level: dict[str, np.ndarray],
) -> None:
    d = three_level
    nested = NestedLevels((d["study"], d["es"]), ("study", "es"))
    fit = fit_rma_mv(d["yi"], d["vi"], random=[nested])
    cr1 = robust(fit, d["study"].tolist())
    assert cr1.n_clusters == 40
    assert cr1.df[0] == 39
    cr2 = robust(fit, d["study"].tolist(), "CR2")
    assert 0 < cr2.df[0] < 39  # Satterthwaite df below the number of clusters
    with pytest.raises(EstimationError, match="splits a group"):
        robust(fit, list(range(len(d["yi"]))))
