"""Profile-likelihood intervals and likelihood-ratio tests for variance components.

Why profiles: a variance or correlation component's sampling distribution is far from normal
(bounded at 0 or ±1), so metafor's ``confint.rma.mv`` inverts the likelihood-ratio test: the
bound is where the log-likelihood, maximised over every other component with this one held
fixed, falls χ²₁(level)/2 below the maximum. Bounds stop at 0 (variances) and ±1
(correlations) when the profile never falls that far.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from scipy import optimize, stats

from evidens.errors import EstimationError
from evidens.meta.mv import MvFit, fit_rma_mv
from evidens.meta.mv_structures import GroupedEffects, NestedLevels, Structure


def with_fixed(fit: MvFit, index: int, value: float) -> list[Structure]:
    """The fit's structures with component ``index`` (over all structures) held at ``value``."""
    out: list[Structure] = []
    start = 0
    for s in fit.structures:
        n = len(s.parameters)
        if start <= index < start + n:
            out.append(_fix(s, index - start, value))
        else:
            out.append(s)
        start += n
    return out


def _fix(s: Structure, j: int, value: float) -> Structure:
    if isinstance(s, NestedLevels):
        fixed = list(s.fixed)
        fixed[j] = value
        return dataclasses.replace(s, fixed=tuple(fixed))
    if not isinstance(s, GroupedEffects):
        raise EstimationError("cannot hold a component of this structure fixed")
    nt = len(s.fixed_tau2)
    if j < nt:
        ft = list(s.fixed_tau2)
        ft[j] = value
        return dataclasses.replace(s, fixed_tau2=tuple(ft))
    fr = list(s.fixed_rho)
    fr[j - nt] = value
    return dataclasses.replace(s, fixed_rho=tuple(fr))


def refit_ll(fit: MvFit, index: int, value: float) -> float:
    """Maximum log-likelihood with component ``index`` held at ``value`` (warm start)."""
    structures = with_fixed(fit, index, value)
    params = [q for st in structures for q in st.parameters]
    free = [i for i, q in enumerate(params) if q.fixed is None]
    start = [float(fit.theta[i]) for i in free]
    if fit.parameters[index].kind == "var":
        start = [
            max(v, 1e-6) if fit.parameters[i].kind == "var" else v
            for v, i in zip(start, free, strict=True)
        ]
    refit = fit_rma_mv(
        fit.yi,
        fit.V,
        fit.X,
        random=structures,
        method=fit.method,
        test=fit.test,
        level=fit.level,
        coef_names=fit.coef_names,
        start=start,
    )
    return refit.ll


def lrt_zero(fit: MvFit, sigma_index: int) -> tuple[float, float]:
    """LRT of σ²_i = 0 (nested levels, in order) against the fit: statistic and χ²₁ p."""
    index = _nested_index(fit, sigma_index)
    stat = max(2 * (fit.ll - refit_ll(fit, index, 0.0)), 0.0)
    return stat, float(stats.chi2.sf(stat, 1))


def _nested_index(fit: MvFit, sigma_index: int) -> int:
    start, seen = 0, 0
    for s in fit.structures:
        n = len(s.parameters)
        if isinstance(s, NestedLevels):
            if sigma_index < seen + n:
                return start + sigma_index - seen
            seen += n
        start += n
    raise EstimationError(f"no nested variance component {sigma_index + 1}")


def profile_bounds(fit: MvFit, index: int) -> tuple[float | None, float | None]:
    """Profile-likelihood CI of one free component (None when it cannot be profiled)."""
    param = fit.parameters[index]
    est = float(fit.theta[index])
    target = fit.ll - float(stats.chi2.ppf(fit.level / 100, 1)) / 2

    def f(v: float) -> float:
        try:
            return refit_ll(fit, index, v) - target
        except EstimationError:
            return -1.0

    if param.kind == "cor":
        lo = -1.0 if f(-1.0) > 0 else _root(f, -1.0, est)
        hi = 1.0 if f(1.0) > 0 else _root(f, est, 1.0)
        return lo, hi
    lo = 0.0 if est == 0.0 or f(0.0) > 0 else _root(f, 0.0, est)
    top = max(est, 1e-4) * 2
    for _ in range(60):
        if f(top) < 0:
            break
        top *= 2
    else:
        return lo, None
    return lo, _root(f, est, top)


def _root(f: Any, a: float, b: float) -> float:
    return float(optimize.brentq(f, a, b, xtol=1e-13, rtol=1e-12, maxiter=200))


def profile_ci(fit: MvFit, ref: dict[str, Any]) -> dict[str, Any]:
    """Golden keys ``sigma2_ci_*``, ``tau2_ci_*``, ``rho_ci_*``, ``gamma2_ci_*`` in ``ref``."""
    out: dict[str, Any] = {}
    start = 0
    for s in fit.structures:
        names = [p.name.split("[")[0] for p in s.parameters]
        for j, (name, par) in enumerate(zip(names, s.parameters, strict=True)):
            if f"{name}_ci_lb" not in ref:
                continue
            lo, hi = (None, None) if par.fixed is not None else profile_bounds(fit, start + j)
            out.setdefault(f"{name}_ci_lb", []).append(lo)
            out.setdefault(f"{name}_ci_ub", []).append(hi)
        start += len(s.parameters)
    return out
