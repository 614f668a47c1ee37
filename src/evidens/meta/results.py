"""Result types of an analysis: frozen dataclasses that print, plot and serialise the same way.

Why a ``Methods`` record on every result: a pooled number means little without the measure,
pooling method, τ² estimator, test and zero-cell rule behind it; the forest plot, the CLI table
and ``analyses.json`` all print :meth:`Methods.describe` so they can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from evidens.meta.effects import RATIO_MEASURES

MEASURE_NAMES = {
    "RR": "Risk ratio",
    "OR": "Odds ratio",
    "RD": "Risk difference",
    "PETO": "Peto odds ratio",
    "MD": "Mean difference",
    "SMD": "Std. mean difference (Hedges' g)",
    "GEN": "Effect (generic inverse variance)",
}
POOLING_NAMES = {"IV": "Inverse variance", "MH": "Mantel-Haenszel", "PETO": "Peto"}
TAU2_NAMES = {
    "FE": "fixed effect",
    "DL": "DerSimonian-Laird",
    "REML": "REML",
    "ML": "ML",
    "PM": "Paule-Mandel",
    "SJ": "Sidik-Jonkman",
    "HE": "Hedges",
    "EB": "empirical Bayes",
    "HS": "Hunter-Schmidt",
}


@dataclass(frozen=True)
class Methods:
    """What was done, in words printable under every table and plot."""

    preset: str
    measure: str
    pooling: str
    method: str
    test: str
    level: float
    zero_cells: str
    prediction: str

    def describe(self) -> str:
        """One line, e.g. ``Risk ratio, Mantel-Haenszel; random effects: DerSimonian-Laird ...``."""
        measure = MEASURE_NAMES.get(self.measure, self.measure)
        parts = [f"{measure}, {POOLING_NAMES.get(self.pooling, self.pooling)}"]
        if self.method != "FE":
            parts.append(f"random effects: {TAU2_NAMES.get(self.method, self.method)} τ²")
        parts.append("Knapp-Hartung t-test" if self.test == "knha" else "z-test")
        parts.append(f"{self.level:g}% CI")
        if self.zero_cells:
            parts.append(self.zero_cells)
        if self.prediction != "none" and self.method != "FE":
            parts.append(f"prediction interval: {self.prediction}")
        return "; ".join(parts) + f" [preset: {self.preset}]"


@dataclass(frozen=True)
class Summary:
    """A pooled estimate (analysis scale: log for ratio measures)."""

    model: str  # "fixed" or "random"
    estimate: float
    se: float
    ci_lb: float
    ci_ub: float
    zval: float
    pval: float
    df: int | None = None


@dataclass(frozen=True)
class Heterogeneity:
    """Q, I² (%), H², τ² and Q-profile intervals where they exist."""

    Q: float
    df: int
    pval: float
    I2: float
    H2: float
    tau2: float
    se_tau2: float | None = None
    tau2_ci: tuple[float, float] | None = None
    I2_ci: tuple[float, float] | None = None
    H2_ci: tuple[float, float] | None = None

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)


@dataclass(frozen=True)
class StudyRow:
    """One study as the forest plot shows it; ``arms`` holds events/totals or means/SD/n."""

    label: str
    yi: float | None
    vi: float | None
    ci_lb: float | None
    ci_ub: float | None
    weight_fixed: float | None
    weight_random: float | None
    arms: dict[str, float] = field(default_factory=dict)
    group: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SubgroupTest:
    """Test for subgroup differences (Q between separate subgroup estimates)."""

    Q: float
    df: int
    pval: float
    QM: float | None = None
    QMp: float | None = None


@dataclass(frozen=True)
class MetaResult:
    """A fitted analysis: studies, fixed and/or random summary, heterogeneity, methods."""

    methods: Methods
    k: int
    studies: tuple[StudyRow, ...]
    fixed: Summary | None
    random: Summary | None
    heterogeneity: Heterogeneity | None
    prediction: tuple[float, float] | None
    warnings: tuple[str, ...] = ()
    subgroups: tuple[tuple[str, MetaResult], ...] = ()
    subgroup_test: SubgroupTest | None = None

    @property
    def measure(self) -> str:
        return self.methods.measure

    @property
    def ratio(self) -> bool:
        """Whether estimates are log ratios (shown exponentiated)."""
        return self.measure in RATIO_MEASURES

    @property
    def main(self) -> Summary | None:
        """The summary the analysis reports first: random if fitted, else fixed."""
        return self.random or self.fixed

    def display(self, value: float | None) -> float | None:
        """A value on the reader's scale (exp for ratio measures)."""
        if value is None or not math.isfinite(value):
            return None
        return math.exp(value) if self.ratio else value

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (NaN → None); ratio measures also carry exponentiated values."""
        out: dict[str, Any] = _jsonable(_as_dict(self))
        return out


def _summary_dict(s: Summary | None, result: MetaResult) -> dict[str, Any] | None:
    if s is None:
        return None
    out: dict[str, Any] = dict(s.__dict__)
    if result.ratio:
        out |= {
            "exp_estimate": result.display(s.estimate),
            "exp_ci_lb": result.display(s.ci_lb),
            "exp_ci_ub": result.display(s.ci_ub),
        }
    return out


def _as_dict(r: MetaResult) -> dict[str, Any]:
    het = r.heterogeneity
    return {
        "methods": dict(r.methods.__dict__) | {"text": r.methods.describe()},
        "measure": r.measure,
        "k": r.k,
        "studies": [dict(s.__dict__) for s in r.studies],
        "fixed": _summary_dict(r.fixed, r),
        "random": _summary_dict(r.random, r),
        "heterogeneity": None if het is None else dict(het.__dict__) | {"tau": het.tau},
        "prediction_interval": None if r.prediction is None else list(r.prediction),
        "warnings": list(r.warnings),
        "subgroups": {name: _as_dict(sub) for name, sub in r.subgroups},
        "subgroup_test": None if r.subgroup_test is None else dict(r.subgroup_test.__dict__),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value
