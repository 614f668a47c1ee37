"""Extraction edited inside a review store, each edit one audited transaction.

A person adds an extractor's workbook for a study, reads the discrepancies between the two
extractors, settles them field by field, and may set the form before anyone extracts. After
each edit the consensus is settled again from the extractions and plans, exactly as a
review folder is (:func:`evidens.extraction.review.settle`): a study's agreed record exists
once every disagreement of its two extractors is resolved, and not before.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidens.errors import NotFoundError, ReviewStateError, ValidationError
from evidens.extraction import DiscrepancyReport, Extraction, parse_form, xlsx_to_extraction
from evidens.extraction.compare import FieldResolution
from evidens.extraction.forms import OUTCOMES_SECTION
from evidens.extraction.model import Consensus, Value, flatten
from evidens.extraction.review import FORM_FILE, StudyConsensusPlan
from evidens.extraction.validate import check_extraction, read_value
from evidens.extraction.xlsx_import import workbook_about
from evidens.services.assessment.extraction import (
    StoredExtraction,
    check_extractor,
    head_row,
    save_definition,
    stored_extraction,
    write_consensus,
)
from evidens.services.assessment.extraction_rows import study_ids, write_answers
from evidens.services.store import ReviewStore, UnitOfWork, transaction

MAX_EXTRACTORS = 2
"""Dual extraction compares two extractors per study."""


@dataclass(frozen=True)
class StudyExtractionStatus:
    """Where one study's extraction stands: who extracted, what is still to settle."""

    study: str
    extractors: tuple[str, ...]
    pending: tuple[str, ...]
    """Fields the two extractors disagree on that no resolution settles yet."""
    agreed: bool


def add_extraction(
    store: ReviewStore, data: bytes, *, name: str, actor: str, extractor: str | None = None
) -> Extraction:
    """An extractor's workbook for one study (``name``: its file name, for messages),
    replacing that extractor's earlier one for the study; refused when it was made from
    another form than the review's, or when the study has two other extractors already."""
    with transaction(store, actor) as uow:
        stored = _stored(uow)
        about = workbook_about(data, name=name)
        made_from = (about.get("Form", ""), about.get("Form version", ""))
        if made_from != (stored.form.name, stored.form.version):
            raise ValidationError(
                f"the workbook was made from form {made_from[0]!r} version {made_from[1]!r}, "
                f"the review's form is {stored.form.name!r} version {stored.form.version!r}",
                path=name,
                hint="export a fresh workbook from the review's form and copy the answers in",
            )
        extraction = xlsx_to_extraction(data, stored.form, extractor=extractor, name=name)
        _keep(uow, stored, extraction, source={"file": name})
    return extraction


def save_extraction(store: ReviewStore, extraction: Extraction, *, actor: str) -> Extraction:
    """One extractor's answers for one study as typed (a web form), replacing that
    extractor's earlier ones for the study: checked against the review's form like a
    workbook's, under the same rules as :func:`add_extraction`."""
    with transaction(store, actor) as uow:
        stored = _stored(uow)
        check_extraction(stored.form, extraction)
        _keep(uow, stored, extraction, source={"form": "web"})
    return extraction


def _keep(
    uow: UnitOfWork, stored: StoredExtraction, extraction: Extraction, *, source: dict[str, str]
) -> None:
    """Store ``extraction`` in place of its extractor's earlier one of the study; refused
    for the agreed record's name, an unknown study, or a third extractor."""
    check_extractor(extraction.extractor)
    where = source.get("file", "the form")
    study_id = study_ids(uow).get(extraction.study)
    if study_id is None:
        raise NotFoundError(
            f"{where}: no study labelled {extraction.study!r} in this review",
            hint="add it with `evidens studies add`, or correct the About sheet's Study",
        )
    kept = [e for e in stored.extractions if _key(e) != _key(extraction)]
    replaced = len(kept) != len(stored.extractions)
    others = [e.extractor for e in kept if e.study == extraction.study]
    if len(others) >= MAX_EXTRACTORS:
        raise ReviewStateError(
            f"{extraction.study} has extractions by {' and '.join(others)} already",
            hint="dual extraction compares two: add the workbook under one of their names",
        )
    at = next(
        (i for i, e in enumerate(stored.extractions) if _key(e) == _key(extraction)),
        len(kept),
    )
    kept.insert(at, extraction)
    head = head_row(uow)
    write_answers(uow, head.id, study_id, extraction.extractor, extraction.values, extraction.arms)
    save_definition(uow, head, extractions=tuple(kept))
    write_consensus(uow)
    uow.audit(
        "extract",
        "study",
        study_id,
        after={"extractor": extraction.extractor, **source, "replaced": replaced},
    )


def discrepancies_in(store: ReviewStore, study: str | None = None) -> tuple[DiscrepancyReport, ...]:
    """Each study's comparison of its two extractors (of one study, when named)."""
    with transaction(store, "evidens") as uow:
        stored = stored_extraction(uow)
        reports = stored.settled().reports if stored and stored.extractions else ()
        if study is not None and not any(e.study == study for e in _all(stored)):
            raise NotFoundError(
                f"no extraction of {study!r}", hint="see `evidens extract status --db ...`"
            )
    return tuple(r for r in reports if study is None or r.study == study)


