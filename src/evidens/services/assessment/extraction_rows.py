"""How a review's extraction sits in the store's rows, and how it is read back whole.

One ``extraction_forms`` row (name ``form``) is the head of the review's extraction: its
``definition`` keeps the form's TOML text, the extractions in the order they were added (with
each one's derivation records) and the consensus plans (who settled which field, and how),
so that ``form.toml``, the workbooks and ``consensus.toml`` can be written back unchanged.
Each answer is an ``extraction_values`` row (``section.field``, or ``outcomes.<id>`` holding
that outcome's name, kind, time point, unit and both arms); ``arm_data`` rows mirror the arm
numbers by outcome for queries. The consensus is stored the same way under extractor
``consensus``; it is derived (rewritten whenever an extraction or a plan changes), never read
back as a source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any

import tomli_w
from sqlalchemy import delete, select

from evidens.core import ArmData, Outcome, OutcomeKind
from evidens.core.toml import parse_toml
from evidens.errors import ValidationError
from evidens.extraction.compare import FieldResolution
from evidens.extraction.forms import OUTCOMES_SECTION, Form
from evidens.extraction.model import Derived, Extraction, OutcomeData, Value
from evidens.extraction.review import StudyConsensusPlan
from evidens.extraction.validate import read_value
from evidens.services.store import UnitOfWork
from evidens.store.models import (
    ArmDataRow,
    ExtractionFormRow,
    ExtractionValueRow,
    OutcomeRow,
    StudyRow,
)

FORM_ROW = "form"
CONSENSUS = "consensus"
"""The extractor name under which the agreed values are kept (reserved)."""


def form_row(uow: UnitOfWork) -> ExtractionFormRow | None:
    return uow.session.scalar(
        select(ExtractionFormRow).where(
            ExtractionFormRow.review_id == uow.review_id, ExtractionFormRow.name == FORM_ROW
        )
    )


def study_ids(uow: UnitOfWork) -> dict[str, int]:
    rows = uow.session.execute(
        select(StudyRow.label, StudyRow.id).where(StudyRow.review_id == uow.review_id)
    )
    return {row.label: row.id for row in rows}


# --- answers --------------------------------------------------------------------------


def write_answers(
    uow: UnitOfWork,
    form_id: int,
    study_id: int,
    extractor: str,
    values: Iterable[tuple[str, Value]],
    arms: Iterable[OutcomeData],
    *,
    decided_by: str | None = None,
) -> None:
    """One extractor's (or the consensus') answers for one study, replacing earlier ones."""
    delete_answers(uow, form_id, study_id, extractor)
    rows = [(key, {"value": _plain(value)}) for key, value in values]
    arms = tuple(arms)
    rows += [(f"{OUTCOMES_SECTION}.{data.id}", _outcome_json(data)) for data in arms]
    for key, value in rows:
        uow.session.add(
            ExtractionValueRow(
                review_id=uow.review_id,
                study_id=study_id,
                form_id=form_id,
                extractor=extractor,
                field=key,
                value=value,
                decided_by=decided_by,
            )
        )
    _mirror_arms(uow, study_id, extractor, arms)
    uow.session.flush()


def delete_answers(uow: UnitOfWork, form_id: int, study_id: int, extractor: str) -> None:
    uow.session.execute(
        delete(ExtractionValueRow).where(
            ExtractionValueRow.form_id == form_id,
            ExtractionValueRow.study_id == study_id,
            ExtractionValueRow.extractor == extractor,
        )
    )
    uow.session.execute(
        delete(ArmDataRow).where(ArmDataRow.study_id == study_id, ArmDataRow.extractor == extractor)
    )


def read_answers(
    uow: UnitOfWork, form: Form, form_id: int, labels: Mapping[int, str], entry: Mapping[str, Any]
) -> Extraction:
    """An extraction rebuilt from its rows, values re-read against the form (a stored answer
    is input like any other: it is typed by the form, not by how JSON keeps it). ``entry``
    is its place in the head row: study id, extractor and derivation records."""
    study_id, extractor = int(entry["study_id"]), str(entry["extractor"])
    study = labels[study_id]
    rows = uow.session.scalars(
        select(ExtractionValueRow)
        .where(
            ExtractionValueRow.form_id == form_id,
            ExtractionValueRow.study_id == study_id,
            ExtractionValueRow.extractor == extractor,
        )
        .order_by(ExtractionValueRow.id)
    ).all()
    values: list[tuple[str, Value]] = []
    arms: list[OutcomeData] = []
    for row in rows:
        if row.field.startswith(f"{OUTCOMES_SECTION}."):
            arms.append(_outcome_from_json(row.field.split(".", 1)[1], row.value))
            continue
        field = form.field(row.field)
        value = None if field is None else read_value(field, row.value.get("value"))
        if field is None or value is None:
            raise ValidationError(
                f"stored answer of {extractor} for {study} is not a field of the form",
                field=row.field,
                hint="the store was changed outside evidens; re-add the workbook",
            )
        values.append((field.key, value))
    derived = tuple(_derived_from_json(item) for item in entry.get("derived", []))
    return Extraction(study, extractor, tuple(values), tuple(arms), derived)


def _outcome_json(data: OutcomeData) -> dict[str, Any]:
    return {
        "name": data.outcome.name,
        "kind": data.outcome.kind.value,
        "timepoint": data.outcome.timepoint,
        "unit": data.unit,
        "arms": [asdict(data.experimental), asdict(data.comparator)],
    }


def _outcome_from_json(outcome_id: str, item: Mapping[str, Any]) -> OutcomeData:
    arms = [ArmData(**arm) for arm in item["arms"]]
    return OutcomeData(
        id=outcome_id,
        outcome=Outcome(str(item["name"]), OutcomeKind(item["kind"]), item.get("timepoint")),
        experimental=arms[0],
        comparator=arms[1],
        unit=item.get("unit"),
    )


def _plain(value: Value) -> Any:
    """A value as JSON keeps it; :func:`read_answers` types it again by the form."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


