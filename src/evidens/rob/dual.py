"""Dual assessment: two assessors' independent answers compared, then one consensus record.

Pure logic; storing both assessments and the consensus (with the audit log) is the services'
job. The consensus is itself an :class:`Assessment`, so it runs through the same engine and its
judgments are proposals from the agreed answers, never typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evidens.errors import ValidationError
from evidens.rob.engine import OVERALL, assess
from evidens.rob.model import ANSWER_CLASS, Answer, Assessment, Judgment, Override, Result


@dataclass(frozen=True)
class QuestionDiscrepancy:
    """Two different answers to one question; ``same_class`` when only certainty differs
    (Y vs PY, N vs PN), which cannot change any judgment."""

    domain: str
    question: str
    first: Answer | None
    second: Answer | None

    @property
    def same_class(self) -> bool:
        if self.first is None or self.second is None:
            return False
        return ANSWER_CLASS[self.first] == ANSWER_CLASS[self.second]


@dataclass(frozen=True)
class JudgmentDiscrepancy:
    """Different final judgments for a domain (or ``"overall"``)."""

    domain: str
    first: Judgment | None
    second: Judgment | None


@dataclass(frozen=True)
class DiscrepancyReport:
    """Where two assessments of one result differ, question by question and domain by domain."""

    study: str
    outcome: str
    first_assessor: str
    second_assessor: str
    questions: tuple[QuestionDiscrepancy, ...]
    judgments: tuple[JudgmentDiscrepancy, ...]
    compared: int
    settings: tuple[tuple[str, str | None, str | None], ...] = ()

    @property
    def agreement(self) -> float:
        """Share of questions answered identically (1.0 when none were compared)."""
        if self.compared == 0:
            return 1.0
        return 1 - len(self.questions) / self.compared

    @property
    def agreed(self) -> bool:
        return not self.questions and not self.judgments and not self.settings


def _same_result(first: Assessment, second: Assessment) -> None:
    for name in ("study", "outcome", "instrument"):
        if getattr(first, name) != getattr(second, name):
            raise ValidationError(
                f"the two assessments differ in {name}: "
                f"{getattr(first, name)!r} vs {getattr(second, name)!r}",
                field=name,
                hint="compare two assessments of the same study, result and instrument",
            )


def compare(first: Result, second: Result) -> DiscrepancyReport:
    """The discrepancy report between two assessors' results of the same study and outcome."""
    a, b = first.assessment, second.assessment
    _same_result(a, b)
    questions = []
    compared = 0
    for domain in sorted(set(a.answers) | set(b.answers)):
        ids = list(a.answers.get(domain, {}))
        ids += [q for q in b.answers.get(domain, {}) if q not in ids]
        for question in ids:
            compared += 1
            x, y = a.answer(domain, question), b.answer(domain, question)
            if x != y:
                questions.append(QuestionDiscrepancy(domain, question, x, y))
    finals_a = {d.domain: d.final for d in first.domains}
    finals_b = {d.domain: d.final for d in second.domains}
    finals_a[OVERALL], finals_b[OVERALL] = first.final_overall, second.final_overall
    judgments = [
        JudgmentDiscrepancy(k, finals_a.get(k), finals_b.get(k))
        for k in [*finals_a, *(k for k in finals_b if k not in finals_a)]
        if finals_a.get(k) != finals_b.get(k)
    ]
    settings = tuple(
        (k, a.settings.get(k), b.settings.get(k))
        for k in sorted(set(a.settings) | set(b.settings))
        if a.settings.get(k) != b.settings.get(k)
    )
    return DiscrepancyReport(
        a.study,
        a.outcome,
        a.assessor,
        b.assessor,
        tuple(questions),
        tuple(judgments),
        compared,
        settings,
    )


@dataclass(frozen=True)
class Resolution:
    """The answer agreed for one question, with the reason (discussion, third assessor...)."""

    domain: str
    question: str
    answer: Answer
    reason: str


@dataclass(frozen=True)
class ConsensusRecord:
    """The agreed assessment, the discrepancies it settled and how each was settled."""

    assessment: Assessment
    report: DiscrepancyReport
    resolutions: tuple[Resolution, ...]
    result: Result


def consensus(
    first: Assessment,
    second: Assessment,
    resolutions: Iterable[Resolution] = (),
    *,
    assessor: str | None = None,
    overrides: Mapping[str, Override] | None = None,
) -> ConsensusRecord:
    """Merge two assessments: agreed answers stand; every disagreement needs a resolution.

    Overrides are taken from ``overrides`` when given, else both assessors' overrides must be
    identical. Raises ValidationError naming every unresolved question.
    """
    _same_result(first, second)
    if dict(first.settings) != dict(second.settings):
        raise ValidationError(
            "the assessors chose different preliminary settings",
            field="settings",
            hint="agree on the effect of interest and deviation types first",
        )
    report = compare(assess(first), assess(second))
    chosen = {(r.domain, r.question): r for r in resolutions}
    open_items = [
        f"{d.domain} {d.question}" for d in report.questions if (d.domain, d.question) not in chosen
    ]
    if open_items:
        raise ValidationError(
            f"unresolved disagreements: {', '.join(open_items)}",
            field="answers",
            hint="give a Resolution (answer and reason) for each",
        )
    answers, why = _merged(first, second, chosen)
    if overrides is None:
        if dict(first.overrides) != dict(second.overrides):
            raise ValidationError(
                "the assessors' overrides differ",
                field="overrides",
                hint="pass the agreed overrides explicitly",
            )
        overrides = first.overrides
    agreed = Assessment(
        study=first.study,
        outcome=first.outcome,
        assessor=assessor or f"consensus of {first.assessor} and {second.assessor}",
        instrument=first.instrument,
        answers=answers,
        justifications=why,
        overrides=overrides,
        settings=first.settings,
        result_label=first.result_label or second.result_label,
    )
    return ConsensusRecord(agreed, report, tuple(chosen.values()), assess(agreed))


def _merged(
    first: Assessment, second: Assessment, chosen: Mapping[tuple[str, str], Resolution]
) -> tuple[dict[str, dict[str, Answer]], dict[str, dict[str, str]]]:
    answers: dict[str, dict[str, Answer]] = {}
    why: dict[str, dict[str, str]] = {}
    for domain in [*first.answers, *(d for d in second.answers if d not in first.answers)]:
        ids = list(first.answers.get(domain, {}))
        ids += [q for q in second.answers.get(domain, {}) if q not in ids]
        answers[domain], why[domain] = {}, {}
        for question in ids:
            resolution = chosen.get((domain, question))
            answer = first.answer(domain, question) or second.answer(domain, question)
            note = first.justifications.get(domain, {}).get(question) or second.justifications.get(
                domain, {}
            ).get(question, "")
            if resolution is not None:
                answer, note = resolution.answer, resolution.reason
            if answer is not None:
                answers[domain][question] = answer
                why[domain][question] = note
    return answers, why
