# ruff: noqa: N806 - X follows the literature
"""Local inconsistency: separate direct from indirect evidence, one comparison at a time.

Why this form (Dias et al. 2010, "node-splitting"; SIDE in the contrast-based model): for a
comparison A–B, the consistency model gets one extra coefficient δ carried by the A–B contrast
of every study that includes both A and B (in a multi-arm trial whose baseline is a third
treatment C, by the row of the later of A, B against C, so the study's other contrasts stay
consistent). Then ``d_B − d_A`` is the indirect estimate, ``d_B − d_A + δ`` the direct one,
and δ their difference with its z test. The split is estimable only when A and B stay
connected without those studies (the model matrix keeps full rank); τ² is re-estimated in
every split model, as gemtc and netmeta's node-split do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.errors import EstimationError
from evidens.meta.mv import fit_rma_mv
from evidens.meta.nma import NetworkResult

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SplitComparison:
    """Direct vs indirect evidence for ``second`` minus ``first`` (treatment order)."""

    first: str
    second: str
    n_studies: int
    direct: float
    direct_se: float
    indirect: float
    indirect_se: float
    difference: float
    difference_se: float
    zval: float
    pval: float


def _split_column(res: NetworkResult, a: str, b: str) -> tuple[FloatArray, int]:
    con = res.contrasts
    rank = {t: i for i, t in enumerate(con.treatments)}
    first, second = (a, b) if rank[a] < rank[b] else (b, a)
    col = np.zeros(len(con.yi))
    studies = 0
    by_study: dict[str, list[int]] = {}
    for r, s in enumerate(con.study):
        by_study.setdefault(s, []).append(r)
    for rows in by_study.values():
        arms = {con.t2[rows[0]]} | {con.t1[r] for r in rows}
        if not {first, second} <= arms:
            continue
        studies += 1
        for r in rows:
            if con.t1[r] == second:
                col[r] = 1.0  # second vs baseline (baseline is `first` or a third treatment)
    return col, studies


def split(res: NetworkResult, a: str, b: str) -> SplitComparison | None:
    """The split for one comparison; None when it has no direct or no indirect evidence."""
    con = res.contrasts
    rank = {t: i for i, t in enumerate(con.treatments)}
    first, second = (a, b) if rank[a] < rank[b] else (b, a)
    col, n = _split_column(res, first, second)
    if n == 0:
        return None
    X = np.column_stack([res.fit.X, col])
    if np.linalg.matrix_rank(X) < X.shape[1]:
        return None  # no indirect evidence: the split coefficient is not identified
    random = list(res.fit.structures)
    try:
        fit = fit_rma_mv(
            con.yi,
            con.V,
            X,
            random=random,
            method=res.fit.method,
            level=res.fit.level,
            coef_names=[*res.fit.coef_names, "split"],
        )
    except EstimationError:
        return None
    v = np.zeros(X.shape[1])
    v[:-1] = res._vector(second, first)
    ind, ind_se, *_ = fit.contrast(v)
    w = v.copy()
    w[-1] = 1.0
    direct, direct_se, *_ = fit.contrast(w)
    delta = float(fit.beta[-1])
    delta_se = math.sqrt(float(fit.vb[-1, -1]))
    z = delta / delta_se
    p = float(2 * stats.norm.sf(abs(z)))
    return SplitComparison(first, second, n, direct, direct_se, ind, ind_se, delta, delta_se, z, p)


def split_all(res: NetworkResult) -> list[SplitComparison]:
    """Every directly compared pair with both direct and indirect evidence."""
    con = res.contrasts
    rank = {t: i for i, t in enumerate(con.treatments)}
    pairs: dict[tuple[str, str], None] = {}
    by_study: dict[str, set[str]] = {}
    for s, t1, t2 in zip(con.study, con.t1, con.t2, strict=True):
        by_study.setdefault(s, set()).update((t1, t2))
    for arms in by_study.values():
        ordered = sorted(arms, key=rank.__getitem__)
        for i, x in enumerate(ordered):
            for y in ordered[i + 1 :]:
                pairs[(x, y)] = None
    out: list[SplitComparison] = []
    for x, y in sorted(pairs, key=lambda p: (rank[p[0]], rank[p[1]])):
        one = split(res, x, y)
        if one is not None:
            out.append(one)
    return out