def derived_json(derived: Iterable[Derived]) -> list[dict[str, Any]]:
    return [{**asdict(d), "inputs": [list(pair) for pair in d.inputs]} for d in derived]


def _derived_from_json(item: Mapping[str, Any]) -> Derived:
    return Derived(
        quantity=str(item["quantity"]),
        value=float(item["value"]),
        method=str(item["method"]),
        formula=str(item["formula"]),
        inputs=tuple((str(name), float(number)) for name, number in item.get("inputs", [])),
        reference=str(item.get("reference", "")),
        target=str(item.get("target", "")),
    )


def _mirror_arms(
    uow: UnitOfWork, study_id: int, extractor: str, arms: tuple[OutcomeData, ...]
) -> None:
    """Arm numbers by outcome (``arm_data``), for queries across studies. Two outcomes of
    one study may share a name (another time point): the second is told apart by its id."""
    names = [data.outcome.name for data in arms]
    for data in arms:
        name = data.outcome.name
        if names.count(name) > 1:
            name = f"{name} ({data.id})"
        outcome_id = _outcome_row(uow, name, data.outcome.kind.value, data.outcome.timepoint)
        for role, arm in (("experimental", data.experimental), ("comparator", data.comparator)):
            uow.session.add(
                ArmDataRow(
                    review_id=uow.review_id,
                    study_id=study_id,
                    outcome_id=outcome_id,
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


def _outcome_row(uow: UnitOfWork, name: str, kind: str, timepoint: str | None) -> int:
    found = uow.session.scalar(
        select(OutcomeRow.id).where(OutcomeRow.review_id == uow.review_id, OutcomeRow.name == name)
    )
    if found is not None:
        return found
    row = OutcomeRow(review_id=uow.review_id, name=name, kind=kind, timepoint=timepoint)
    uow.session.add(row)
    uow.session.flush()
    uow.audit("create", "outcome", row.id, after={"name": name, "kind": kind})
    return row.id


# --- consensus plans ------------------------------------------------------------------


def study_labels(uow: UnitOfWork) -> dict[int, str]:
    return {sid: label for label, sid in study_ids(uow).items()}


def plan_json(plan: StudyConsensusPlan, study_id: int) -> dict[str, Any]:
    """A plan as kept: by study id, so that it follows the study if its label changes."""
    return {
        "study_id": study_id,
        "extractors": list(plan.extractors),
        "decided_by": plan.decided_by,
        "resolutions": [_resolution_json(r) for r in plan.resolutions],
    }


def plan_from_json(item: Mapping[str, Any], labels: Mapping[int, str]) -> StudyConsensusPlan:
    return StudyConsensusPlan(
        study=labels[int(item["study_id"])],
        extractors=tuple(str(e) for e in item.get("extractors", [])),
        decided_by=str(item.get("decided_by", "")),
        resolutions=tuple(_resolution_from_json(r) for r in item.get("resolutions", [])),
    )


def _resolution_json(resolution: FieldResolution) -> dict[str, Any]:
    """A resolution's value is kept as TOML text: it came from (or goes to) consensus.toml,
    and TOML keeps its type (a date stays a date, a whole number stays whole)."""
    value = None if resolution.value is None else tomli_w.dumps({"value": resolution.value})
    return {
        "field": resolution.key,
        "decided_by": resolution.decided_by,
        "value_toml": value,
        "take": resolution.take,
        "note": resolution.note,
    }


def _resolution_from_json(item: Mapping[str, Any]) -> FieldResolution:
    text = item.get("value_toml")
    value = None if text is None else parse_toml(str(text))["value"]
    take = item.get("take")
    return FieldResolution(
        key=str(item["field"]),
        decided_by=str(item["decided_by"]),
        value=value,
        take=None if take is None else str(take),
        note=str(item.get("note", "")),
    )
