"""GRADE's vocabulary as frozen types: domains, ratings, suggestions, judgments, assessments.

Certainty is rated per comparison and outcome, never per study. Every judgment carries the
written reason that becomes a lettered footnote, and the machine's suggestion it was based
on (if any), so a reader can see where the assessor agreed with the numbers and where not.
What is rated (the data) lives in :mod:`evidens.grade.inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from evidens.core import Certainty
from evidens.errors import ValidationError
from evidens.grade.inputs import BaselineRisk, OutcomeEvidence, StudyDesign


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
class CertaintyAssessment:
    """GRADE for one comparison x outcome: five domain judgments, upgrades and the result."""

    evidence: OutcomeEvidence
    judgments: tuple[DomainJudgment, ...]
    upgrades: tuple[UpgradeJudgment, ...] = ()
    importance: Importance = Importance.CRITICAL
    comparison: str = ""
    comment: str = ""
    baseline_risks: tuple[BaselineRisk, ...] = ()
    notes: tuple[str, ...] = ()

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
