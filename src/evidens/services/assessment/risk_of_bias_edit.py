"""Risk of bias assessed inside a store: each assessor adds an assessment, the two are
compared, and the agreed record (the consensus) is kept with who settled what.

One audited transaction per step. Adding an assessment replaces that assessor's earlier one
of the same study, outcome and instrument; the replaced one stays in the audit log (the
entry's ``before``). The consensus runs through the engine like any assessment
(:func:`evidens.rob.dual.consensus`), so its judgments are proposals from the agreed answers;
how it was reached (the two assessors, each resolution and who decided) is kept on its row.
Storing and reading whole assessments is :mod:`evidens.services.assessment.risk_of_bias`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from evidens.errors import InputError, ReviewStateError, ValidationError
from evidens.rob import Judgment, Override, Result, assess, load_assessment
from evidens.rob.dual import ConsensusRecord, DiscrepancyReport, Resolution, compare, consensus
from evidens.services.assessment.risk_of_bias import (
    CONSENSUS,
    StoredAssessment,
    assessment_of,
    counted_results,
    insert,
    is_consensus,
    outcome_row_id,
    row_values,
    select_one,
    stored_in,
    study_row_id,
    whole,
)
from evidens.services.review.permissions import may_resolve
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import RobAssessmentRow


def _stored(store: ReviewStore) -> list[StoredAssessment]:
    with Session(store.engine) as session:
        return stored_in(session, store.review_id)


def _replace(
    uow: UnitOfWork,
    result: Result,
    *,
    create_study: bool,
    agreement: Mapping[str, object] | None = None,
    on_behalf_of: str | None = None,
) -> RobAssessmentRow:
    """Insert the assessment, or overwrite the row of the same study, outcome, assessor and
    instrument, keeping the replaced assessment in the audit entry's ``before``."""
    a = result.assessment
    study_id = study_row_id(uow, a.study, create=create_study)
    outcome_id = outcome_row_id(uow, a.outcome)
    row = uow.session.scalar(
        select(RobAssessmentRow).where(
            RobAssessmentRow.review_id == uow.review_id,
            RobAssessmentRow.study_id == study_id,
            RobAssessmentRow.outcome_id == outcome_id,
            RobAssessmentRow.assessor == a.assessor,
            RobAssessmentRow.instrument == a.instrument,
        )
    )
    if row is None:
        return insert(
            uow, result, create_study=create_study, agreement=agreement, on_behalf_of=on_behalf_of
        )
    before = {**whole(assessment_of(row, a.study, a.outcome)), "overall": row.overall}
    for column, value in row_values(result, agreement).items():
        setattr(row, column, value)
    uow.session.flush()
    after = {**whole(a), "overall": row.overall}
    if agreement:
        after["consensus"] = dict(agreement)
    uow.audit(
        "reassess", "rob_assessment", row.id, before=before, after=after, on_behalf_of=on_behalf_of
    )
    return row


def add_assessment(store: ReviewStore, toml_text: str, *, path: str | None, actor: str) -> Result:
    """Store one assessor's assessment (the TOML of :mod:`evidens.rob.files`) of a study
    already in the review, replacing that assessor's earlier one of the same result."""
    assessment = load_assessment(toml_text, path=path)
    if is_consensus(assessment.assessor):
        raise ValidationError(
            f"assessor {assessment.assessor!r} is kept for the agreed record",
            path=path,
            field="assessor",
            hint="name the person who assessed; record the consensus with `evidens rob agree`",
        )
    try:
        result = assess(assessment)
    except InputError as exc:  # an unknown instrument, say: name the file it came from
        if exc.path is not None:
            raise
        raise type(exc)(exc.message, path=path, field=exc.field, hint=exc.hint) from None
    with transaction(store, actor) as uow:
        _replace(uow, result, create_study=False, on_behalf_of=assessment.assessor)
    return result


