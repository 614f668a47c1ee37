"""``MetaAnalysis``: options in the constructor, ``fit(effects)``, a frozen :class:`MetaResult`.

Two presets: ``"metafor"`` (default: inverse variance, REML, z-test, metafor's prediction
interval) and ``"RevMan 5"`` (Mantel–Haenszel or Peto fixed effect plus DerSimonian–Laird
random effects, 0.5 added to zero-cell studies). Any option passed explicitly wins over the
preset. Studies without events in either arm are excluded from ratio measures ("not
estimable"), as in RevMan and the Cochrane Handbook; everywhere else a sparse study still
contributes, with a warning saying what was corrected and why.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from evidens.errors import ConfigError, EstimationError
from evidens.meta.effects import BinaryArms, ContinuousArms, EffectSizes
from evidens.meta.mh import CountPooling, mantel_haenszel, peto
from evidens.meta.regression import subgroups as subgroup_models
from evidens.meta.results import Heterogeneity, MetaResult, Methods, StudyRow, SubgroupTest, Summary
from evidens.meta.revman import revman5_mh
from evidens.meta.rma import RmaFit, fit_rma, higgins_prediction_interval
from evidens.meta.tau2 import TAU2_METHODS

PRESETS: dict[str, dict[str, Any]] = {
    "metafor": {"pooling": "IV", "method": "REML", "test": "z", "prediction": "metafor"},
    "RevMan 5": {"pooling": "MH", "method": "DL", "test": "z", "prediction": "none"},
}
_PRESET_ALIASES = {
    "metafor": "metafor",
    "revman": "RevMan 5",
    "revman5": "RevMan 5",
    "revman 5": "RevMan 5",
}


def _preset(name: str) -> str:
    key = _PRESET_ALIASES.get(name.strip().lower())
    if key is None:
        raise ConfigError(
            f"unknown preset {name!r}", field="preset", hint="use 'metafor' or 'RevMan 5'"
        )
    return key


class MetaAnalysis:
    """Pool one container of effect sizes.

    Parameters: ``preset`` ("metafor" or "RevMan 5"); ``method`` τ² estimator (FE, DL, REML,
    ML, PM, SJ, HE, EB, HS); ``pooling`` (IV, MH, PETO; MH/Peto need 2×2 counts); ``test``
    ("z" or "knha"); ``level`` (%); ``prediction`` ("metafor", "higgins" t(k−2), "none").
    """

    def __init__(
        self,
        *,
        preset: str = "metafor",
        method: str | None = None,
        pooling: str | None = None,
        test: str | None = None,
        level: float = 95.0,
        prediction: str | None = None,
    ) -> None:
        self.preset = _preset(preset)
        base = PRESETS[self.preset]
        self.method = (method or base["method"]).upper()
        self.pooling = (pooling or base["pooling"]).upper()
        self.test = (test or base["test"]).lower()
        self.level = float(level)
        self.prediction = (prediction or base["prediction"]).lower()
        if self.method not in ("FE", *TAU2_METHODS):
            raise ConfigError(
                f"unknown method {self.method!r}",
                field="method",
                hint="use FE, DL, REML, ML, PM, SJ, HE, EB or HS",
            )
        if self.prediction not in ("metafor", "higgins", "none"):
            raise ConfigError(
                f"unknown prediction interval {self.prediction!r}",
                field="prediction",
                hint="use metafor, higgins or none",
            )
        if self.pooling not in ("IV", "MH", "PETO"):
            raise ConfigError(
                f"unknown pooling {self.pooling!r}", field="pooling", hint="use IV, MH or PETO"
            )
        if self.test not in ("z", "knha"):
            raise ConfigError(f"unknown test {self.test!r}", field="test", hint="use z or knha")

    def methods_for(self, effects: EffectSizes) -> Methods:
        pooling = self._pooling_for(effects)
        return Methods(
            self.preset,
            effects.measure,
            pooling,
            "FE" if pooling == "PETO" else self.method,
            self.test,
            self.level,
            _zero_text(effects, self.preset, pooling),
            self.prediction,
        )

    def _pooling_for(self, effects: EffectSizes) -> str:
        if effects.measure == "PETO":
            return "PETO" if isinstance(effects.arms, BinaryArms) else "IV"
        if self.pooling == "PETO":
            raise ConfigError("Peto pooling needs measure PETO", field="measure")
        if self.pooling == "MH" and (
            not isinstance(effects.arms, BinaryArms) or effects.measure not in ("RR", "OR", "RD")
        ):
            return "IV"
        return self.pooling

    def fit(self, effects: EffectSizes) -> MetaResult:
        """Fit the analysis; subgroups when ``effects.groups`` is set."""
        result = self._fit_one(effects)
        if effects.groups is None:
            return result
        return self._with_subgroups(effects, result)

    def _fit_one(self, effects: EffectSizes) -> MetaResult:
        methods = self.methods_for(effects)
        if not effects.estimable.any():
            raise EstimationError(
                f"{methods.measure} is not estimable: no study has an estimable effect"
                " (no events in either arm of every study)",
                hint="the risk difference (RD) is estimable from such studies",
            )
        warnings = list(effects.notes)
        fixed_pool: CountPooling | None = None
        ffit: RmaFit | None = None
        rfit: RmaFit | None = None
        if methods.pooling == "MH" and self.preset == "RevMan 5":
            rm = revman5_mh(effects, level=self.level)
            fixed_pool, rfit = rm.fixed, rm.random
            het = Heterogeneity(
                rm.Q, rm.Q_df, rm.Qp, rm.I2_Q, rm.Q / rm.Q_df if rm.Q_df > 0 else 1.0, rm.tau2_DL
            )
            # the caller's notes already explain a 0.5 correction where escalc made one
            warnings += [
                n
                for n in rm.effects.notes
                if n.split(":")[0] not in {w.split(":")[0] for w in warnings}
            ]
            random_mask = rm.kept
        else:
            if methods.pooling == "MH":
                fixed_pool = mantel_haenszel(effects, level=self.level)
            elif methods.pooling == "PETO":
                fixed_pool = peto(effects, level=self.level)
            ffit = fit_rma(effects.yi, effects.vi, method="FE", level=self.level)
            if methods.method != "FE":
                rfit = fit_rma(
                    effects.yi, effects.vi, method=methods.method, test=self.test, level=self.level
                )
            het = _heterogeneity(rfit or ffit)
            random_mask = effects.estimable
        fixed = _pool_summary(fixed_pool) if fixed_pool is not None else _fit_summary(ffit, "fixed")
        random = _fit_summary(rfit, "random") if methods.method != "FE" else None
        if methods.method == "FE":
            het = _heterogeneity(ffit) if ffit is not None else het
        pi = self._prediction(rfit) if rfit is not None and random is not None else None
        rows = _rows(effects, fixed_pool, ffit, rfit, random_mask, self.level)
        return MetaResult(
            methods, int(effects.estimable.sum()), rows, fixed, random, het, pi, tuple(warnings)
        )

    def _prediction(self, fit: RmaFit) -> tuple[float, float] | None:
        if self.prediction == "none" or fit.k < 2:
            return None
        if self.prediction == "higgins":
            return higgins_prediction_interval(fit) if fit.k >= 3 else None
        _, _, _, _, lo, hi = fit.predict()
        return lo, hi

    def _with_subgroups(self, effects: EffectSizes, overall: MetaResult) -> MetaResult:
        groups = effects.groups or ()
        levels = sorted(set(groups))
        subs = []
        for lev in levels:
            part = effects.subset([g == lev for g in groups])
            sub = self._fit_one(replace(part, groups=None)) if part.estimable.any() else None
            if sub is not None:
                subs.append((lev, sub))
        test = None
        ok = effects.estimable
        if len(subs) > 1:
            summaries = [s.main for _, s in subs if s.main is not None]
            est = np.array([s.estimate for s in summaries])
            var = np.array([s.se**2 for s in summaries])
            between = fit_rma(est, var, method="FE")
            qm = qmp = None
            kept = [g for g, o in zip(groups, ok, strict=True) if o]
            if len(set(kept)) > 1 and len(kept) > len(set(kept)):
                mixed = subgroup_models(
                    effects.yi,
                    effects.vi,
                    groups,
                    method=self.method,
                    test=self.test,
                    level=self.level,
                ).mixed
                qm, _, qmp = mixed.qm()
            test = SubgroupTest(between.QE, len(summaries) - 1, between.QEp, qm, qmp)
        rows = tuple(replace(r, group=g) for r, g in zip(overall.studies, groups, strict=True))
        return replace(overall, studies=rows, subgroups=tuple(subs), subgroup_test=test)


def _zero_text(effects: EffectSizes, preset: str, pooling: str) -> str:
    if not isinstance(effects.arms, BinaryArms) or effects.measure == "PETO":
        return ""
    if preset == "RevMan 5" and pooling == "MH":
        return "0.5 added to each cell of zero-cell studies (RevMan 5)"
    if not any(effects.corrected) and effects.to != "all":
        return ""
    text = f"{effects.add:g} added to each cell of zero-cell studies ({effects.to})"
    return text + ("; MH pooled on raw counts" if pooling == "MH" else "")


def _fit_summary(fit: RmaFit | None, model: str) -> Summary | None:
    if fit is None:
        return None
    return Summary(
        model,
        float(fit.beta[0]),
        float(fit.se[0]),
        float(fit.ci_lb[0]),
        float(fit.ci_ub[0]),
        float(fit.zval[0]),
        float(fit.pval[0]),
        fit.df,
    )


def _pool_summary(pool: CountPooling) -> Summary:
    p = pool.pooled
    return Summary("fixed", p.estimate, p.se, p.ci_lb, p.ci_ub, p.zval, p.pval)


def _heterogeneity(fit: RmaFit) -> Heterogeneity:
    ci = fit.tau2_ci()
    return Heterogeneity(
        fit.QE,
        fit.k - fit.p,
        fit.QEp,
        fit.I2,
        fit.H2,
        fit.tau2,
        fit.se_tau2,
        None if ci is None else ci.tau2,
        None if ci is None else ci.I2,
        None if ci is None else ci.H2,
    )


def _rows(
    effects: EffectSizes,
    pool: CountPooling | None,
    ffit: RmaFit | None,
    rfit: RmaFit | None,
    random_mask: Any,
    level: float,
) -> tuple[StudyRow, ...]:
    from scipy import stats

    crit = float(stats.norm.isf((1 - level / 100) / 2))
    ok = effects.estimable
    wf = _spread(
        pool.weights_pct if pool is not None else (ffit.weights_pct if ffit is not None else None),
        ok,
        pool is not None,
    )
    wr = _spread(rfit.weights_pct if rfit is not None else None, random_mask, False)
    rows = []
    for i, label in enumerate(effects.labels):
        y, v = float(effects.yi[i]), float(effects.vi[i])
        est = math.isfinite(y) and math.isfinite(v)
        half = crit * math.sqrt(v) if est else math.nan
        rows.append(
            StudyRow(
                label,
                y if est else None,
                v if est else None,
                y - half if est else None,
                y + half if est else None,
                wf[i],
                wr[i],
                _arms_of(effects, i),
                None,
                None if est else "not estimable",
            )
        )
    return tuple(rows)


def _spread(weights: Any, ok: Any, all_studies: bool) -> list[float | None]:
    n = len(ok)
    if weights is None:
        return [None] * n
    w = [float(x) for x in weights]
    if all_studies and len(w) == n:  # count-based weights: keep only estimable studies
        return [x if math.isfinite(x) and o else None for x, o in zip(w, ok, strict=True)]
    it = iter(w)
    return [next(it) if o else None for o in ok]


def _arms_of(effects: EffectSizes, i: int) -> dict[str, float]:
    a = effects.arms
    if isinstance(a, BinaryArms):
        return {
            "events1": float(a.ai[i]),
            "total1": float(a.n1i[i]),
            "events2": float(a.ci[i]),
            "total2": float(a.n2i[i]),
        }
    if isinstance(a, ContinuousArms):
        return {
            "mean1": float(a.m1i[i]),
            "sd1": float(a.sd1i[i]),
            "n1": float(a.n1i[i]),
            "mean2": float(a.m2i[i]),
            "sd2": float(a.sd2i[i]),
            "n2": float(a.n2i[i]),
        }
    return {}
