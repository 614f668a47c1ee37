"""Risk of bias in the review store: every assessor's assessment, the consensus, and the
results the outputs (rob.json, the figures, forest-plot columns, GRADE) are computed from.

A row of ``rob_assessments`` holds one assessment whole (study, outcome, assessor,
instrument, answers, justifications, overrides with reasons, preliminary settings, the
result label) and the judgments the engine proposed and made final, so the store alone
rebuilds the :class:`Assessment` and the review folder's ``rob/`` files (:func:`rob_folder`).

Which assessments count for the outputs (:func:`counted_results`): for each study, outcome
and instrument, the consensus where one exists (assessor ``consensus``, or a name starting
"consensus " as :func:`evidens.rob.dual.consensus` writes it); otherwise every assessor's
assessment, as a review folder has always been read (one assessor: that one; two without a
consensus yet: both, and ``evidens rob status`` says they still need to agree).

Order: by the file :func:`rob_folder` writes the study to, then as stored, so that the
outputs from a store and from the folder written out of it are the same, byte for byte.
Editing (adding an assessor's assessment, recording the consensus) lives in
:mod:`evidens.services.assessment.risk_of_bias_edit`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidens.errors import NotFoundError, ValidationError
from evidens.rob import (
    Assessment,
    Judgment,
    Override,
    Result,
    assess,
    dump_assessment,
    dump_assessments,
)
from evidens.services.store import UnitOfWork
from evidens.store.models import OutcomeRow, RobAssessmentRow, StudyRow

CONSENSUS = "consensus"


def is_consensus(assessor: str) -> bool:
    """Whether an assessor name marks the agreed record rather than one person's."""
    name = assessor.strip().lower()
    return name == CONSENSUS or name.startswith(CONSENSUS + " ")


@dataclass(frozen=True)
class StoredAssessment:
    """An assessment as stored: its row id and how a consensus was reached (empty for one
    assessor's own assessment)."""

    row_id: int
    assessment: Assessment
    agreement: Mapping[str, Any]


# --- rows <-> assessments ----------------------------------------------------------------


def _value(judgment: Judgment | None) -> str | None:
    return None if judgment is None else judgment.value


def _judgment(value: object) -> Judgment | None:
    return None if value is None else Judgment(str(value))


