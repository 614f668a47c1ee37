"""What GRADE is rated on: the data behind one comparison x outcome.

These are deliberately small frozen types: the services layer adapts meta-analysis and
risk-of-bias results to them, so this package does not depend on how those packages shape
their own results (and can be tested against published figures directly).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from evidens.core import Certainty, OutcomeKind, RobJudgment
from evidens.errors import EstimationError


class StudyDesign(StrEnum):
    """Where the rating starts: randomized evidence at High, non-randomized at Low unless its
    risk of bias was assessed with ROBINS-I (GRADE guidance 18), which starts it at High."""

    RANDOMIZED = "randomized"
    NON_RANDOMIZED = "non_randomized"
    NON_RANDOMIZED_ROBINS_I = "non_randomized_robins_i"

    @property
    def start(self) -> Certainty:
        if self is StudyDesign.NON_RANDOMIZED:
            return Certainty.LOW
        return Certainty.HIGH

    def label_for(self, studies: int) -> str:
        """'randomized trial(s)' or 'observational study/studies', as profiles print it."""
        if self is StudyDesign.RANDOMIZED:
            return "randomized trial" if studies == 1 else "randomized trials"
        return "observational study" if studies == 1 else "observational studies"


class Measure(StrEnum):
    RR = "RR"
    OR = "OR"
    HR = "HR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"

    @property
    def is_ratio(self) -> bool:
        return self in (Measure.RR, Measure.OR, Measure.HR)

    @property
    def null(self) -> float:
        return 1.0 if self.is_ratio else 0.0


@dataclass(frozen=True)
class StudyEffect:
    """One study's estimate with its CI (ratios on the natural scale), for CI-overlap checks."""

    study: str
    estimate: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class EffectEstimate:
    """A pooled (or single-study) effect as the meta-analysis reported it.

    ``estimate`` is ``None`` when the effect is not estimable. Ratio measures are on the
    natural scale; ``i2`` is in percent. ``method`` says how the numbers were obtained and
    becomes a footnote (e.g. the zero-event handling). ``small_study_p`` is the p-value of a
    small-study test (Egger) when one was run.
    """

    measure: Measure
    estimate: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    k: int = 1
    participants: int | None = None
    events: int | None = None
    i2: float | None = None
    tau2: float | None = None
    pi_low: float | None = None
    pi_high: float | None = None
    q_p: float | None = None
    small_study_p: float | None = None
    studies: tuple[StudyEffect, ...] = ()
    method: str = ""

    @property
    def estimable(self) -> bool:
        return self.estimate is not None and self.ci_low is not None and self.ci_high is not None

    def values(self) -> tuple[float, float, float]:
        """(estimate, CI low, CI high); callers check :attr:`estimable` first."""
        if self.estimate is None or self.ci_low is None or self.ci_high is None:
            raise EstimationError(
                f"the {self.measure} is not estimable: {self.method or 'no data'}"
            )
        return self.estimate, self.ci_low, self.ci_high


@dataclass(frozen=True)
class StudyRob:
    """A study's overall risk-of-bias judgment for this outcome and its weight in the analysis."""

    study: str
    overall: RobJudgment
    weight: float = 1.0


@dataclass(frozen=True)
class ArmTotals:
    """An arm summed over the studies: events (binary) or mean (continuous) and participants."""

    total: int
    events: int | None = None
    mean: float | None = None

    @property
    def risk(self) -> float | None:
        if self.events is None or self.total <= 0:
            return None
        return self.events / self.total


@dataclass(frozen=True)
class BaselineRisk:
    """An assumed comparator risk (proportion) for a population named by ``label``."""

    label: str
    risk: float
    source: str = ""


@dataclass(frozen=True)
class OutcomeEvidence:
    """The data behind one comparison x outcome: arms, studies and the effect estimates.

    ``relative`` is the pooled RR/OR/HR (or MD/SMD for continuous outcomes);
    ``risk_difference`` the pooled RD, used for absolute effects where the relative effect
    cannot give them (no comparator events, or not estimable).
    """

    outcome: str
    kind: OutcomeKind
    studies: int
    intervention: ArmTotals
    comparator: ArmTotals
    design: StudyDesign = StudyDesign.RANDOMIZED
    relative: EffectEstimate | None = None
    risk_difference: EffectEstimate | None = None
    follow_up: str = ""
    scale: str = ""

    @property
    def participants(self) -> int:
        return self.intervention.total + self.comparator.total

    @property
    def events(self) -> int | None:
        if self.intervention.events is None or self.comparator.events is None:
            return None
        return self.intervention.events + self.comparator.events
