"""The one engine that runs every instrument: checks answers, proposes, applies overrides.

Proposals come only from the instrument's rule tables; a person's judgment enters only as an
:class:`~evidens.rob.model.Override` with a reason, so every typed judgment is visible as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from evidens.errors import ValidationError
from evidens.rob.instrument import Domain, Instrument, Rule, get_instrument, holds
from evidens.rob.model import Answer, Assessment, DomainResult, Judgment, Override, Result

OVERALL = "overall"


def propose(
    domain: Domain, answers: Mapping[str, Answer], settings: Mapping[str, str]
) -> tuple[Judgment | None, tuple[str, ...]]:
    """The algorithm's judgment for one domain, or None with the problems that prevent it.

    A question on the active path must be answered with something other than NA (NI is an
    answer); a question off the path must be NA or blank. Anything else is "incomplete"
    rather than guessed, as docs/reference/methods.md recommends.
    """
    seen: dict[str, str] = {}
    problems: list[str] = []
    setting_values = dict(settings)
    for question in domain.questions:
        answer = answers.get(question.id)
        if holds(question.asked_if, seen, setting_values):
            if answer is None:
                problems.append(f"{domain.id} {question.id}: unanswered")
            elif answer is Answer.NA:
                problems.append(
                    f"{domain.id} {question.id}: answered NA but asked ({question.asked_if_text})"
                )
        elif answer is not None and answer is not Answer.NA:
            problems.append(
                f"{domain.id} {question.id}: answered {answer} but not asked unless "
                f"{question.asked_if_text}; answer NA"
            )
        seen[question.id] = "NA" if answer is None else answer.value
    if problems or not domain.parts:
        return None, tuple(problems)
    judged = [_first_match(rules, seen, setting_values).judge for rules in domain.parts]
    return max(judged, key=domain.scale.index), ()


def fired_rules(
    domain: Domain, answers: Mapping[str, Answer], settings: Mapping[str, str]
) -> tuple[Rule, ...]:
    """The rule that decided each part, to show *why* a judgment was proposed.

    Empty when the domain has no algorithm or its answers are incomplete.
    """
    proposed, _ = propose(domain, answers, settings)
    if proposed is None:
        return ()
    seen = {q.id: (answers[q.id].value if q.id in answers else "NA") for q in domain.questions}
    return tuple(_first_match(rules, seen, dict(settings)) for rules in domain.parts)


def _first_match(
    rules: tuple[Rule, ...], answers: dict[str, str], settings: dict[str, str]
) -> Rule:
    for rule in rules:
        if holds(rule.when, answers, settings):
            return rule
    raise AssertionError("rule tables end with an unconditional rule")  # checked at load


def overall(instrument: Instrument, judgments: Iterable[Judgment]) -> Judgment | None:
    """The instrument's overall rule applied to final domain judgments (None if none given).

    The most severe level is proposed. Where the instrument has a "No information" level,
    that is proposed instead when nothing reaches ``no_information_below`` (ROBINS-I: Serious)
    and some domain lacks information.
    """
    levels = list(judgments)
    known = [j for j in levels if j in instrument.scale]
    worst = max(known, key=instrument.scale.index) if known else None
    below = instrument.no_information_below
    if below is None or Judgment.NO_INFORMATION not in levels:
        return worst
    if worst is None or instrument.severity(worst) < instrument.severity(below):
        return Judgment.NO_INFORMATION
    return worst


def assess(assessment: Assessment, instrument: Instrument | None = None) -> Result:
    """Run an assessment through its instrument: proposals, overrides, overall."""
    tool = instrument or get_instrument(assessment.instrument)
    settings = tool.resolve_settings(dict(assessment.settings))
    domains = tool.domains_for(settings)
    check_answers(tool, domains, assessment)
    _check_override_keys(domains, assessment.overrides)
    results = tuple(
        _domain_result(d, assessment.answers.get(d.id, {}), settings, assessment.overrides)
        for d in domains
    )
    finals = [r.final for r in results]
    proposed = None if None in finals else overall(tool, [f for f in finals if f])
    override = assessment.overrides.get(OVERALL)
    final = proposed
    reason = ""
    if override is not None:
        allowed = tool.scale + ((Judgment.NO_INFORMATION,) if tool.no_information_below else ())
        _check_level(override, allowed, OVERALL)
        _check_reason(override, proposed, OVERALL)
        final, reason = override.judgment, override.reason
    return Result(assessment, results, proposed, final, reason)


def _domain_result(
    domain: Domain,
    answers: Mapping[str, Answer],
    settings: Mapping[str, str],
    overrides: Mapping[str, Override],
) -> DomainResult:
    proposed, problems = propose(domain, answers, settings)
    override = overrides.get(domain.id)
    if override is None:
        return DomainResult(domain.id, domain.name, proposed, proposed, "", problems)
    _check_level(override, domain.scale, domain.id)
    if domain.has_algorithm:
        _check_reason(override, proposed, domain.id)
    return DomainResult(
        domain.id, domain.name, proposed, override.judgment, override.reason, problems
    )


def check_answers(tool: Instrument, domains: tuple[Domain, ...], assessment: Assessment) -> None:
    """Refuse answers to unknown or excluded domains and questions, and options not offered."""
    by_id = {d.id: d for d in domains}
    for domain_id, answers in assessment.answers.items():
        if domain_id not in by_id:
            known = ", ".join(by_id)
            raise ValidationError(
                f"{assessment.study}: answers for domain {domain_id!r}, which this "
                f"{tool.id} assessment does not include",
                field=f"answers.{domain_id}",
                hint=f"domains included with these settings: {known}",
            )
        questions = {q.id: q for q in by_id[domain_id].questions}
        for question_id, answer in answers.items():
            where = f"answers.{domain_id}.{question_id}"
            if question_id not in questions:
                raise ValidationError(
                    f"{assessment.study}: no question {question_id} in {domain_id}",
                    field=where,
                    hint=f"questions: {', '.join(questions)}",
                )
            options = questions[question_id].options
            if answer not in options:
                raise ValidationError(
                    f"{assessment.study}: {answer} is not an option for {question_id}",
                    field=where,
                    hint=f"use one of {'/'.join(options)}",
                )


def _check_override_keys(domains: tuple[Domain, ...], overrides: Mapping[str, Override]) -> None:
    known = {d.id for d in domains} | {OVERALL}
    for key in overrides:
        if key not in known:
            raise ValidationError(
                f"override for unknown domain {key!r}",
                field=f"overrides.{key}",
                hint=f"use one of {', '.join(sorted(known))}",
            )


def _check_level(override: Override, allowed: tuple[Judgment, ...], where: str) -> None:
    if override.judgment not in allowed:
        raise ValidationError(
            f"{override.judgment.label} is not a level of this domain",
            field=f"overrides.{where}",
            hint=f"use one of {', '.join(j.label for j in allowed)}",
        )


def _check_reason(override: Override, proposed: Judgment | None, where: str) -> None:
    if override.judgment != proposed and not override.reason.strip():
        raise ValidationError(
            f"overriding the proposed judgment needs a reason ({where})",
            field=f"overrides.{where}.reason",
            hint="say why the algorithm's proposal does not fit this result",
        )
