"""What the extraction pages show, and how a web form's answers become an
:class:`~evidens.extraction.Extraction`.

Blinding is kept here, not in templates: :func:`extraction_page` gives a person their own
answers only, and the other extractor's - as the agreed record - once the study is agreed;
:func:`discrepancy_page` is for members who may resolve, once both extractors have
extracted. Every change goes through :mod:`evidens.services.assessment.extraction_edit`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import select

from evidens.core import ArmData, Outcome
from evidens.errors import NotFoundError, ValidationError
from evidens.extraction import (
    Consensus,
    Extraction,
    Form,
    OutcomeData,
    Value,
    default_form,
    read_value,
)
from evidens.extraction.compare import DiscrepancyReport
from evidens.extraction.forms import ARMS, FieldType, OutcomeTable
from evidens.extraction.model import arm_key, flatten
from evidens.extraction.validate import check_outcome
from evidens.services.assessment.extraction import stored_extraction
from evidens.services.assessment.extraction_edit import (
    MAX_EXTRACTORS,
    discrepancies_in,
    extraction_status,
)
from evidens.services.store import ReviewStore, transaction
from evidens.store.models import StudyRow

FormData = Mapping[str, Sequence[str]]
"""A posted form: each field name with every value it was given (multi-choice: several)."""


class AnswersRefusedError(ValidationError):
    """Answers the form refused, every one by field key (the page marks each field)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(
            f"{len(errors)} answer(s) need fixing: {errors[first]}",
            field=first,
            hint="correct the marked fields and save again",
        )
        self.errors = dict(errors)


@dataclass(frozen=True)
class StudyRef:
    """A study as the pages link to it: by its row id, never by a label in a URL."""

    id: int
    label: str


@dataclass(frozen=True)
class StudyLine:
    """One study on the extraction overview: who extracted (names only) and where it stands."""

    study: StudyRef
    extractors: tuple[str, ...]
    pending: int
    agreed: bool
    mine: bool


@dataclass(frozen=True)
class ExtractionPage:
    """One person's extraction form for one study, filled with their own answers only."""

    study: StudyRef
    form: Form
    outcomes: tuple[OutcomeTable, ...]
    answers: dict[str, Value]
    saved: bool
    agreed: Consensus | None


@dataclass(frozen=True)
class DiscrepancyPage:
    """Both extractors' differing answers, field by field, with what is settled already."""

    study: StudyRef
    report: DiscrepancyReport | None
    extractors: tuple[str, ...]
    pending: tuple[str, ...]
    agreed: Consensus | None


def studies(store: ReviewStore) -> tuple[StudyRef, ...]:
    """The review's studies by label."""
    with transaction(store, "evidens") as uow:
        rows = uow.session.execute(
            select(StudyRow.id, StudyRow.label)
            .where(StudyRow.review_id == uow.review_id)
            .order_by(StudyRow.label)
        ).all()
    return tuple(StudyRef(int(i), str(label)) for i, label in rows)


def study(store: ReviewStore, study_id: int) -> StudyRef:
    """The study with this id in this review (another review's is "not found")."""
    found = next((s for s in studies(store) if s.id == study_id), None)
    if found is None:
        raise NotFoundError(f"no study {study_id} in this review", hint="pick one from the list")
    return found


def overview(store: ReviewStore, viewer: str) -> tuple[StudyLine, ...]:
    """Every study with who extracted it and how many disagreements are open; no answers."""
    status = {s.study: s for s in extraction_status(store)}
    lines = []
    for ref in studies(store):
        found = status.get(ref.label)
        names = found.extractors if found else ()
        pending = len(found.pending) if found else 0
        agreed = bool(found and found.agreed)
        lines.append(StudyLine(ref, names, pending, agreed, viewer in names))
    return tuple(lines)


