"""GRADE in the store: what the assessors decided, with every number derived when shown.

A review's GRADE profile keeps the Summary of Findings header and, per outcome, the source
of its numbers (an analysis, or an extraction outcome with no analysis) beside each domain's
rating and reason. The numbers themselves - studies, participants, events, the pooled effect
and its interval, heterogeneity, the contributing studies' risk of bias weighted as the
analysis weights them - are derived from the store by :mod:`evidens.services.synthesis.grading` each
time the profile is read, so a corrected extraction changes the table without retyping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidens.errors import ValidationError
from evidens.extraction import outcome_data
from evidens.grade import run_outputs
from evidens.grade.judgments import GradeFile, judgments_from_mapping
from evidens.grade.model import Domain
from evidens.services.reporting.outputs import write_output
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.services.synthesis.analyses import fitted_in
from evidens.services.synthesis.grading import derive, refuse_typed
from evidens.store.models import OutcomeRow
from evidens.store.synthesis_models import GradeAssessmentRow, GradeProfileRow

PROFILE = "sof"  # one Summary of Findings table per review, for now
WHERE = "the review's GRADE judgments"
DOMAINS = tuple(d.value for d in Domain)


def set_profile(
    uow: UnitOfWork, doc: Mapping[str, Any], *, path: str = WHERE, text: str = ""
) -> None:
    """Keep a judgments document (a parsed ``grade/judgments.toml``, whose ``text`` points
    errors at their line), replacing the last."""
    refuse_typed(doc, path=path)
    # every rating and key checked now, on the numbers the review gives (so "accept" takes
    # the suggestion those numbers make, and an analysis that does not exist is named)
    judgments_from_mapping(derived_doc(uow, doc, path), path=path, text=text)
    header = {k: v for k, v in doc.items() if k != "outcomes"}
    outcomes = [dict(o) for o in doc.get("outcomes", [])]
    row = _profile(uow)
    before = None if row is None else profile_dict(row)
    if row is None:
        row = GradeProfileRow(review_id=uow.review_id, name=PROFILE)
        uow.session.add(row)
    row.header, row.outcomes = header, outcomes
    uow.session.flush()
    uow.audit("grade", "grade_profile", row.id, before=before, after=profile_dict(row))


def derived_doc(uow: UnitOfWork, doc: Mapping[str, Any], path: str) -> dict[str, Any]:
    """``doc`` with its numbers derived from the store (see :mod:`grading`)."""
    from evidens.services.assessment.extraction import consensus_in
    from evidens.services.assessment.risk_of_bias import rob_results_in

    arms = outcome_data(consensus_in(uow))
    return derive(doc, fitted_in(uow), arms, rob_results_in(uow), path=path)


def profile_dict(row: GradeProfileRow) -> dict[str, Any]:
    return {**row.header, "outcomes": list(row.outcomes)}


def profile_doc(uow: UnitOfWork) -> dict[str, Any] | None:
    """The judgments document as kept (no numbers), or None when GRADE is not started."""
    row = _profile(uow)
    return None if row is None else profile_dict(row)


def _profile(uow: UnitOfWork) -> GradeProfileRow | None:
    return uow.session.scalar(
        select(GradeProfileRow).where(
            GradeProfileRow.review_id == uow.review_id, GradeProfileRow.name == PROFILE
        )
    )


def set_judgment(
    uow: UnitOfWork, outcome: str, domain: str, rating: str, reason: str | None
) -> None:
    """One domain's rating and reason for one outcome (``rating = "accept"`` takes the
    suggestion), checked like a judgments file."""
    row = _profile(uow)
    if row is None:
        raise ValidationError(
            "GRADE has not been started in this review",
            hint="load judgments first: evidens grade --db STORE --load grade/judgments.toml",
        )
    if domain not in DOMAINS:
        raise ValidationError(
            f"unknown GRADE domain {domain!r}", field="domain", hint="use " + ", ".join(DOMAINS)
        )
    names = [str(o.get("name")) for o in row.outcomes]
    if outcome not in names:
        raise ValidationError(
            f"no outcome named {outcome!r}", field="outcome", hint="use " + ", ".join(names)
        )
    outcomes = [dict(o) for o in row.outcomes]
    item = outcomes[names.index(outcome)]
    item[domain] = {"rating": rating, **({"reason": reason} if reason else {})}
    set_profile(uow, {**row.header, "outcomes": outcomes})


def grade_in(uow: UnitOfWork) -> GradeFile | None:
    """The review's GRADE assessments with every number derived from the store."""
    doc = profile_doc(uow)
    if doc is None:
        return None
    return judgments_from_mapping(derived_doc(uow, doc, WHERE), path=WHERE)


def write_grade_outputs(store: ReviewStore, out: Path) -> list[Path]:
    """OUT/sof.json, sof.html, sof.docx and evidence-profile.html; each outcome's certainty
    kept in the store for the pages that list it."""
    with transaction(store, "evidens") as uow:
        grade = grade_in(uow)
        if grade is None:
            return []
        outputs = run_outputs(grade.table)
        _keep_certainty(uow, grade, json.loads(outputs["sof.json"]))
    return [write_output(out / name, data) for name, data in outputs.items()]


def _keep_certainty(uow: UnitOfWork, grade: GradeFile, sof: dict[str, Any]) -> None:
    for row in sof.get("outcomes", []):
        outcome = _outcome_id(uow, str(row["outcome"]), str(row.get("kind", "binary")))
        comparison = str(row.get("comparison") or grade.header.title)
        item = uow.session.scalar(
            select(GradeAssessmentRow).where(
                GradeAssessmentRow.review_id == uow.review_id,
                GradeAssessmentRow.comparison == comparison,
                GradeAssessmentRow.outcome_id == outcome,
            )
        )
        certainty = str(dict(row.get("certainty") or {}).get("level", ""))
        if item is not None and item.domains == row and item.certainty == certainty:
            continue
        if item is None:
            item = GradeAssessmentRow(
                review_id=uow.review_id, outcome_id=outcome, comparison=comparison
            )
            uow.session.add(item)
        item.domains, item.certainty = row, certainty
        item.importance = str(row.get("importance", "critical"))
        uow.session.flush()
        uow.audit(
            "grade",
            "grade_assessment",
            item.id,
            after={"outcome": row["outcome"], "certainty": certainty},
        )


def _outcome_id(uow: UnitOfWork, name: str, kind: str) -> int:
    row = uow.session.scalar(
        select(OutcomeRow).where(OutcomeRow.review_id == uow.review_id, OutcomeRow.name == name)
    )
    if row is None:
        row = OutcomeRow(review_id=uow.review_id, name=name, kind=kind)
        uow.session.add(row)
        uow.session.flush()
        uow.audit("create", "outcome", row.id, after={"name": name, "kind": kind})
    return row.id
