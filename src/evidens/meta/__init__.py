"""Meta-analysis: effect sizes, fixed and random-effects models, heterogeneity, small-study tests;
validated against R metafor (``evidens validate metafor``, docs/validation.md).

Typical use::

    effects = effects_from_arms("RR", [(label, treatment_arm, control_arm), ...])
    result = MetaAnalysis(preset="metafor").fit(effects)   # or preset="RevMan 5"
    result.to_dict()                                        # JSON-able, methods included
"""

from evidens.meta.arms import effects_from_arms
from evidens.meta.bias import EggerTest, RankTest, TrimFill, egger_test, rank_test, trim_and_fill
from evidens.meta.diagnostics import Influence, SequentialFits, cumulative, influence, leave_one_out
from evidens.meta.effects import EffectSizes, binary_effects, continuous_effects, generic_effects
from evidens.meta.mh import CountPooling, mantel_haenszel, peto
from evidens.meta.model import PRESETS, MetaAnalysis
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
    "Heterogeneity",
    "Influence",
    "MetaAnalysis",
    "MetaRegression",
    "MetaResult",
    "Methods",
    "RankTest",
    "RevManResult",
    "RmaFit",
    "SequentialFits",
    "StudyRow",
    "SubgroupAnalysis",
    "Summary",
    "TrimFill",
    "binary_effects",
    "continuous_effects",
    "cumulative",
    "effects_from_arms",
    "effects_from_csv",
    "egger_test",
    "fit_rma",
    "generic_effects",
    "higgins_prediction_interval",
    "influence",
    "leave_one_out",
    "mantel_haenszel",
    "meta_regression",
    "peto",
    "rank_test",
    "revman5_mh",
    "subgroups",
    "trim_and_fill",
]
