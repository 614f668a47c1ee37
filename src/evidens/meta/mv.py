# ruff: noqa: N802, N803, N806, PLR0915 - matrix and statistic names follow the literature (V, X, QE, I2)
"""Multilevel and multivariate meta-analysis: metafor's ``rma.mv`` in numbers.

``y = Xβ + u + e`` with known sampling covariance ``V`` (``e``) and random effects ``u`` from
nested levels (``~ 1 | study/esid``) or grouped structures (``~ outcome | study``, struct CS,
HCS, UN, DIAG). Variance components by REML or ML, β by generalised least squares; z or t
tests (t with k − p df, as metafor's ``test="t"``, no variance rescaling); QE with V alone;
QM as Wald χ² (or F under t). Cluster-robust inference is in :mod:`evidens.meta.mv_robust`.

Typical use::

    fit = MultilevelMetaAnalysis(method="REML").fit(
        yi, vi, random=[NestedLevels((district, school), ("district", "school"))]
    )
    fit.beta, fit.se, fit.sigma2, fit.fitstats().AIC
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.errors import ConfigError, EstimationError
from evidens.meta.mv_likelihood import Likelihood
from evidens.meta.mv_optimise import Optimum, maximise
from evidens.meta.mv_structures import GroupedEffects, NestedLevels, Parameter, Structure
from evidens.meta.rma import FitStats

FloatArray = NDArray[np.float64]
METHODS = ("REML", "ML", "FE")


@dataclass(frozen=True, eq=False)
class MvFit:
    """One fitted ``rma.mv``-type model. Arrays follow coefficients (β) or components (θ)."""

    k: int
    p: int
    method: str
    test: str
    level: float
    yi: FloatArray
    X: FloatArray
    V: FloatArray
    coef_names: tuple[str, ...]
    beta: FloatArray
    vb: FloatArray
    parameters: tuple[Parameter, ...]
    theta: FloatArray  # every component, fixed ones included
    estimated: tuple[bool, ...]
    structures: tuple[Structure, ...]
    ll: float
    QE: float
    QEp: float
    likelihood: Likelihood
    coefficients: FloatArray  # basis coefficients c(θ)
    optimum: Optimum

    @property
    def df(self) -> int | None:
        return self.k - self.p if self.test == "t" else None

    @property
    def se(self) -> FloatArray:
        return np.sqrt(np.diag(self.vb))

    @property
    def zval(self) -> FloatArray:
        return self.beta / self.se

    @property
    def crit(self) -> float:
        alpha = 1 - self.level / 100
        if self.df is None:
            return float(stats.norm.isf(alpha / 2))
        return float(stats.t.isf(alpha / 2, self.df))

    def _p(self, z: FloatArray) -> FloatArray:
        if self.df is None:
            return np.asarray(2 * stats.norm.sf(np.abs(z)), dtype=float)
        return np.asarray(2 * stats.t.sf(np.abs(z), self.df), dtype=float)

    @property
    def pval(self) -> FloatArray:
        return self._p(self.zval)

    @property
    def ci_lb(self) -> FloatArray:
        return self.beta - self.crit * self.se

    @property
    def ci_ub(self) -> FloatArray:
        return self.beta + self.crit * self.se

    @property
    def n_parms(self) -> int:
        return self.p + sum(self.estimated)

    def components(self, structure: Structure) -> FloatArray:
        """The values θ of one structure's components."""
        start = 0
        for s in self.structures:
            n = len(s.parameters)
            if s is structure:
                return self.theta[start : start + n]
            start += n
        raise KeyError("structure not in this fit")

    @property
    def sigma2(self) -> FloatArray:
        """Variances of nested levels (all nested structures, in order)."""
        vals = [self.components(s) for s in self.structures if isinstance(s, NestedLevels)]
        return np.concatenate(vals) if vals else np.zeros(0)

    def total_heterogeneity(self) -> float:
        """Σσ² (nested) or τ² (a single-τ² grouped structure): the PI variance."""
        total = float(self.sigma2.sum())
        for s in self.structures:
            if isinstance(s, GroupedEffects) and s.struct in ("CS", "ID"):
                total += float(self.components(s)[0])
        return total

    def test_coefficients(self, btt: Sequence[int]) -> tuple[float, int, float]:
        """Wald test of coefficients ``btt`` (χ², or F with (m, k − p) df under t)."""
        idx = list(btt)
        b = self.beta[idx]
        stat = float(b @ np.linalg.solve(self.vb[np.ix_(idx, idx)], b))
        m = len(idx)
        if self.df is None:
            return stat, m, float(stats.chi2.sf(stat, m))
        return stat / m, m, float(stats.f.sf(stat / m, m, self.df))

    def qm(self) -> tuple[float, int, float] | None:
        """Omnibus test of every coefficient except an intercept (None if nothing to test)."""
        btt = [i for i, n in enumerate(self.coef_names) if n != "intrcpt"]
        return self.test_coefficients(btt) if btt else None

    def contrast(
        self, L: Sequence[float] | FloatArray
    ) -> tuple[float, float, float, float, float, float]:
        """Linear combination L'β: estimate, se, z (or t), p, CI bounds."""
        v = np.asarray(L, dtype=float)
        est = float(v @ self.beta)
        se = math.sqrt(float(v @ self.vb @ v))
        z = est / se
        p = float(self._p(np.array([z]))[0])
        return est, se, z, p, est - self.crit * se, est + self.crit * se

    def predict(self, x: Sequence[float] | None = None) -> tuple[float, ...]:
        """pred, se, CI and prediction interval (variance Σσ² + se², as metafor)."""
        xr = np.ones(1) if x is None else np.asarray(x, dtype=float)
        pred = float(xr @ self.beta)
        se = math.sqrt(float(xr @ self.vb @ xr))
        c = self.crit
        half = c * math.sqrt(self.total_heterogeneity() + se**2)
        return pred, se, pred - c * se, pred + c * se, pred - half, pred + half

    def fitstats(self) -> FitStats:
        """logLik, deviance, AIC, BIC, AICc as metafor's ``fitstats`` (REML: n = k − p)."""
        ll, parms = self.ll, self.n_parms
        if self.method == "REML":
            dev, n = -2 * ll, self.k - self.p
        else:
            sat = -0.5 * (self.k * math.log(2 * math.pi) + self.likelihood.logdet_v)
            dev, n = -2 * (ll - sat), self.k
        big = max(n, parms + 2)
        return FitStats(
            ll,
            dev,
            -2 * ll + 2 * parms,
            -2 * ll + parms * math.log(n),
            -2 * ll + 2 * parms * big / (big - parms - 1),
        )

    def marginal(self) -> FloatArray:
        """The marginal covariance matrix M = V + random effects (dense k × k: small k only)."""
        M = np.zeros((self.k, self.k))
        for rows, Mb in self.likelihood.marginal_blocks(self.coefficients):
            M[rows[:, :, None], rows[:, None, :]] = Mb
        return M

    def typical_variance(self) -> float:
        """vt = (k − p) / tr(P) with W = V⁻¹ (metafor-project.org's multilevel I²)."""
        return (self.k - self.p) / self.likelihood.trace_p0()

    def I2(self) -> tuple[float, FloatArray]:
        """Total I² (%) and the share of each nested level, over Σσ² + vt."""
        s2 = self.sigma2
        vt = self.typical_variance()
        total = float(s2.sum()) + vt
        return 100 * float(s2.sum()) / total, 100 * s2 / total