def settle_field(
    store: ReviewStore,
    study: str,
    field: str,
    *,
    take: str | None = None,
    value: Value | None = None,
    note: str,
    decided_by: str,
    actor: str,
) -> Consensus | None:
    """Record how one field of ``study`` was settled (one extractor's answer, or a value;
    neither leaves it empty). Returns the study's agreed record once nothing is left to
    settle, else None."""
    if take is not None and value is not None:
        raise ValidationError("give take or value, not both", field=field)
    if not note.strip() or not decided_by.strip():
        raise ValidationError(
            "a resolution says who decided and why",
            field=field,
            hint="give a note and who decided (--note, --as)",
        )
    with transaction(store, actor) as uow:
        stored = _stored(uow)
        pair = tuple(e for e in stored.extractions if e.study == study)
        if len(pair) != MAX_EXTRACTORS:
            raise ReviewStateError(
                f"{study!r} has {len(pair)} extraction(s); a consensus settles two",
                hint="add both extractors' workbooks first (`evidens extract add`)",
            )
        _check_field(stored, pair, field)
        if take is not None and take not in (e.extractor for e in pair):
            raise ValidationError(
                f"{take!r} did not extract {study}",
                field=field,
                hint=f"take one of {', '.join(e.extractor for e in pair)}",
            )
        typed = None if value is None else _typed(stored, field, value)
        resolution = FieldResolution(field, decided_by.strip(), typed, take, note.strip())
        plans = dict(stored.plans)
        plans[study] = _with(plans.get(study), study, pair, resolution)
        head = head_row(uow)
        save_definition(uow, head, plans=plans)
        review = write_consensus(uow)
        uow.audit(
            "settle",
            "extraction",
            head.id,
            after={
                "study": study,
                "field": field,
                "take": take,
                "value": None if typed is None else str(typed),
                "note": resolution.note,
                "decided_by": resolution.decided_by,
            },
        )
    agreed = [c for c in (review.consensus if review else ()) if c.study == study]
    return agreed[0] if agreed else None


def set_form(store: ReviewStore, toml_text: str, actor: str) -> None:
    """The review's extraction form; refused once extractions exist, unless it is the same
    form (answers were checked against the form they were given on)."""
    form = parse_form(toml_text, path=FORM_FILE)
    with transaction(store, actor) as uow:
        stored = _stored(uow)
        if stored.extractions and form != stored.form:
            raise ReviewStateError(
                f"{len(stored.extractions)} extraction(s) were made with the current form",
                hint="a form is changed before extraction starts; keep the current one",
            )
        head = head_row(uow)
        save_definition(uow, head, form_text=toml_text)
        uow.audit("set_form", "extraction_form", head.id, after={"name": form.name})


def extraction_status(store: ReviewStore) -> tuple[StudyExtractionStatus, ...]:
    """Per study: its extractors, the disagreements still to settle, whether it is agreed."""
    with transaction(store, "evidens") as uow:
        stored = stored_extraction(uow)
        if stored is None or not stored.extractions:
            return ()
        review = stored.settled()
    reports = {r.study: r for r in review.reports}
    agreed = {c.study for c in review.consensus}
    studies = dict.fromkeys(e.study for e in stored.extractions)
    rows = []
    for study in studies:
        plan = stored.plans.get(study)
        settled = {r.key for r in plan.resolutions} if plan else set()
        report = reports.get(study)
        pending = tuple(k for k in report.keys if k not in settled) if report else ()
        names = tuple(e.extractor for e in stored.extractions if e.study == study)
        rows.append(StudyExtractionStatus(study, names, pending, study in agreed))
    return tuple(rows)


def _stored(uow: UnitOfWork) -> StoredExtraction:
    head_row(uow)
    stored = stored_extraction(uow)
    assert stored is not None  # head_row made the head
    return stored


def _all(stored: StoredExtraction | None) -> tuple[Extraction, ...]:
    return stored.extractions if stored else ()


def _key(extraction: Extraction) -> tuple[str, str]:
    return extraction.study, extraction.extractor


def _check_field(stored: StoredExtraction, pair: tuple[Extraction, ...], key: str) -> None:
    """The field must be one either extractor answered or the form asks for: a typo must
    not add a field to the agreed record."""
    answered = any(key in flatten(e.values, e.arms) for e in pair)
    outcome = key.split(".")
    known = (
        len(outcome) >= 3
        and outcome[0] == OUTCOMES_SECTION
        and stored.form.outcome(outcome[1]) is not None
    )
    if not (answered or known or stored.form.field(key) is not None):
        raise ValidationError(
            "names no field of this study or form",
            field=key,
            hint="copy the field key from `evidens extract discrepancies --db ...`",
        )


def _typed(stored: StoredExtraction, key: str, value: Value) -> Value:
    """A value typed on the command line, read as the form reads that field."""
    field = stored.form.field(key)
    if field is not None:
        typed = read_value(field, value, where="the value given")
        if typed is None:
            raise ValidationError("the value is blank", field=key, hint="leave --value out")
        return typed
    if not isinstance(value, str) or key.rsplit(".", 1)[-1] in ("name", "kind", "timepoint"):
        return value
    if key.rsplit(".", 1)[-1] == "unit":
        return value
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ValidationError(
            f"{value!r} is not a number", field=key, hint="give a number"
        ) from None
    return int(number) if number.is_integer() else number


def _with(
    plan: StudyConsensusPlan | None,
    study: str,
    pair: tuple[Extraction, ...],
    resolution: FieldResolution,
) -> StudyConsensusPlan:
    """The study's plan with ``resolution`` added (replacing one for the same field)."""
    if plan is None:
        extractors = tuple(e.extractor for e in pair)
        return StudyConsensusPlan(study, extractors, resolution.decided_by, (resolution,))
    others = tuple(r for r in plan.resolutions if r.key != resolution.key)
    return StudyConsensusPlan(
        plan.study, plan.extractors, plan.decided_by or resolution.decided_by, (*others, resolution)
    )
