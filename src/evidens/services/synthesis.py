"""Extraction, risk of bias and GRADE over the store, and their `evidens run` outputs.

A review folder keeps each step's files in its own subfolder (``extraction/``, ``rob/``,
``grade/``); the domain packages read and check them, these services record the results in
the store (audited) and write the outputs. Values flow on only after consensus: the
per-extractor values are stored beside the consensus ones, but only the consensus feeds
the outcome data, the report and the analyses.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidens.extraction import characteristics_csv, load_review_extraction, outcomes_csv
from evidens.extraction.model import Consensus, OutcomeData
from evidens.extraction.review import ReviewExtraction
from evidens.report.rob_plots import rob_outputs
from evidens.rob import Result, assess, load_assessments
from evidens.services.outputs import write_output
from evidens.services.review_files import ReviewFiles
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import (
    ArmDataRow,
    ExtractionFormRow,
    ExtractionValueRow,
    OutcomeRow,
    RobAssessmentRow,
    StudyRow,
)

MAX_FILE_BYTES = 32 * 1024 * 1024


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file of a step's subfolder (not recursive), by name."""
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.stat().st_size <= MAX_FILE_BYTES
    }


def study_id(uow: UnitOfWork, label: str) -> int:
    row = uow.session.scalar(
        select(StudyRow).where(StudyRow.review_id == uow.review_id, StudyRow.label == label)
    )
    if row is None:
        row = StudyRow(review_id=uow.review_id, label=label)
        uow.session.add(row)
        uow.session.flush()
        uow.audit("create", "study", row.id, after={"label": label})
    return row.id


def outcome_id(
    uow: UnitOfWork, name: str, *, kind: str = "binary", timepoint: str | None = None
) -> int:
    row = uow.session.scalar(
        select(OutcomeRow).where(OutcomeRow.review_id == uow.review_id, OutcomeRow.name == name)
    )
    if row is None:
        row = OutcomeRow(review_id=uow.review_id, name=name, kind=kind, timepoint=timepoint)
        uow.session.add(row)
        uow.session.flush()
        uow.audit("create", "outcome", row.id, after={"name": name, "kind": kind})
    return row.id


# --- extraction -----------------------------------------------------------------------


def store_extraction(uow: UnitOfWork, review: ReviewExtraction) -> None:
    """Each extractor's values and arms, then the consensus (extractor "consensus")."""
    form = ExtractionFormRow(
        review_id=uow.review_id,
        name="form",
        definition={"sections": [s.id for s in review.form.sections]},
    )
    uow.session.add(form)
    uow.session.flush()
    for extraction in review.extractions:
        _store_values(
            uow,
            form.id,
            extraction.study,
            extraction.extractor,
            extraction.values,
            extraction.arms,
            decided_by=None,
        )
    for consensus in review.consensus:
        _store_values(
            uow,
            form.id,
            consensus.study,
            "consensus",
            consensus.values,
            consensus.arms,
            decided_by=consensus.decided_by,
        )


def _store_values(
    uow: UnitOfWork,
    form_id: int,
    study: str,
    extractor: str,
    values: Iterable[tuple[str, Any]],
    arms: Iterable[OutcomeData],
    *,
    decided_by: str | None,
) -> None:
    sid = study_id(uow, study)
    for key, value in values:
        uow.session.add(
            ExtractionValueRow(
                review_id=uow.review_id,
                study_id=sid,
                form_id=form_id,
                extractor=extractor,
                field=key,
                value={"value": _jsonable(value)},
                decided_by=decided_by,
            )
        )
    for data in arms:
        oid = outcome_id(
            uow, data.outcome.name, kind=data.outcome.kind.value, timepoint=data.outcome.timepoint
        )
        for role, arm in (("experimental", data.experimental), ("comparator", data.comparator)):
            uow.session.add(
                ArmDataRow(
                    review_id=uow.review_id,
                    study_id=sid,
                    outcome_id=oid,
                    arm=arm.arm,
                    role=role,
                    extractor=extractor,
                    events=arm.events,
                    total=arm.total,
                    mean=arm.mean,
                    sd=arm.sd,
                    n=arm.n,
                )
            )
    uow.session.flush()
    uow.audit("extract", "study", sid, after={"extractor": extractor, "decided_by": decided_by})


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def write_extraction_outputs(store: ReviewStore, files: ReviewFiles, out: Path) -> list[Path]:
    """OUT/characteristics.csv (the seed's Table 2) and OUT/outcomes.csv, from consensus."""
    raw = folder_files(files.root / "extraction")
    if not any(name.endswith(".xlsx") for name in raw):
        return []
    review = load_review_extraction(raw)
    with transaction(store, "evidens run") as uow:
        store_extraction(uow, review)
    table2, outcomes = out / "characteristics.csv", out / "outcomes.csv"
    table2.write_text(characteristics_csv(review.consensus), encoding="utf-8")
    outcomes.write_text(outcomes_csv(review.consensus), encoding="utf-8")
    return [table2, outcomes]


def consensus_of(store: ReviewStore, files: ReviewFiles) -> tuple[Consensus, ...]:
    return folder_consensus(files)


def folder_consensus(files: ReviewFiles) -> tuple[Consensus, ...]:
    """The agreed extraction of a review folder (extraction/consensus.toml and sheets)."""
    raw = folder_files(files.root / "extraction")
    return load_review_extraction(raw).consensus if raw else ()


# --- risk of bias ---------------------------------------------------------------------


def store_rob(uow: UnitOfWork, results: Iterable[Result]) -> None:
    for result in results:
        a = result.assessment
        row = RobAssessmentRow(
            review_id=uow.review_id,
            study_id=study_id(uow, a.study),
            outcome_id=outcome_id(uow, a.outcome) if a.outcome else None,
            assessor=a.assessor,
            instrument=a.instrument,
            answers={d: {q: v.value for q, v in qs.items()} for d, qs in a.answers.items()},
            justifications={d: dict(qs) for d, qs in a.justifications.items()},
            judgments={
                d.domain: {
                    "proposed": _value(d.proposed),
                    "final": _value(d.final),
                    "override_reason": d.override_reason,
                }
                for d in result.domains
            },
            overall=_value(result.final_overall),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(
            "assess",
            "rob_assessment",
            row.id,
            after={
                "study": a.study,
                "outcome": a.outcome,
                "assessor": a.assessor,
                "overall": row.overall,
            },
        )


def _value(judgment: Any) -> str | None:
    return None if judgment is None else str(judgment.value)


def rob_results(files: ReviewFiles) -> list[Result]:
    folder = files.root / "rob"
    results = []
    for name, data in folder_files(folder).items():
        if name.endswith(".toml"):
            text = data.decode("utf-8")
            results += [assess(a) for a in load_assessments(text, path=str(folder / name))]
    return results


def write_rob_outputs(store: ReviewStore, files: ReviewFiles, out: Path) -> list[Path]:
    """OUT/rob.json and the traffic-light and summary figures."""
    results = rob_results(files)
    if not results:
        return []
    with transaction(store, "evidens run") as uow:
        store_rob(uow, results)
    written = []
    for name, data in rob_outputs(results).items():
        written.append(write_output(out / name, data))
    return written
