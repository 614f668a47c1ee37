"""What the risk-of-bias pages show, and how a web form becomes an
:class:`~evidens.rob.Assessment`.

The engine proposes; these functions only say which questions apply (the instrument's own
conditions, :func:`evidens.rob.instrument.holds`, walked in order as the engine walks them)
and turn posted fields into an assessment the store keeps as it keeps a TOML file
(:func:`~evidens.services.assessment.risk_of_bias_edit.add_assessment`). Blinding: a person
sees their own assessment, and the agreed record once a consensus exists; the figures are
drawn from consensus records only, so no open assessment shows through them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evidens.errors import InputError, ValidationError
from evidens.report.rob_plots import rob_outputs
from evidens.rob import (
    Answer,
    Assessment,
    Domain,
    Instrument,
    Judgment,
    Override,
    Result,
    assess,
    get_instrument,
)
from evidens.rob.dual import Resolution
from evidens.rob.engine import OVERALL
from evidens.rob.instrument import holds
from evidens.services.assessment.risk_of_bias import is_consensus, rob_assessments_in, whole
from evidens.services.assessment.risk_of_bias_edit import rob_status
from evidens.services.store import ReviewStore, transaction

FormData = Mapping[str, Sequence[str]]
INSTRUMENTS = ("rob2", "robins-i")
FIGURES = ("rob-traffic-light.svg", "rob-summary.svg")


@dataclass(frozen=True)
class RobLine:
    """One assessed study and outcome: who assessed (names only), whether a consensus is
    recorded, and its overall judgment (shown only once agreed)."""

    study: str
    outcome: str
    assessors: tuple[str, ...]
    consensus: bool
    overall: Judgment | None
    mine: bool


@dataclass(frozen=True)
class RobPage:
    """One person's assessment form of one study's result, and the agreed one if any."""

    study: str
    outcome: str
    instrument: Instrument
    settings: dict[str, str]
    own: Assessment | None
    result: Result | None
    asked: dict[str, tuple[str, ...]]
    agreed: Result | None


def instrument(instrument_id: str) -> Instrument:
    if instrument_id not in INSTRUMENTS:
        raise ValidationError(
            f"{instrument_id!r} is not an instrument here",
            field="instrument",
            hint=f"use one of {', '.join(INSTRUMENTS)}",
        )
    return get_instrument(instrument_id)


def overview(store: ReviewStore, viewer: str) -> tuple[RobLine, ...]:
    """Every assessed study and outcome; an overall judgment only where agreed."""
    return tuple(
        RobLine(
            s.study,
            s.outcome,
            s.assessors,
            s.consensus,
            s.final_overall if s.consensus else None,
            viewer in s.assessors,
        )
        for s in rob_status(store)
    )


def _found(store: ReviewStore, study: str, outcome: str) -> list[Assessment]:
    with transaction(store, "evidens") as uow:
        every = rob_assessments_in(uow)
    return [a for a in every if (a.study, a.outcome) == (study, outcome)]


def rob_page(
    store: ReviewStore, study: str, outcome: str, instrument_id: str, viewer: str
) -> RobPage:
    """``viewer``'s own assessment (run through the engine) and the consensus, if any."""
    found = _found(store, study, outcome)
    own = next((a for a in found if a.assessor == viewer), None)
    tool = instrument(own.instrument if own else instrument_id)
    agreed = next((a for a in found if is_consensus(a.assessor)), None)
    settings = tool.resolve_settings(dict(own.settings) if own else {})
    answers = {k: dict(v) for k, v in own.answers.items()} if own else {}
    return RobPage(
        study,
        outcome,
        tool,
        settings,
        own,
        assess(own) if own else None,
        asked(tool, settings, answers),
        assess(agreed) if agreed else None,
    )


def instrument_of(store: ReviewStore, study: str, outcome: str) -> Instrument:
    """The instrument the assessors of a result used (RoB 2 when none assessed it yet)."""
    found = [a for a in _found(store, study, outcome) if not is_consensus(a.assessor)]
    return instrument(found[0].instrument if found else "rob2")


def asked(
    tool: Instrument, settings: Mapping[str, str], answers: Mapping[str, Mapping[str, Answer]]
) -> dict[str, tuple[str, ...]]:
    """Per included domain, the questions asked given the answers so far (in order)."""
    shown: dict[str, tuple[str, ...]] = {}
    for domain in tool.domains_for(dict(settings)):
        shown[domain.id] = _asked_in(domain, answers.get(domain.id, {}), settings)
    return shown


def _asked_in(
    domain: Domain, answers: Mapping[str, Answer], settings: Mapping[str, str]
) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    ids = []
    for question in domain.questions:
        if holds(question.asked_if, seen, dict(settings)):
            ids.append(question.id)
        answer = answers.get(question.id)
        seen[question.id] = "NA" if answer is None else answer.value
    return tuple(ids)


def _one(posted: FormData, name: str) -> str:
    return (posted.get(name) or [""])[0].strip()