def row_values(result: Result, agreement: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The columns of one assessment's row (the study and outcome ids aside)."""
    a = result.assessment
    judgments: dict[str, Any] = {
        "domains": {
            d.domain: {
                "proposed": _value(d.proposed),
                "final": _value(d.final),
                "override_reason": d.override_reason,
            }
            for d in result.domains
        },
        "overall": {
            "proposed": _value(result.proposed_overall),
            "final": _value(result.final_overall),
            "override_reason": result.overall_override_reason,
        },
        "overrides": {
            key: {"judgment": o.judgment.value, "reason": o.reason}
            for key, o in a.overrides.items()
        },
        "settings": dict(a.settings),
        "result": a.result_label,
    }
    if agreement:
        judgments["consensus"] = dict(agreement)
    return {
        "assessor": a.assessor,
        "instrument": a.instrument,
        "answers": {d: {q: v.value for q, v in qs.items()} for d, qs in a.answers.items()},
        "justifications": {d: dict(qs) for d, qs in a.justifications.items()},
        "judgments": judgments,
        "overall": _value(result.final_overall),
    }


def _overrides(judgments: Mapping[str, Any]) -> dict[str, Override]:
    if "domains" in judgments:
        return {
            key: Override(Judgment(entry["judgment"]), str(entry.get("reason", "")))
            for key, entry in judgments.get("overrides", {}).items()
        }
    # rows written before the whole assessment was kept: a final differing from the
    # proposal was an override (its reason is all that was kept of it)
    return {
        domain: Override(Judgment(entry["final"]), str(entry.get("override_reason", "")))
        for domain, entry in judgments.items()
        if entry.get("final") is not None and entry.get("final") != entry.get("proposed")
    }


def assessment_of(row: RobAssessmentRow, study: str, outcome: str) -> Assessment:
    """The assessment a row holds (rows of older stores lack settings and result labels)."""
    judgments = row.judgments or {}
    return Assessment(
        study=study,
        outcome=outcome,
        assessor=row.assessor,
        instrument=row.instrument,
        answers=row.answers or {},
        justifications=row.justifications or {},
        overrides=_overrides(judgments),
        settings={str(k): str(v) for k, v in judgments.get("settings", {}).items()},
        result_label=str(judgments.get("result", "")),
    )


def whole(assessment: Assessment) -> dict[str, Any]:
    """An assessment as the audit log keeps it (before and after a change)."""
    return {
        "study": assessment.study,
        "outcome": assessment.outcome,
        "assessor": assessment.assessor,
        "instrument": assessment.instrument,
        "result": assessment.result_label,
        "settings": dict(assessment.settings),
        "answers": {d: {q: v.value for q, v in qs.items()} for d, qs in assessment.answers.items()},
        "justifications": {d: dict(qs) for d, qs in assessment.justifications.items()},
        "overrides": {k: [o.judgment.value, o.reason] for k, o in assessment.overrides.items()},
    }


# --- studies and outcomes ----------------------------------------------------------------


def study_row_id(uow: UnitOfWork, label: str, *, create: bool) -> int:
    """The study's id; created (audited) only when ``create``, else a missing study is an
    error naming the studies there are (a typo must not start a new study)."""
    rows = uow.session.execute(
        select(StudyRow.id, StudyRow.label).where(StudyRow.review_id == uow.review_id)
    ).all()
    found = next((r.id for r in rows if r.label == label), None)
    if found is not None:
        return int(found)
    if not create:
        known = ", ".join(sorted(r.label for r in rows)) or "none yet"
        raise NotFoundError(
            f"no study {label!r} in this review (studies: {known})",
            hint="fix the study label, or add it with `evidens studies add`",
        )
    row = StudyRow(review_id=uow.review_id, label=label)
    uow.session.add(row)
    uow.session.flush()
    uow.audit("create", "study", row.id, after={"label": label})
    return row.id


def outcome_row_id(uow: UnitOfWork, name: str) -> int:
    """The outcome's id, created (audited) when the review has none by that name yet."""
    found = uow.session.scalar(
        select(OutcomeRow.id).where(OutcomeRow.review_id == uow.review_id, OutcomeRow.name == name)
    )
    if found is not None:
        return int(found)
    row = OutcomeRow(review_id=uow.review_id, name=name)
    uow.session.add(row)
    uow.session.flush()
    uow.audit("create", "outcome", row.id, after={"name": name, "kind": row.kind})
    return row.id


# --- reading -----------------------------------------------------------------------------


def file_names(labels: Iterable[str]) -> dict[str, str]:
    """The ``rob/`` file of each study: its label in lower case, runs of other characters as
    one hyphen; a second study with the same name gets ``-2`` (in the order given)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for label in labels:
        if label in names:
            continue
        stem = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "study"
        name, n = f"{stem}.toml", 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}.toml"
        names[label] = name
        taken.add(name)
    return names


def stored_in(session: Session, review_id: int) -> list[StoredAssessment]:
    """Every stored assessment of a review, by study file, then in the order stored."""
    query = (
        select(RobAssessmentRow, StudyRow.label, OutcomeRow.name)
        .join(StudyRow, StudyRow.id == RobAssessmentRow.study_id)
        .outerjoin(OutcomeRow, OutcomeRow.id == RobAssessmentRow.outcome_id)
        .where(RobAssessmentRow.review_id == review_id)
        .order_by(RobAssessmentRow.id)
    )
    rows = list(session.execute(query).all())
    files = file_names(label for _, label, _ in rows)
    rows.sort(key=lambda r: files[r[1]])  # stable: stored order within a study's file
    return [
        StoredAssessment(
            row.id,
            assessment_of(row, label, outcome or ""),
            dict((row.judgments or {}).get("consensus", {})),
        )
        for row, label, outcome in rows
    ]


def rob_assessments_in(uow: UnitOfWork) -> list[Assessment]:
    """Every assessment in the store (each assessor's and each consensus)."""
    return [s.assessment for s in stored_in(uow.session, uow.review_id)]


def counted_results(results: Iterable[Result]) -> list[Result]:
    """The results the outputs use: per study, outcome and instrument the consensus where
    there is one, else every assessor's (see the module docstring); order kept."""
    given = list(results)
    agreed = {_key(r.assessment) for r in given if is_consensus(r.assessment.assessor)}
    return [
        r for r in given if is_consensus(r.assessment.assessor) or _key(r.assessment) not in agreed
    ]


def _key(a: Assessment) -> tuple[str, str, str]:
    return (a.study, a.outcome, a.instrument.lower())


def rob_results_in(uow: UnitOfWork) -> list[Result]:
    """The engine's results of the assessments that count for the outputs."""
    return counted_results(assess(a) for a in rob_assessments_in(uow))


def rob_folder(uow: UnitOfWork) -> dict[str, bytes]:
    """The review folder's ``rob/`` files, by name: one TOML file per study holding every
    assessment of it; ``load_assessments`` reads each back into equal assessments."""
    by_file: dict[str, list[Assessment]] = {}
    found = rob_assessments_in(uow)
    files = file_names(a.study for a in found)
    for a in found:
        by_file.setdefault(files[a.study], []).append(a)
    return {
        name: (dump_assessment(group[0]) if len(group) == 1 else dump_assessments(group)).encode()
        for name, group in by_file.items()
    }


# --- storing -----------------------------------------------------------------------------


def store_rob(uow: UnitOfWork, assessments: Iterable[Assessment]) -> None:
    """Store each assessment whole with its judgments (a review folder's ``rob/`` files, as
    ``evidens run`` loads them). Studies and outcomes not yet in the store are created.
    Two assessments of one result by one assessor are refused: say which one stands."""
    seen = {
        (s.assessment.study, s.assessment.outcome, s.assessment.assessor, s.assessment.instrument)
        for s in stored_in(uow.session, uow.review_id)
    }
    for assessment in assessments:
        result = assess(assessment)
        key = (assessment.study, assessment.outcome, assessment.assessor, assessment.instrument)
        if key in seen:
            raise ValidationError(
                f"{assessment.assessor!r} assessed {assessment.study} / {assessment.outcome} twice",
                field="assessor",
                hint="keep one assessment per assessor and result "
                "(`evidens rob add` replaces an earlier one)",
            )
        seen.add(key)
        insert(uow, result, create_study=True)


def insert(
    uow: UnitOfWork,
    result: Result,
    *,
    create_study: bool,
    agreement: Mapping[str, Any] | None = None,
    on_behalf_of: str | None = None,
) -> RobAssessmentRow:
    """Add one assessment's row and its audit entry."""
    a = result.assessment
    row = RobAssessmentRow(
        review_id=uow.review_id,
        study_id=study_row_id(uow, a.study, create=create_study),
        outcome_id=outcome_row_id(uow, a.outcome),
        **row_values(result, agreement),
    )
    uow.session.add(row)
    uow.session.flush()
    after = {**whole(a), "overall": row.overall}
    if agreement:
        after["consensus"] = dict(agreement)
    uow.audit("assess", "rob_assessment", row.id, after=after, on_behalf_of=on_behalf_of)
    return row


def select_one(
    found: Sequence[StoredAssessment], study: str, outcome: str | None
) -> list[StoredAssessment]:
    """The stored assessments of one study and outcome (the outcome may be left out when the
    study was assessed for one only)."""
    of_study = [s for s in found if s.assessment.study == study]
    if not of_study:
        assessed = sorted({s.assessment.study for s in found})
        raise NotFoundError(
            f"no risk-of-bias assessment of {study!r}",
            hint=f"assessed studies: {', '.join(assessed) or 'none yet'}",
        )
    outcomes = list(dict.fromkeys(s.assessment.outcome for s in of_study))
    if outcome is None and len(outcomes) > 1:
        raise ValidationError(
            f"{study} is assessed for several outcomes: {'; '.join(outcomes)}",
            field="outcome",
            hint="name one with --outcome",
        )
    chosen = outcome if outcome is not None else outcomes[0]
    if chosen not in outcomes:
        raise NotFoundError(
            f"no risk-of-bias assessment of {study} for {chosen!r}",
            hint=f"its outcomes: {'; '.join(outcomes)}",
        )
    return [s for s in of_study if s.assessment.outcome == chosen]
