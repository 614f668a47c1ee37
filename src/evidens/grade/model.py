"""GRADE's vocabulary as frozen types: domains, ratings, suggestions, judgments, assessments.

Certainty is rated per comparison and outcome, never per study. Every judgment carries the
written reason that becomes a lettered footnote, and the machine's suggestion it was based
on (if any), so a reader can see where the assessor agreed with the numbers and where not.
The input types (:class:`EffectEstimate`, :class:`StudyRob`) are deliberately small: the
services layer adapts meta-analysis and risk-of-bias results to them, so this package does
not depend on how those packages shape their own results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from evidens.core import Certainty, OutcomeKind, RobJudgment
from evidens.errors import EstimationError, ValidationError


def sentence(text: str) -> str:
    """First letter up, a full stop at the end; the rest untouched (CI, I², RR stay)."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class Rating(IntEnum):
    """How far a domain rates the evidence down; the integer is the number of levels."""

    NOT_SERIOUS = 0
    SERIOUS = 1
    VERY_SERIOUS = 2
    EXTREMELY_SERIOUS = 3

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()

    @classmethod
    def parse(cls, text: str) -> Rating:
        key = text.strip().lower().replace(" ", "_").replace("-", "_")
        aliases = {
            "undetected": "not_serious",
            "strongly_suspected": "serious",
            "none": "not_serious",
        }
        key = aliases.get(key, key)
        for member in cls:
            if member.name.lower() == key:
                return member
        choices = ", ".join(m.label for m in cls)
        raise ValidationError(f"unknown rating {text!r}", hint=f"use one of: {choices}")


class Domain(StrEnum):
    """The five reasons for rating down, in the order GRADE tables print them."""

    RISK_OF_BIAS = "risk_of_bias"
    INCONSISTENCY = "inconsistency"
    INDIRECTNESS = "indirectness"
    IMPRECISION = "imprecision"
    PUBLICATION_BIAS = "publication_bias"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def max_rating(self) -> Rating:
        """Only imprecision may go to three levels (GRADE guidance 34/35, 2022)."""
        if self is Domain.IMPRECISION:
            return Rating.EXTREMELY_SERIOUS
        return Rating.VERY_SERIOUS

    def rating_label(self, rating: Rating) -> str:
        """GRADEpro words publication bias as undetected / strongly suspected."""
        if self is Domain.PUBLICATION_BIAS:
            if rating is Rating.NOT_SERIOUS:
                return "undetected"
            suffix = "" if rating is Rating.SERIOUS else " (very)"
            return "publication bias strongly suspected" + suffix
        return rating.label


class UpgradeFactor(StrEnum):
    """The three reasons for rating non-randomized evidence up."""

    LARGE_EFFECT = "large_effect"
    DOSE_RESPONSE = "dose_response"
    PLAUSIBLE_CONFOUNDING = "plausible_confounding"

    @property
    def label(self) -> str:
        return {
            "large_effect": "Large effect",
            "dose_response": "Dose-response gradient",
            "plausible_confounding": "Plausible confounding would change the effect",
        }[self.value]

    @property
    def max_levels(self) -> int:
        return 2 if self is UpgradeFactor.LARGE_EFFECT else 1