def _start(lik0: Likelihood, params: Sequence[Parameter], y: FloatArray) -> FloatArray:
    """Starting values: the FE residual variance beyond sampling error, split over components."""
    ev = lik0.evaluate(np.zeros(0) if lik0.n_bases == 0 else np.zeros(lik0.n_bases), gradient=False)
    k, p = lik0.k, lik0.p
    tr = lik0.trace_p0()
    tau2 = max((ev.rss - (k - p)) / tr, 0.0) if tr > 0 else 0.0
    n_var = max(1, sum(1 for q in params if q.kind == "var" and q.fixed is None))
    base = math.sqrt(max(tau2 / n_var, 0.01 * float(np.var(y)) + 1e-4))
    return np.array([base if q.kind == "var" else 0.0 for q in params if q.fixed is None])


def fit_rma_mv(
    yi: Sequence[float] | FloatArray,
    V: Sequence[float] | FloatArray,
    X: FloatArray | None = None,
    *,
    random: Sequence[Structure] = (),
    method: str = "REML",
    test: str = "z",
    level: float = 95.0,
    coef_names: Sequence[str] | None = None,
    start: Sequence[float] | None = None,
) -> MvFit:
    """Fit the model. ``V``: variances (1-D) or the full k×k sampling covariance matrix.

    ``start``: initial values of the free components (default: from the FE residuals, and
    for free correlations also from −0.5 and 0.5, keeping the best optimum: a variance that
    reaches 0 first can otherwise trap a correlation where the likelihood is flat in it)."""
    y = np.asarray(yi, dtype=float)
    Vm = np.asarray(V, dtype=float)
    k = len(y)
    Xm = np.ones((k, 1)) if X is None else np.asarray(X, dtype=float).reshape(k, -1)
    method = method.upper()
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}", field="method", hint="use REML, ML or FE")
    if test not in ("z", "t"):
        raise ConfigError(f"unknown test {test!r}", field="test", hint="use z or t")
    _check_inputs(y, Vm, Xm)
    structures = () if method == "FE" else tuple(random)
    names = tuple(coef_names) if coef_names is not None else _default_names(Xm.shape[1])
    params = tuple(q for s in structures for q in s.parameters)
    lik = Likelihood(y, Xm, Vm, structures, reml=method == "REML")
    lik0 = Likelihood(y, Xm, Vm, (), reml=False)
    fe = lik0.evaluate(np.zeros(0), gradient=False)
    lik.logdet_v = fe.logdet
    free = [i for i, q in enumerate(params) if q.fixed is None]

    is_var = np.array([q.kind == "var" for q in params], dtype=bool)

    def full(phi_free: FloatArray) -> FloatArray:
        """φ of every component: standard deviations for variances (smooth at 0), ρ as is."""
        fixed = [q.fixed if q.fixed is not None else 0.0 for q in params]
        th = np.array(fixed, dtype=float)
        th[is_var] = np.sqrt(np.maximum(th[is_var], 0.0))
        th[free] = phi_free
        return th

    def coefs(th: FloatArray) -> tuple[FloatArray, FloatArray]:
        cs, Js, start = [], [], 0
        for s in structures:
            n = len(s.parameters)
            c, J = s.coefficients(th[start : start + n])
            cs.append(c)
            Js.append((J, start))
            start += n
        cvec = np.concatenate(cs) if cs else np.zeros(0)
        Jfull = np.zeros((len(cvec), len(th)))
        row = 0
        for (J, st), c in zip(Js, cs, strict=True):
            Jfull[row : row + len(c), st : st + J.shape[1]] = J
            row += len(c)
        return cvec, Jfull

    def objective(theta_free: FloatArray) -> tuple[float, FloatArray]:
        th = full(theta_free)
        c, J = coefs(th)
        ev = lik.evaluate(c)
        return ev.ll, (J.T @ ev.grad_c)[free]

    free_params = [params[i] for i in free]
    if start is not None:
        st = np.asarray(start, dtype=float)
        fv = is_var[free]
        st[fv] = np.sqrt(np.maximum(st[fv], 0.0))
        opt = maximise(objective, st, free_params)
    else:
        first = _start(lik0, params, y)
        opt = maximise(objective, first, free_params)
        cors = [i for i, q in enumerate(free_params) if q.kind == "cor"]
        for r in (-0.5, 0.5) if cors else ():
            alt = first.copy()
            alt[cors] = r
            other = maximise(objective, alt, free_params)
            if other.ll > opt.ll + 1e-10:
                opt = other
    if not np.isfinite(opt.ll):
        raise EstimationError(
            "the marginal variance-covariance matrix is not positive definite",
            hint="check the sampling covariance matrix V",
        )
    phi = full(opt.theta)
    c, _ = coefs(phi)
    theta = np.where(is_var, phi**2, phi)
    ev = lik.evaluate(c, gradient=False)
    df = k - Xm.shape[1]
    QE = fe.rss
    QEp = float(stats.chi2.sf(QE, df)) if df > 0 else 1.0
    return MvFit(
        k,
        Xm.shape[1],
        method,
        test,
        float(level),
        y,
        Xm,
        Vm,
        names,
        ev.beta,
        ev.vb,
        params,
        theta,
        tuple(q.fixed is None for q in params),
        structures,
        ev.ll,
        QE,
        QEp,
        lik,
        c,
        opt,
    )