def assessment_from_form(
    tool: Instrument, study: str, outcome: str, assessor: str, posted: FormData
) -> Assessment:
    """The assessment a posted form describes. Answers to questions the other answers make
    inapplicable are dropped (the page hides them), as are domains the settings exclude."""
    given = {s.id: _one(posted, f"setting.{s.id}") for s in tool.settings}
    settings = tool.resolve_settings({k: v for k, v in given.items() if v})
    answers: dict[str, dict[str, Answer]] = {}
    why: dict[str, dict[str, str]] = {}
    for domain in tool.domains_for(settings):
        typed = {
            q.id: Answer.parse(text, field=f"answer.{domain.id}.{q.id}")
            for q in domain.questions
            if (text := _one(posted, f"answer.{domain.id}.{q.id}"))
        }
        kept = set(_asked_in(domain, typed, settings))
        answers[domain.id] = {q: a for q, a in typed.items() if q in kept}
        why[domain.id] = {
            q: text[:5000]
            for q in answers[domain.id]
            if (text := _one(posted, f"why.{domain.id}.{q}"))
        }
    return Assessment(
        study=study,
        outcome=outcome,
        assessor=assessor,
        instrument=tool.id,
        answers=answers,
        justifications=why,
        overrides=overrides_from_form(tool, settings, posted),
        settings=settings,
        result_label=_one(posted, "result").strip()[:500],  # the numbers assessed (RoB 2)
    )


def overrides_from_form(
    tool: Instrument, settings: Mapping[str, str] | None, posted: FormData
) -> dict[str, Override]:
    """``override.<domain>`` (a level; blank: none) with ``reason.<domain>``, for the
    domains the settings include (every domain without settings: the engine judges)."""
    found = {}
    domains = tool.domains if settings is None else tool.domains_for(dict(settings))
    for key in [d.id for d in domains] + [OVERALL]:
        level = _one(posted, f"override.{key}")
        if level:
            judgment = Judgment.parse(level, field=f"override.{key}")
            found[key] = Override(judgment, _one(posted, f"reason.{key}")[:5000])
    return found


def proposal(result: Result, tool: Instrument) -> dict[str, Any]:
    """What the engine proposes for an assessment, and which questions it asks: what the
    page's script redraws as answers change."""
    answers = {k: dict(v) for k, v in result.assessment.answers.items()}
    return {
        "asked": asked(tool, result.assessment.settings, answers),
        "domains": {
            d.domain: {
                "proposed": _level(d.proposed),
                "final": _level(d.final),
                "problems": list(d.problems),
            }
            for d in result.domains
        },
        "overall": {
            "proposed": _level(result.proposed_overall),
            "final": _level(result.final_overall),
        },
    }


def propose_from_form(
    tool: Instrument, study: str, outcome: str, assessor: str, posted: FormData
) -> dict[str, Any]:
    """:func:`proposal` of a form as typed so far; a refusal (an override without its
    reason, say) is given as an error beside what could be proposed without overrides."""
    assessment = assessment_from_form(tool, study, outcome, assessor, posted)
    try:
        return {**proposal(assess(assessment), tool), "error": None}
    except InputError as exc:
        bare = Assessment(
            study, outcome, assessor, tool.id, assessment.answers, settings=assessment.settings
        )
        return {**proposal(assess(bare), tool), "error": str(exc), "field": exc.field}


def result_data(result: Result | None) -> dict[str, Any] | None:
    """A result for the JSON twin: the answers as given and each judgment, proposed and
    final (``None``: incomplete)."""
    if result is None:
        return None
    return {
        "assessment": whole(result.assessment),
        "domains": {
            d.domain: {"proposed": _value(d.proposed), "final": _value(d.final)}
            for d in result.domains
        },
        "proposed_overall": _value(result.proposed_overall),
        "final_overall": _value(result.final_overall),
    }


def _value(judgment: Judgment | None) -> str | None:
    return None if judgment is None else judgment.value


def _level(judgment: Judgment | None) -> dict[str, str] | None:
    return None if judgment is None else {"value": judgment.value, "label": judgment.label}


def resolutions_from_form(
    questions: Sequence[tuple[str, str]], posted: FormData
) -> tuple[Resolution, ...]:
    """The agreed answer and reason of each disagreement (``agree.<domain>.<q>``,
    ``because.<domain>.<q>``); a reason is required with each."""
    chosen = []
    for domain, question in questions:
        name = f"{domain}.{question}"
        text = _one(posted, f"agree.{name}")
        if not text:
            continue
        reason = _one(posted, f"because.{name}")
        if not reason:
            raise ValidationError(
                f"the agreed answer to {domain} {question} needs a reason",
                field=f"because.{name}",
                hint="say how the two assessors settled it",
            )
        answer = Answer.parse(text, field=f"agree.{name}")
        chosen.append(Resolution(domain, question, answer, reason[:5000]))
    return tuple(chosen)


def figures(store: ReviewStore) -> dict[str, bytes]:
    """The traffic-light and summary figures (SVG) of the agreed assessments."""
    with transaction(store, "evidens") as uow:
        agreed = [a for a in rob_assessments_in(uow) if is_consensus(a.assessor)]
    if not agreed:
        return {}
    key = repr(agreed)  # what is drawn: assessments are frozen, but hold mappings
    with _LOCK:
        if key in _DRAWN:
            _DRAWN.move_to_end(key)
            return dict(_DRAWN[key])
    # drawn once per server process, not once per page: drawing takes tens of
    # milliseconds under one lock (matplotlib's settings are process-wide)
    drawn = rob_outputs([assess(a) for a in agreed])
    svg = {name: data for name, data in drawn.items() if name.endswith(".svg")}
    with _LOCK:
        _DRAWN[key] = svg
        while len(_DRAWN) > 16:
            _DRAWN.popitem(last=False)
    return dict(svg)


_DRAWN: OrderedDict[str, dict[str, bytes]] = OrderedDict()
_LOCK = threading.Lock()