def extraction_page(store: ReviewStore, ref: StudyRef, viewer: str) -> ExtractionPage:
    """The form, ``viewer``'s own answers, and the agreed record once there is one."""
    with transaction(store, "evidens") as uow:
        stored = stored_extraction(uow)
    # before anything is stored the review's form is the packaged default (read, not written)
    form = stored.form if stored else default_form()
    extractions = stored.extractions if stored else ()
    agreed = stored.settled().consensus if stored and extractions else ()
    own = next((e for e in extractions if (e.study, e.extractor) == (ref.label, viewer)), None)
    answers = flatten(own.values, own.arms) if own else {}
    extra = tuple(
        OutcomeTable(d.id, d.outcome.name, d.outcome.kind, d.outcome.timepoint, d.unit)
        for d in (own.arms if own else ())
        if form.outcome(d.id) is None
    )
    record = next((c for c in agreed if c.study == ref.label), None)
    return ExtractionPage(ref, form, form.outcomes + extra, answers, own is not None, record)


def discrepancy_page(store: ReviewStore, ref: StudyRef) -> DiscrepancyPage:
    """The two extractors' disagreements (for a member who may resolve)."""
    status = next((s for s in extraction_status(store) if s.study == ref.label), None)
    if status is None or len(status.extractors) < MAX_EXTRACTORS:
        names = status.extractors if status else ()
        return DiscrepancyPage(ref, None, names, (), None)
    reports = discrepancies_in(store, ref.label)
    with transaction(store, "evidens") as uow:
        stored = stored_extraction(uow)
        agreed = stored.settled().consensus if stored else ()
    record = next((c for c in agreed if c.study == ref.label), None)
    report = reports[0] if reports else None
    return DiscrepancyPage(ref, report, status.extractors, status.pending, record)


def shown(value: Value | None) -> str:
    """An answer as a form field holds it."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "; ".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def extraction_from_form(
    form: Form, outcomes: Sequence[OutcomeTable], study: str, extractor: str, posted: FormData
) -> Extraction:
    """The answers of a posted form, typed as the form reads them; every refused answer is
    collected (:class:`AnswersRefusedError`), so the page can mark each field at once."""
    errors: dict[str, str] = {}
    values: list[tuple[str, Value]] = []
    for field in form.fields:
        given = [v for v in posted.get(field.key, ()) if v.strip()]
        raw: object = given if field.type is FieldType.MULTI_CHOICE else (given[0] if given else "")
        typed = _checked(errors, field.key, partial(read_value, field, raw))
        if typed is not None:
            values.append((field.key, typed))
    arms = []
    for table in outcomes:
        data = _outcome(table, posted, errors)
        if data is not None and _outcome_fits(errors, data):
            arms.append(data)
    if errors:
        raise AnswersRefusedError(errors)
    return Extraction(study, extractor, tuple(values), tuple(arms))


def _checked(errors: dict[str, str], key: str, step: Callable[[], Value | None]) -> Value | None:
    """Run one check; a refusal is noted under its field and gives None."""
    try:
        return step()
    except ValidationError as exc:
        errors.setdefault(exc.field or key, _said(exc))
        return None


def _outcome_fits(errors: dict[str, str], data: OutcomeData) -> bool:
    """Whether the arm data are possible (events within total, SD above 0...)."""
    try:
        check_outcome(data)
    except ValidationError as exc:
        errors.setdefault(exc.field or data.id, _said(exc))
        return False
    return True


def _said(exc: ValidationError) -> str:
    return exc.message + (f" ({exc.hint})" if exc.hint else "")


def _outcome(table: OutcomeTable, posted: FormData, errors: dict[str, str]) -> OutcomeData | None:
    """One outcome's arm table from the form, or None when all of it is blank."""
    counts = ("events", "total", "n")
    arms: list[ArmData] = []
    for arm in ARMS:
        numbers: dict[str, float | int | None] = {}
        for stat in table.stats:
            key = arm_key(table.id, arm, stat)
            text = (posted.get(key) or [""])[0].strip().replace(",", ".")
            numbers[stat] = _number(text, key, whole=stat in counts, errors=errors)
        arms.append(ArmData(arm=arm, **numbers))  # type: ignore[arg-type]
    if all(getattr(a, s) is None for a in arms for s in table.stats):
        return None
    outcome = Outcome(name=table.name, kind=table.kind, timepoint=table.timepoint)
    return OutcomeData(table.id, outcome, arms[0], arms[1], table.unit)


def _number(text: str, key: str, *, whole: bool, errors: dict[str, str]) -> float | int | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors[key] = f"{text!r} is not a number"
        return None
    if whole and not value.is_integer():
        errors[key] = f"{text!r} is not a whole number (a count)"
        return None
    return int(value) if whole else value
