# ruff: noqa: N815 - matrix and statistic names follow the literature (X, P, QE, I2)
"""RevMan 5's dichotomous analysis: Mantel–Haenszel fixed effect and DerSimonian–Laird random
effects, with 0.5 added to every cell of a study with a zero cell.

Why its own path: RevMan corrects the counts *before* Mantel–Haenszel pooling and drops
studies without events in both arms (RR, OR), whereas metafor's ``rma.mh`` pools raw counts.
Reviewers comparing with a published Cochrane review need RevMan's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.errors import EstimationError
from evidens.meta.effects import BinaryArms, EffectSizes, binary_effects
from evidens.meta.mh import CountPooling, mantel_haenszel
from evidens.meta.rma import RmaFit, fit_rma

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class RevManResult:
    """Fixed (MH) and random (DL around the MH estimate) results as RevMan 5 reports them."""

    fixed: CountPooling
    random: RmaFit
    effects: EffectSizes  # corrected per-study effects of the studies kept
    kept: NDArray[np.bool_]
    Q: float
    Q_df: int
    Qp: float
    I2_Q: float
    tau2_DL: float

    @property
    def k_excluded_double_zero(self) -> int:
        return int((~self.kept).sum())


def revman5_mh(effects: EffectSizes, *, level: float = 95.0) -> RevManResult:
    """RevMan-5-style MH/DL analysis of binary effects (RR, OR or RD)."""
    arms = effects.arms
    if not isinstance(arms, BinaryArms) or effects.measure not in ("RR", "OR", "RD"):
        raise EstimationError("RevMan's Mantel–Haenszel analysis needs 2×2 counts and RR, OR or RD")
    a, b, c, d = arms.ai, arms.bi, arms.ci, arms.di
    dz = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    keep = ~dz if effects.measure in ("RR", "OR") else np.ones(len(a), dtype=bool)
    if not keep.any():
        raise EstimationError(
            "not estimable: every study has no events (or no non-events) in both arms",
            hint="a ratio cannot be estimated without events; report the risk difference",
        )
    labels = [effects.labels[i] for i in np.flatnonzero(keep)]
    a, b, c, d = a[keep], b[keep], c[keep], d[keep]
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    a2, b2, c2, d2 = (x + 0.5 * zero for x in (a, b, c, d))
    corrected = binary_effects(
        effects.measure, ai=a2, bi=b2, ci=c2, di=d2, labels=labels, add=0.0, to="none"
    )
    corrected = _with_flags(corrected, zero)
    fixed = mantel_haenszel(corrected, level=level)
    w = 1 / corrected.vi
    kk = len(w)
    q = float((w * (corrected.yi - fixed.pooled.estimate) ** 2).sum())
    cw = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (q - (kk - 1)) / cw) if kk > 1 else 0.0
    i2 = 100 * max(0.0, (q - (kk - 1)) / q) if kk > 1 and q > 0 else 0.0
    qp = float(stats.chi2.sf(q, kk - 1)) if kk > 1 else 1.0
    random = fit_rma(corrected.yi, corrected.vi, method="DL", tau2=tau2, level=level)
    return RevManResult(fixed, random, corrected, keep, q, kk - 1, qp, i2, tau2)


def _with_flags(effects: EffectSizes, zero: NDArray[np.bool_]) -> EffectSizes:
    from dataclasses import replace

    notes = tuple(
        f"{effects.labels[i]}: a zero cell; 0.5 added to each cell (RevMan 5)"
        for i in np.flatnonzero(zero)
    )
    return replace(effects, corrected=tuple(bool(z) for z in zero), notes=notes)
