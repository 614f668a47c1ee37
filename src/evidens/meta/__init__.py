"""Meta-analysis: effect sizes, fixed and random-effects models, heterogeneity, small-study tests;
validated against R metafor (``evidens validate metafor``, docs/validation.md).

Typical use::

    effects = effects_from_arms("RR", [(label, treatment_arm, control_arm), ...])
    result = MetaAnalysis(preset="metafor").fit(effects)   # or preset="RevMan 5"
    result.to_dict()                                        # JSON-able, methods included

Multilevel / multivariate models (metafor's ``rma.mv``) are :class:`MultilevelMetaAnalysis`
with :class:`NestedLevels` or :class:`GroupedEffects`; network meta-analysis is
:class:`NetworkMetaAnalysis` on :func:`contrasts_from_arms` (docs/network-meta-analysis.md).
"""

from evidens.meta.arms import effects_from_arms
from evidens.meta.bias import EggerTest, RankTest, TrimFill, egger_test, rank_test, trim_and_fill
from evidens.meta.diagnostics import Influence, SequentialFits, cumulative, influence, leave_one_out
from evidens.meta.effects import EffectSizes, binary_effects, continuous_effects, generic_effects
from evidens.meta.mh import CountPooling, mantel_haenszel, peto
from evidens.meta.model import PRESETS, MetaAnalysis
from evidens.meta.mv import MultilevelMetaAnalysis, MvFit, fit_rma_mv
from evidens.meta.mv_robust import RobustResult, robust
from evidens.meta.mv_structures import GroupedEffects, NestedLevels
from evidens.meta.nma import NetworkMetaAnalysis, NetworkResult
from evidens.meta.nma_data import NetworkArm, contrasts_from_arms, contrasts_from_effects
from evidens.meta.regression import MetaRegression, SubgroupAnalysis, meta_regression, subgroups
from evidens.meta.results import Heterogeneity, MetaResult, Methods, StudyRow, Summary
from evidens.meta.revman import RevManResult, revman5_mh
from evidens.meta.rma import RmaFit, fit_rma, higgins_prediction_interval
from evidens.meta.table import effects_from_csv

__all__ = [
    "PRESETS",
    "CountPooling",
    "EffectSizes",
    "EggerTest",
    "GroupedEffects",
    "Heterogeneity",
    "Influence",
    "MetaAnalysis",
    "MetaRegression",
    "MetaResult",
    "Methods",
    "MultilevelMetaAnalysis",
    "MvFit",
    "NestedLevels",
    "NetworkArm",
    "NetworkMetaAnalysis",
    "NetworkResult",
    "RankTest",
    "RevManResult",
    "RmaFit",
    "RobustResult",
    "SequentialFits",
    "StudyRow",
    "SubgroupAnalysis",
    "Summary",
    "TrimFill",
    "binary_effects",
    "continuous_effects",
    "contrasts_from_arms",
    "contrasts_from_effects",
    "cumulative",
    "effects_from_arms",
    "effects_from_csv",
    "egger_test",
    "fit_rma",
    "fit_rma_mv",
    "generic_effects",
    "higgins_prediction_interval",
    "influence",
    "leave_one_out",
    "mantel_haenszel",
    "meta_regression",
    "peto",
    "rank_test",
    "revman5_mh",
    "robust",
    "subgroups",
    "trim_and_fill",
]
