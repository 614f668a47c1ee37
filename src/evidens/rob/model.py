"""Value types of risk-of-bias assessment: answers, judgments, assessments and results.

Answers are stored raw (``PY`` stays ``PY``) because the certainty of the assessor is part of
the record; the algorithms only ever see the collapsed classes (see :data:`ANSWER_CLASS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from evidens.core import RobJudgment
from evidens.errors import ValidationError


class Answer(StrEnum):
    """Signalling-question answer options shared by RoB 2, ROBINS-I and QUADAS-2."""

    Y = "Y"
    PY = "PY"
    PN = "PN"
    N = "N"
    NI = "NI"
    NA = "NA"

    @classmethod
    def parse(cls, text: str, *, field: str | None = None) -> Answer:
        """Read an answer code case-insensitively; "NI" is never read as "not applicable"."""
        code = text.strip().upper()
        try:
            return cls(code)
        except ValueError:
            options = "/".join(a.value for a in cls)
            raise ValidationError(
                f"unknown answer {text!r}", field=field, hint=f"use one of {options}"
            ) from None


#: Class an algorithm sees: probably-yes behaves as yes and probably-no as no.
ANSWER_CLASS: Mapping[Answer, str] = MappingProxyType(
    {
        Answer.Y: "Y",
        Answer.PY: "Y",
        Answer.N: "N",
        Answer.PN: "N",
        Answer.NI: "NI",
        Answer.NA: "NA",
    }
)


class Judgment(StrEnum):
    """Every level any supported instrument uses; each instrument declares its own scale."""

    LOW = "low"
    SOME_CONCERNS = "some_concerns"
    MODERATE = "moderate"
    HIGH = "high"
    SERIOUS = "serious"
    CRITICAL = "critical"
    VERY_HIGH = "very_high"
    NO_INFORMATION = "no_information"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """The level as robvis and the published tools spell it ("Some concerns")."""
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def parse(cls, text: str, *, field: str | None = None) -> Judgment:
        """Read a level from its value or label ("Some concerns", "some_concerns", "SC")."""
        key = text.strip().lower().replace(" ", "_").replace("-", "_")
        key = _JUDGMENT_ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            options = ", ".join(j.label for j in cls)
            raise ValidationError(
                f"unknown judgment {text!r}", field=field, hint=f"use one of {options}"
            ) from None

    def to_core(self) -> RobJudgment | None:
        """The RoB 2 judgment GRADE reads, or None for levels outside the RoB 2 scale."""
        return _CORE.get(self)


_JUDGMENT_ALIASES = {
    "l": "low",
    "sc": "some_concerns",
    "some": "some_concerns",
    "h": "high",
    "ni": "no_information",
    "na": "not_applicable",
    "unclear": "no_information",
}
_CORE = {
    Judgment.LOW: RobJudgment.LOW,
    Judgment.SOME_CONCERNS: RobJudgment.SOME_CONCERNS,
    Judgment.HIGH: RobJudgment.HIGH,
}


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Override:
    """An assessor's judgment replacing (or, without an algorithm, supplying) a proposal."""

    judgment: Judgment
    reason: str = ""


@dataclass(frozen=True)
class Assessment:
    """One assessor's answers for one study and one result (RoB 2 is result-specific).

    ``answers`` and ``justifications`` are keyed by domain id, then question id, because
    question numbers repeat across the two variants of RoB 2 domain 2. ``settings`` hold the
    preliminary choices (effect of interest, deviation types addressed). ``overrides`` are keyed
    by domain id or ``"overall"``.
    """

    study: str
    outcome: str
    assessor: str
    instrument: str
    answers: Mapping[str, Mapping[str, Answer]]
    justifications: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    overrides: Mapping[str, Override] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)
    result_label: str = ""

    def __post_init__(self) -> None:
        # accept plain codes ("PY") from callers, store Answer members
        nested = {k: _frozen({q: Answer(a) for q, a in v.items()}) for k, v in self.answers.items()}
        object.__setattr__(self, "answers", MappingProxyType(nested))
        why = {k: _frozen(v) for k, v in self.justifications.items()}
        object.__setattr__(self, "justifications", MappingProxyType(why))
        object.__setattr__(self, "overrides", _frozen(self.overrides))
        object.__setattr__(self, "settings", _frozen(self.settings))

    def answer(self, domain: str, question: str) -> Answer | None:
        """The raw answer, or None when the question was left blank."""
        return self.answers.get(domain, {}).get(question)


@dataclass(frozen=True)
class DomainResult:
    """A domain's proposal from the algorithm and the final judgment after any override.

    ``problems`` lists questions that are unanswered on the active path or answered although
    not reached; while there are any, ``proposed`` is None ("incomplete").
    """

    domain: str
    name: str
    proposed: Judgment | None
    final: Judgment | None
    override_reason: str
    problems: tuple[str, ...] = ()

    @property
    def overridden(self) -> bool:
        return self.final is not None and self.final != self.proposed


@dataclass(frozen=True)
class Result:
    """Domain judgments and the overall judgment of one assessment."""

    assessment: Assessment
    domains: tuple[DomainResult, ...]
    proposed_overall: Judgment | None
    final_overall: Judgment | None
    overall_override_reason: str

    @property
    def complete(self) -> bool:
        return self.final_overall is not None and all(d.final for d in self.domains)

    def domain(self, domain_id: str) -> DomainResult:
        """The result of one domain by id (KeyError names the id when absent)."""
        for result in self.domains:
            if result.domain == domain_id:
                return result
        raise KeyError(domain_id)