class Importance(StrEnum):
    """Outcome importance; GRADE's 1-9 scale maps 7-9, 4-6 and 1-3 onto these."""

    CRITICAL = "critical"
    IMPORTANT = "important"
    NOT_IMPORTANT = "not important"

    @classmethod
    def from_score(cls, score: int) -> Importance:
        if not 1 <= score <= 9:
            raise ValidationError(f"importance score {score} is outside 1-9", field="importance")
        if score >= 7:
            return cls.CRITICAL
        return cls.IMPORTANT if score >= 4 else cls.NOT_IMPORTANT

    @classmethod
    def parse(cls, text: str) -> Importance:
        key = text.strip().lower().replace("_", " ")
        if key.isdigit():
            return cls.from_score(int(key))
        for member in cls:
            if member.value == key:
                return member
        raise ValidationError(
            f"unknown importance {text!r}", hint="use critical, important or not important"
        )


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

    @property
    def label(self) -> str:
        return "randomized trials" if self is StudyDesign.RANDOMIZED else "observational studies"


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
class Suggestion:
    """What the numbers suggest for one domain, never applied without the assessor.

    ``rules`` name what fired; ``inputs`` are the figures shown beside the suggestion so
    the assessor can check them.
    """

    domain: Domain
    rating: Rating
    explanation: str
    rules: tuple[str, ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DomainJudgment:
    """The assessor's rating for one domain, its written reason and the suggestion it saw."""

    domain: Domain
    rating: Rating
    reason: str = ""
    suggestion: Suggestion | None = None

    def __post_init__(self) -> None:
        where = self.domain.value
        if self.rating > self.domain.max_rating:
            raise ValidationError(
                f"{self.domain.label} cannot be rated {self.rating.label}",
                field=where,
                hint=f"the most is {self.domain.max_rating.label}",
            )
        if self.rating > Rating.NOT_SERIOUS and not self.reason.strip():
            raise ValidationError(
                f"rating {self.domain.label} {self.rating.label} needs a written reason",
                field=where,
                hint="say why in one sentence; it becomes the table's footnote",
            )
        if self.overrides_suggestion and not self.reason.strip():
            raise ValidationError(
                f"{self.domain.label}: changing the suggested rating needs a reason",
                field=where,
                hint="say why the suggestion does not apply",
            )

    @property
    def overrides_suggestion(self) -> bool:
        return self.suggestion is not None and self.suggestion.rating != self.rating


def accept(suggestion: Suggestion, reason: str | None = None) -> DomainJudgment:
    """Take a suggestion as the judgment.

    A rating down needs a footnote, so the suggestion's explanation becomes the reason
    unless one is given; accepting "not serious" adds no footnote unless a reason is given.
    """
    default = suggestion.explanation if suggestion.rating else ""
    return DomainJudgment(suggestion.domain, suggestion.rating, reason or default, suggestion)


def override(suggestion: Suggestion, rating: Rating, reason: str) -> DomainJudgment:
    """Set a rating other than (or equal to) the suggested one, with the assessor's reason."""
    return DomainJudgment(suggestion.domain, rating, reason, suggestion)


@dataclass(frozen=True)
class UpgradeJudgment:
    factor: UpgradeFactor
    levels: int
    reason: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.levels <= self.factor.max_levels:
            raise ValidationError(
                f"{self.factor.label} can rate up 0 to {self.factor.max_levels} levels, "
                f"not {self.levels}",
                field=self.factor.value,
            )
        if self.levels and not self.reason.strip():
            raise ValidationError(
                f"rating up for {self.factor.label} needs a written reason",
                field=self.factor.value,
            )


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


@dataclass(frozen=True)
class CertaintyAssessment:
    """GRADE for one comparison x outcome: five domain judgments, upgrades and the result."""

    evidence: OutcomeEvidence
    judgments: tuple[DomainJudgment, ...]
    upgrades: tuple[UpgradeJudgment, ...] = ()
    importance: Importance = Importance.CRITICAL
    comparison: str = ""
    comment: str = ""
    baseline_risks: tuple[BaselineRisk, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        domains = [j.domain for j in self.judgments]
        if sorted(domains) != sorted(Domain) or len(domains) != len(Domain):
            missing = ", ".join(d.value for d in Domain if d not in domains)
            raise ValidationError(
                f"{self.evidence.outcome}: need exactly one judgment per GRADE domain",
                field="judgments",
                hint=f"missing or repeated: {missing or 'a repeated domain'}",
            )
        raised = sum(u.levels for u in self.upgrades)
        if raised and self.evidence.design is StudyDesign.RANDOMIZED:
            raise ValidationError(
                f"{self.evidence.outcome}: rating up applies to non-randomized evidence only",
                field="upgrades",
                hint="set design to non_randomized or remove the upgrade",
            )

    def judgment(self, domain: Domain) -> DomainJudgment:
        return next(j for j in self.judgments if j.domain is domain)

    @property
    def levels_down(self) -> int:
        return sum(int(j.rating) for j in self.judgments)

    @property
    def levels_up(self) -> int:
        return sum(u.levels for u in self.upgrades)

    @property
    def certainty(self) -> Certainty:
        """Start level minus downgrades plus upgrades, clipped to Very low..High."""
        value = int(self.evidence.design.start) - self.levels_down + self.levels_up
        return Certainty(min(max(value, int(Certainty.VERY_LOW)), int(Certainty.HIGH)))
