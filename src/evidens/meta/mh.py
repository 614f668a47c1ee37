# ruff: noqa: N806 - matrix and statistic names follow the literature (X, P, QE, I2)
"""Mantel–Haenszel (RR, OR, RD) and Peto pooling of 2×2 tables (metafor's ``rma.mh``/``rma.peto``).

Why separate from inverse variance: these estimators pool the raw counts, so studies with a
zero cell contribute without any continuity correction (metafor's choice). Heterogeneity (Q,
I², H²) is computed from the per-study inverse-variance effects around the pooled estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.errors import EstimationError
from evidens.meta.effects import BinaryArms, EffectSizes

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Pooled:
    """A pooled estimate with its Wald test and confidence interval (log scale for ratios)."""

    estimate: float
    se: float
    zval: float
    pval: float
    ci_lb: float
    ci_ub: float

    @classmethod
    def wald(cls, estimate: float, se: float, level: float = 95.0, df: int | None = None) -> Pooled:
        """Normal (or t with ``df``) test and interval; NaN stays NaN (not estimable)."""
        alpha = 1 - level / 100
        nan = math.nan
        if not (math.isfinite(estimate) and math.isfinite(se)) or se < 0:
            return cls(nan, nan, nan, nan, nan, nan)
        if se == 0:
            return cls(estimate, 0.0, nan, nan, estimate, estimate)
        z = estimate / se
        if df is None:
            crit, p = float(stats.norm.isf(alpha / 2)), float(2 * stats.norm.sf(abs(z)))
        else:
            crit, p = float(stats.t.isf(alpha / 2, df)), float(2 * stats.t.sf(abs(z), df))
        return cls(estimate, se, z, p, estimate - crit * se, estimate + crit * se)


@dataclass(frozen=True, eq=False)
class CountPooling:
    """Result of Mantel–Haenszel or Peto pooling, with metafor's heterogeneity statistics."""

    method: str  # "MH" or "PETO"
    measure: str
    pooled: Pooled
    k: int
    k_yi: int
    QE: float
    QEp: float
    I2: float
    H2: float
    weights: FloatArray
    tests: dict[str, float | None]

    @property
    def weights_pct(self) -> FloatArray:
        total = self.weights.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(100 * self.weights / total, dtype=np.float64)


def _het(yi: FloatArray, vi: FloatArray, est: float) -> tuple[int, float, float, float, float]:
    ok = np.isfinite(yi) & np.isfinite(vi)
    k_yi = int(ok.sum())
    if k_yi <= 1:
        return k_yi, 0.0, 1.0, 0.0, 1.0
    q = float((((yi[ok] - est) ** 2) / vi[ok]).sum())
    dfree = k_yi - 1
    i2 = 100 * max(0.0, (q - dfree) / q) if q > 0 else 0.0
    return k_yi, q, float(stats.chi2.sf(q, dfree)), i2, q / dfree


def _mh_core(measure: str, arms: BinaryArms) -> tuple[float, float, FloatArray]:
    a, b, c, d = arms.ai, arms.bi, arms.ci, arms.di
    n1, n2 = a + b, c + d
    n = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "OR":
            r_i, s_i = a * d / n, b * c / n
            R, S = float(r_i.sum()), float(s_i.sum())
            p_i, q_i = (a + d) / n, (b + c) / n
            var = (
                (p_i * r_i).sum() / (2 * R**2)
                + (p_i * s_i + q_i * r_i).sum() / (2 * R * S)
                + (q_i * s_i).sum() / (2 * S**2)
            )
            est = math.log(R / S) if R > 0 and S > 0 else math.nan
            return est, math.sqrt(var) if R > 0 and S > 0 else math.nan, s_i
        if measure == "RR":
            r_i, s_i = a * n2 / n, c * n1 / n
            R, S = float(r_i.sum()), float(s_i.sum())
            var = ((n1 * n2 * (a + c) - a * c * n) / n**2).sum() / (R * S)
            ok = R > 0 and S > 0
            return (math.log(R / S) if ok else math.nan), (math.sqrt(var) if ok else math.nan), s_i
        w = n1 * n2 / n
        W = float(w.sum())
        est = float((a * n2 / n - c * n1 / n).sum()) / W
        num = (
            est
            * (c * (n1 / n) ** 2 - a * (n2 / n) ** 2 + (n1 / n) * (n2 / n) * (n2 - n1) / 2).sum()
            + (a * (n2 - c) / n + c * (n1 - a) / n).sum() / 2
        )
        return est, math.sqrt(num / W**2), w


def mantel_haenszel(effects: EffectSizes, *, level: float = 95.0) -> CountPooling:
    """Mantel–Haenszel pooled RR, OR or RD from the raw counts (as metafor's ``rma.mh``)."""
    arms = _arms(effects, "Mantel–Haenszel")
    measure = effects.measure
    if measure not in ("RR", "OR", "RD"):
        raise EstimationError(f"Mantel–Haenszel pools RR, OR or RD, not {measure}")
    est, se, w = _mh_core(measure, arms)
    k_yi, q, qp, i2, h2 = _het(effects.yi, effects.vi, est)
    tests = _or_tests(arms, est) if measure == "OR" else {}
    return CountPooling(
        "MH", measure, Pooled.wald(est, se, level), effects.k, k_yi, q, qp, i2, h2, w, tests
    )


