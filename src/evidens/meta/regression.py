# ruff: noqa: N806, N815 - matrix and statistic names follow the literature (X, P, QE, I2)
"""Meta-regression and subgroup analysis.

Why both subgroup forms: metafor's mixed-effects model (one τ² shared by all subgroups, QM as
the test of differences) and RevMan's separate models per subgroup with a fixed-effect
Q-between test answer slightly different questions; reviewers are asked for the latter and
statisticians for the former, so each analysis reports both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evidens.meta.rma import RmaFit, design, fit_rma
from evidens.meta.tau2 import FE_METHODS

FloatArray = NDArray[np.float64]


def r_squared(fit: RmaFit) -> float:
    """metafor's pseudo-R² (%): share of τ² explained by the moderators (RE models), or of
    H² = Q/df (fixed-effect models); truncated at 0."""
    base = fit_rma(fit.yi, fit.vi, method=fit.method, test=fit.test, level=fit.level)
    if fit.method in FE_METHODS:
        ref, now = base.H2, fit.H2
    else:
        ref, now = base.tau2, fit.tau2
    if ref <= 0:
        return 0.0
    return max(0.0, 100 * (ref - now) / ref)


@dataclass(frozen=True, eq=False)
class MetaRegression:
    """A mixed-effects meta-regression and its pseudo-R²."""

    fit: RmaFit
    R2: float
    names: tuple[str, ...]


def meta_regression(
    yi: FloatArray,
    vi: FloatArray,
    mods: NDArray[np.float64],
    *,
    names: Sequence[str] | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> MetaRegression:
    """Regress effects on continuous moderators (one column each), intercept included."""
    m = np.asarray(mods, dtype=float).reshape(len(yi), -1)
    fit = fit_rma(yi, vi, X=design(len(yi), m), method=method, test=test, level=level)
    labels = tuple(names) if names else tuple(f"mod{i + 1}" for i in range(m.shape[1]))
    return MetaRegression(fit, r_squared(fit), ("intrcpt", *labels))


@dataclass(frozen=True, eq=False)
class SubgroupAnalysis:
    """Both subgroup forms: common-τ² mixed model and separate models with Q-between."""

    levels: tuple[str, ...]
    sizes: tuple[int, ...]
    mixed: RmaFit
    mixed_R2: float
    group_fit: RmaFit  # no-intercept parametrisation: one coefficient per level
    separate: dict[str, RmaFit]
    Q_between: float
    Q_between_df: int
    Q_between_p: float
    Q_total: float | None
    Q_within_sum: float | None


def subgroups(
    yi: FloatArray,
    vi: FloatArray,
    groups: Sequence[str],
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
) -> SubgroupAnalysis:
    """Subgroup analysis by a categorical variable (levels sorted, first is the reference)."""
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    g = np.asarray([str(x) for x in groups])
    ok = np.isfinite(y) & np.isfinite(v)
    y, v, g = y[ok], v[ok], g[ok]
    levels = tuple(sorted(set(g.tolist())))
    dummies = np.column_stack([(g == lev).astype(float) for lev in levels])
    X = np.column_stack([np.ones(len(y)), dummies[:, 1:]])
    mixed = fit_rma(y, v, X=X, method=method, test=test, level=level)
    group_fit = fit_rma(y, v, X=dummies, method=method, test=test, level=level)
    separate = {
        lev: fit_rma(y[g == lev], v[g == lev], method=method, test=test, level=level)
        for lev in levels
    }
    est = np.array([float(f.beta[0]) for f in separate.values()])
    se = np.array([float(f.se[0]) for f in separate.values()])
    between = fit_rma(est, se**2, method="FE")
    q_total = q_within = None
    if method in FE_METHODS:
        q_total = fit_rma(y, v, method="FE").QE
        q_within = float(sum(f.QE for f in separate.values()))
    return SubgroupAnalysis(
        levels,
        tuple(int((g == lev).sum()) for lev in levels),
        mixed,
        r_squared(mixed),
        group_fit,
        separate,
        between.QE,
        len(levels) - 1,
        between.QEp if len(levels) > 1 else math.nan,
        q_total,
        q_within,
    )