def _pair(
    found: Sequence[StoredAssessment], assessors: tuple[str, str] | None
) -> tuple[StoredAssessment, StoredAssessment]:
    own = [s for s in found if not is_consensus(s.assessment.assessor)]
    names = [s.assessment.assessor for s in own]
    if assessors is not None:
        missing = [n for n in assessors if n not in names]
        if missing:
            raise ValidationError(
                f"no assessment by {', '.join(missing)}",
                field="assessor",
                hint=f"assessed by: {', '.join(names) or 'no one yet'}",
            )
        first, second = (next(s for s in own if s.assessment.assessor == n) for n in assessors)
        return first, second
    if len(own) != 2:
        raise ReviewStateError(
            f"{len(own)} assessor(s) ({', '.join(names) or 'none'}) assessed this result",
            hint="two assessors compare; with more, name the two (--assessors A B)",
        )
    return own[0], own[1]


def compare_in(
    store: ReviewStore,
    study: str,
    outcome: str | None = None,
    *,
    assessors: tuple[str, str] | None = None,
) -> DiscrepancyReport:
    """Where the two assessors of a study's result differ (:func:`evidens.rob.dual.compare`)."""
    first, second = _pair(select_one(_stored(store), study, outcome), assessors)
    return compare(assess(first.assessment), assess(second.assessment))


def record_consensus(
    store: ReviewStore,
    study: str,
    outcome: str | None = None,
    resolutions: Iterable[Resolution] = (),
    *,
    decided_by: str,
    actor: str,
    overrides: Mapping[str, Override] | None = None,
    assessors: tuple[str, str] | None = None,
) -> ConsensusRecord:
    """Merge the two assessments into the consensus (assessor ``consensus``): agreed answers
    stand, each disagreement needs a resolution, and ``decided_by`` (a member with the right
    to resolve, when the review has a team) settled them. Replaces an earlier consensus."""
    may_resolve(store, decided_by)
    first, second = _pair(select_one(_stored(store), study, outcome), assessors)
    record = consensus(
        first.assessment,
        second.assessment,
        resolutions,
        assessor=CONSENSUS,
        overrides=overrides,
    )
    agreement = {
        "of": [first.assessment.assessor, second.assessment.assessor],
        "decided_by": decided_by,
        "discrepancies": len(record.report.questions),
        "resolutions": [
            {
                "domain": r.domain,
                "question": r.question,
                "answer": r.answer.value,
                "reason": r.reason,
            }
            for r in record.resolutions
        ],
    }
    with transaction(store, actor) as uow:
        _replace(
            uow, record.result, create_study=False, agreement=agreement, on_behalf_of=decided_by
        )
    return record


@dataclass(frozen=True)
class RobStatus:
    """Where one study's result stands: who assessed it, whether the two assessors agree
    (None unless exactly two), whether a consensus is recorded, and the overall judgment the
    outputs use (None while incomplete or while the assessors' overall judgments differ)."""

    study: str
    outcome: str
    assessors: tuple[str, ...]
    agreed: bool | None
    consensus: bool
    final_overall: Judgment | None


def rob_status(store: ReviewStore) -> list[RobStatus]:
    """One line per assessed study and outcome, in the order of the outputs."""
    found = _stored(store)
    keys = list(dict.fromkeys((s.assessment.study, s.assessment.outcome) for s in found))
    listing = []
    for study, outcome in keys:
        group = [s for s in found if (s.assessment.study, s.assessment.outcome) == (study, outcome)]
        results = [assess(s.assessment) for s in group]
        own = [r for r in results if not is_consensus(r.assessment.assessor)]
        comparable = len(own) == 2 and own[0].assessment.instrument == own[1].assessment.instrument
        agreed = compare(own[0], own[1]).agreed if comparable else None
        overalls = {r.final_overall for r in counted_results(results)}
        listing.append(
            RobStatus(
                study,
                outcome,
                tuple(r.assessment.assessor for r in own),
                agreed,
                len(own) < len(results),
                overalls.pop() if len(overalls) == 1 else None,
            )
        )
    return listing