def _default_names(p: int) -> tuple[str, ...]:
    return ("intrcpt",) if p == 1 else tuple(f"X{i + 1}" for i in range(p))


def _check_inputs(y: FloatArray, V: FloatArray, X: FloatArray) -> None:
    k = len(y)
    if k == 0:
        raise EstimationError("no effect sizes to pool")
    if not np.all(np.isfinite(y)):
        raise EstimationError("effect sizes must be finite", hint="drop rows with missing yi")
    if V.shape not in ((k,), (k, k)):
        raise ConfigError(f"V must have {k} variances or be {k}×{k}", field="V")
    if V.ndim == 2 and not np.allclose(V, V.T):
        raise ConfigError("V must be symmetric", field="V")
    diag = V if V.ndim == 1 else np.diag(V)
    if not np.all(np.isfinite(diag)) or np.any(diag <= 0):
        raise EstimationError("sampling variances must be positive", hint="check vi")
    if X.shape[1] > k:
        raise EstimationError("more coefficients than effect sizes")


class MultilevelMetaAnalysis:
    """``rma.mv`` with options in the constructor and ``fit(...)`` returning an :class:`MvFit`.

    Parameters: ``method`` (REML, ML or FE), ``test`` ("z" or "t"), ``level`` (%)."""

    def __init__(self, *, method: str = "REML", test: str = "z", level: float = 95.0) -> None:
        self.method = method.upper()
        self.test = test
        self.level = level
        if self.method not in METHODS:
            raise ConfigError(f"unknown method {method!r}", field="method", hint="REML, ML, FE")

    def fit(
        self,
        yi: Sequence[float] | FloatArray,
        V: Sequence[float] | FloatArray,
        *,
        X: FloatArray | None = None,
        random: Sequence[Structure] = (),
        coef_names: Sequence[str] | None = None,
    ) -> MvFit:
        return fit_rma_mv(
            yi,
            V,
            X,
            random=random,
            method=self.method,
            test=self.test,
            level=self.level,
            coef_names=coef_names,
        )
