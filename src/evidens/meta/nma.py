# ruff: noqa: N806 - X, V follow the literature
"""Network meta-analysis, contrast-based, fitted as metafor fits it with ``rma.mv``.

Basic parameters ``d_t = μ_t − μ_ref``; each within-study contrast t1 vs t2 has design row
``+1`` at t1, ``−1`` at t2 (the reference column dropped). Random effects (``model="RE"``):
``~ comp | study`` with compound symmetry and ρ = ½, i.e. every contrast has heterogeneity
τ² and two contrasts of a study covary τ²/2 — the standard consistency model, independent of
which arm is the baseline. ``random_inconsistency`` adds Law et al.'s (2016) design-level
effects (γ², φ = ½). The design-by-treatment interaction model (Higgins et al. 2012) is
:meth:`NetworkMetaAnalysis.inconsistency`.

Typical use::

    con = contrasts_from_arms(arms, "OR", treatments=[...])
    res = NetworkMetaAnalysis(reference="placebo", small_values="good").fit(con)
    res.league()  ;  res.pscores()  ;  res.inconsistency().QM
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.errors import ConfigError, EstimationError
from evidens.meta.mv import MvFit, fit_rma_mv
from evidens.meta.mv_structures import GroupedEffects, Structure
from evidens.meta.nma_data import NetworkContrasts

FloatArray = NDArray[np.float64]
MODELS = ("FE", "RE", "random_inconsistency")


def components(contrasts: NetworkContrasts) -> list[set[str]]:
    """Connected sub-networks (treatments linked by at least one study)."""
    parent = {t: t for t in contrasts.treatments}

    def find(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for a, b in zip(contrasts.t1, contrasts.t2, strict=True):
        parent[find(a)] = find(b)
    used = set(contrasts.t1) | set(contrasts.t2)
    groups: dict[str, set[str]] = {}
    for t in contrasts.treatments:
        if t in used:
            groups.setdefault(find(t), set()).add(t)
    return list(groups.values())


@dataclass(frozen=True)
class League:
    """T × T matrices, [i][j] = treatment i minus treatment j (row minus column)."""

    treatments: tuple[str, ...]
    estimate: FloatArray
    se: FloatArray
    ci_lb: FloatArray
    ci_ub: FloatArray
    zval: FloatArray
    pval: FloatArray


@dataclass(frozen=True)
class InconsistencyTest:
    """Design-by-treatment interaction: Wald test of the design-specific columns."""

    QM: float
    df: int
    pval: float
    fit: MvFit
    Q_total: float
    Q_within: float
    designs: tuple[str, ...]

    @property
    def Q_between(self) -> float:  # noqa: N802 - the literature's name
        return self.Q_total - self.Q_within


@dataclass(frozen=True, eq=False)
class NetworkResult:
    """A fitted network: basic parameters in ``fit`` (one per non-reference treatment)."""

    contrasts: NetworkContrasts
    reference: str
    model: str
    small_values: str
    fit: MvFit
    analysis: NetworkMetaAnalysis

    @property
    def treatments(self) -> tuple[str, ...]:
        return self.contrasts.treatments

    def _vector(self, i: str, j: str) -> FloatArray:
        names = [t for t in self.treatments if t != self.reference]
        v = np.zeros(len(names))
        if i != self.reference:
            v[names.index(i)] += 1
        if j != self.reference:
            v[names.index(j)] -= 1
        return v

    def league(self) -> League:
        """Every pairwise comparison, from the basic parameters and their covariance."""
        ts = self.treatments
        n = len(ts)
        est, se = np.zeros((n, n)), np.zeros((n, n))
        lb, ub = np.zeros((n, n)), np.zeros((n, n))
        z, p = np.full((n, n), np.nan), np.full((n, n), np.nan)
        for a, ta in enumerate(ts):
            for b, tb in enumerate(ts):
                if a == b:
                    continue
                e, s, zz, pp, lo, hi = self.fit.contrast(self._vector(ta, tb))
                est[a, b], se[a, b], z[a, b], p[a, b], lb[a, b], ub[a, b] = e, s, zz, pp, lo, hi
        return League(ts, est, se, lb, ub, z, p)

    def versus_reference(
        self, reference: str | None = None
    ) -> list[tuple[str, float, float, float]]:
        """(treatment, estimate, CI lower, CI upper) of every treatment against ``reference``."""
        ref = reference or self.reference
        out = []
        for t in self.treatments:
            if t != ref:
                e, _, _, _, lo, hi = self.fit.contrast(self._vector(t, ref))
                out.append((t, e, lo, hi))
        return out

    def pscore_matrix(self) -> FloatArray:
        """Φ(z_ij): the certainty that i is better than j (direction from ``small_values``)."""
        lg = self.league()
        sign = -1.0 if self.small_values == "good" else 1.0
        with np.errstate(invalid="ignore", divide="ignore"):
            z = sign * lg.estimate / lg.se
        m = np.asarray(stats.norm.cdf(z), dtype=np.float64)
        np.fill_diagonal(m, np.nan)
        return m

    def pscores(self) -> FloatArray:
        """P-scores (Rücker & Schwarzer 2015): mean certainty of being better than the others.

        1 = better than every other treatment with certainty. "Better" means smaller values
        when ``small_values == "good"`` (e.g. mortality), larger otherwise (e.g. response)."""
        m = self.pscore_matrix()
        return np.asarray(np.nanmean(m, axis=1), dtype=np.float64)

    def inconsistency(self) -> InconsistencyTest:
        """Design-by-treatment interaction test (Higgins et al. 2012)."""
        return self.analysis.inconsistency(self.contrasts)


class NetworkMetaAnalysis:
    """Options in the constructor, ``fit(contrasts)`` → :class:`NetworkResult`.

    ``model``: FE, RE (ρ = ½ compound symmetry) or random_inconsistency; ``method``: REML or
    ML (ignored for FE); ``reference``: the treatment the basic parameters compare with
    (default: the first); ``small_values``: "good" or "bad" (direction of P-scores)."""

    def __init__(
        self,
        *,
        model: str = "RE",
        method: str = "REML",
        reference: str | None = None,
        small_values: str = "good",
        level: float = 95.0,
    ) -> None:
        if model not in MODELS:
            raise ConfigError(f"unknown model {model!r}", field="model", hint=", ".join(MODELS))
        if small_values not in ("good", "bad"):
            raise ConfigError("small_values must be 'good' or 'bad'", field="small_values")
        self.model = model
        self.method = "FE" if model == "FE" else method.upper()
        self.reference = reference
        self.small_values = small_values
        self.level = level

    def _check(self, con: NetworkContrasts) -> str:
        parts = components(con)
        if len(parts) > 1:
            listed = " ".join("{" + ", ".join(sorted(p)) + "}" for p in parts)
            raise EstimationError(
                f"network is disconnected ({len(parts)} components: {listed}); "
                "effects between components are not estimable",
                hint="analyse each connected sub-network separately",
            )
        ref = self.reference or con.treatments[0]
        if ref not in con.treatments:
            raise ConfigError(f"reference {ref!r} is not a treatment", field="reference")
        return ref

    def _random(self, con: NetworkContrasts, with_design: bool) -> list[Structure]:
        if self.model == "FE":
            return []
        comp = con.comp
        levels = tuple(sorted(set(comp)))
        out: list[Structure] = [
            GroupedEffects(comp, con.study, "CS", inner_levels=levels, fixed_rho=(0.5,))
        ]
        if with_design:
            out.append(
                GroupedEffects(
                    comp,
                    con.design,
                    "CS",
                    inner_levels=levels,
                    fixed_rho=(0.5,),
                    label="gamma2",
                    rho_label="phi",
                )
            )
        return out

    def design(self, con: NetworkContrasts, ref: str) -> tuple[FloatArray, list[str]]:
        names = [t for t in con.treatments if t != ref]
        X = np.zeros((len(con.yi), len(names)))
        for r, (a, b) in enumerate(zip(con.t1, con.t2, strict=True)):
            if a != ref:
                X[r, names.index(a)] += 1
            if b != ref:
                X[r, names.index(b)] -= 1
        return X, names

    def fit(self, con: NetworkContrasts) -> NetworkResult:
        ref = self._check(con)
        X, names = self.design(con, ref)
        fit = fit_rma_mv(
            con.yi,
            con.V,
            X,
            random=self._random(con, self.model == "random_inconsistency"),
            method=self.method,
            level=self.level,
            coef_names=names,
        )
        return NetworkResult(con, ref, self.model, self.small_values, fit, self)

    def inconsistency(self, con: NetworkContrasts) -> InconsistencyTest:
        """Consistency model plus one column per (design, non-baseline treatment); redundant
        columns are dropped in order (as metafor does) and the rest tested jointly."""
        ref = self._check(con)
        X, names = self.design(con, ref)
        designs = con.design
        extra: list[FloatArray] = []
        labels: list[str] = []
        for d in dict.fromkeys(designs):
            for t in d.split(":")[1:]:
                col = np.array(
                    [float(g == d and a == t) for g, a in zip(designs, con.t1, strict=True)]
                )
                extra.append(col)
                labels.append(f"{d}|{t}")
        keep = X.copy()
        kept: list[str] = []
        rank = np.linalg.matrix_rank(keep)
        for col, lab in zip(extra, labels, strict=True):
            trial = np.column_stack([keep, col])
            r = np.linalg.matrix_rank(trial)
            if r > rank:
                keep, rank = trial, r
                kept.append(lab)
        random = self._random(con, False)
        full = fit_rma_mv(
            con.yi,
            con.V,
            keep,
            random=random,
            method=self.method,
            level=self.level,
            coef_names=[*names, *kept],
        )
        btt = list(range(len(names), keep.shape[1]))
        if btt:
            qm, df, p = full.test_coefficients(btt)
        else:
            qm, df, p = 0.0, 0, 1.0
        consistency = fit_rma_mv(con.yi, con.V, X, method="FE", coef_names=names)
        return InconsistencyTest(
            qm, df, p, full, consistency.QE, full.QE, tuple(dict.fromkeys(designs))
        )


def league_json(lg: League) -> dict[str, Any]:
    """The league as lists (None for undefined z/p on the diagonal)."""

    def m(a: FloatArray) -> list[list[float | None]]:
        return [[None if not math.isfinite(x) else float(x) for x in row] for row in a]

    return {
        "treatments": list(lg.treatments),
        "estimate": m(lg.estimate),
        "se": m(lg.se),
        "ci_lb": m(lg.ci_lb),
        "ci_ub": m(lg.ci_ub),
        "zval": m(lg.zval),
        "pval": m(lg.pval),
    }