def _arms(effects: EffectSizes, what: str) -> BinaryArms:
    if not isinstance(effects.arms, BinaryArms):
        raise EstimationError(
            f"{what} needs 2×2 counts (events and totals per arm)",
            hint="give events/totals per arm, not only yi/vi",
        )
    return effects.arms


def _or_tests(arms: BinaryArms, log_or: float) -> dict[str, float | None]:
    """Cochran and Cochran–Mantel–Haenszel tests (0.5-corrected), Breslow–Day and Tarone."""
    a, b, c, d = arms.ai, arms.bi, arms.ci, arms.di
    n1, n2 = a + b, c + d
    n = n1 + n2
    xt, yt = a + c, b + d
    out: dict[str, float | None] = dict.fromkeys(
        ("CO", "COp", "MH", "MHp", "BD", "BDp", "TA", "TAp")
    )
    if xt.sum() == 0 or yt.sum() == 0:
        return out
    diff = abs(float((a - n1 / n * xt).sum())) - 0.5
    co = diff**2 / float(((n1 / n) * (n2 / n) * (xt * (yt / n))).sum())
    ok = n > 1
    mh = diff**2 / float(((n1 / n) * (n2 / n) * (xt * (yt / (n - 1))))[ok].sum())
    out |= {
        "CO": co,
        "COp": float(stats.chi2.sf(co, 1)),
        "MH": mh,
        "MHp": float(stats.chi2.sf(mh, 1)),
    }
    use = (xt > 0) & (yt > 0)
    if use.sum() > 1 and math.isfinite(log_or):
        bd, ta = _breslow_day(a[use], n1[use], n2[use], xt[use], math.exp(log_or))
        dfree = int(use.sum()) - 1
        out |= {
            "BD": bd,
            "BDp": float(stats.chi2.sf(bd, dfree)),
            "TA": ta,
            "TAp": float(stats.chi2.sf(ta, dfree)),
        }
    return out


def _breslow_day(
    a: FloatArray, n1: FloatArray, n2: FloatArray, xt: FloatArray, psi: float
) -> tuple[float, float]:
    qa = psi - 1
    qb = -(psi * (n1 + xt) + (n2 - xt))
    qc = psi * n1 * xt
    lo, hi = np.maximum(0, xt - n2), np.minimum(n1, xt)
    if abs(qa) < 1e-12:
        exp_a = -qc / qb
    else:
        disc = np.sqrt(qb**2 - 4 * qa * qc)
        r1, r2 = (-qb - disc) / (2 * qa), (-qb + disc) / (2 * qa)
        exp_a = np.where((r1 >= lo - 1e-9) & (r1 <= hi + 1e-9), r1, r2)
    var = 1 / (1 / exp_a + 1 / (n1 - exp_a) + 1 / (xt - exp_a) + 1 / (n2 - xt + exp_a))
    bd = float(((a - exp_a) ** 2 / var).sum())
    ta = bd - float((a - exp_a).sum()) ** 2 / float(var.sum())
    return bd, ta


def peto(effects: EffectSizes, *, level: float = 95.0) -> CountPooling:
    """Peto's one-step odds ratio; refuses when an outcome never occurs (as metafor)."""
    arms = _arms(effects, "Peto's method")
    a, b, c, d = arms.ai, arms.bi, arms.ci, arms.di
    n1, n2 = a + b, c + d
    n = n1 + n2
    xt, yt = a + c, b + d
    if xt.sum() == 0 or yt.sum() == 0:
        raise EstimationError(
            "one of the two outcomes never occurred in any study, so Peto's odds ratio "
            "is not estimable",
            hint="there is no information on the effect in these data",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(n > 1, xt * yt * (n1 / n) * (n2 / n) / (n - 1), 0.0)
    o_e = a - xt * n1 / n
    est = float(o_e.sum() / var.sum())
    k_yi = int(effects.estimable.sum())
    pos = var > 0
    q = float((o_e[pos] ** 2 / var[pos]).sum() - o_e.sum() ** 2 / var.sum())
    dfree = k_yi - 1
    qp, i2, h2 = 1.0, 0.0, 1.0
    if dfree > 0:
        qp, h2 = float(stats.chi2.sf(q, dfree)), q / dfree
        i2 = 100 * max(0.0, (q - dfree) / q) if q > 0 else 0.0
    else:
        q = 0.0
    return CountPooling(
        "PETO",
        "PETO",
        Pooled.wald(est, 1 / math.sqrt(var.sum()), level),
        effects.k,
        k_yi,
        q,
        qp,
        i2,
        h2,
        var,
        {},
    )
