"""Data extraction in the review store: the form, each extractor's answers, the consensus
plans, and the agreed records every later step reads.

The store is the source: :func:`extraction_in` rebuilds the form, the extractions and the
plans from rows and settles them exactly as a review folder is settled
(:func:`evidens.extraction.review.settle`), so a store and the folder written from it
(:mod:`evidens.services.assessment.extraction_files`) cannot disagree. The consensus rows (extractor
``consensus``) are rewritten from that settlement whenever something changes, for queries;
they are never read back as a source. Edits a person makes inside a store (add a workbook,
settle a field, set the form) are in :mod:`evidens.services.assessment.extraction_edit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete

from evidens.errors import ConfigError, ValidationError
from evidens.extraction import (
    Consensus,
    Extraction,
    Form,
    default_form,
    default_form_text,
    load_review_extraction,
)
from evidens.extraction.compare import FieldResolution
from evidens.extraction.form_toml import form_to_toml
from evidens.extraction.forms import parse_form
from evidens.extraction.review import (
    CONSENSUS_FILE,
    FORM_FILE,
    ReviewExtraction,
    StudyConsensusPlan,
    parse_consensus,
    settle,
)
from evidens.services.assessment.extraction_rows import (
    CONSENSUS,
    FORM_ROW,
    delete_answers,
    derived_json,
    form_row,
    plan_from_json,
    plan_json,
    read_answers,
    study_ids,
    study_labels,
    write_answers,
)
from evidens.services.screening.studies import add_study
from evidens.services.store import UnitOfWork
from evidens.store.models import ArmDataRow, ExtractionFormRow, ExtractionValueRow

STORED_FORM = "form.toml (kept in the store)"


@dataclass(frozen=True)
class StoredExtraction:
    """What the store holds, before settling: the form and its text, the extractions in the
    order they were added, and each study's consensus plan."""

    form: Form
    form_text: str
    extractions: tuple[Extraction, ...]
    plans: Mapping[str, StudyConsensusPlan]

    def settled(self) -> ReviewExtraction:
        return settle(self.form, self.extractions, self.plans)


def store_extraction(
    uow: UnitOfWork,
    review: ReviewExtraction,
    *,
    plans: Mapping[str, StudyConsensusPlan] | None = None,
    form_text: str | None = None,
) -> None:
    """Record a settled extraction (e.g. a review folder's), replacing what the store held.

    ``plans`` are consensus.toml's entries; without them each consensus record's decisions
    stand in (the agreed value of each field, which is what ``take`` resolved to).
    ``form_text`` keeps the form file as written; without it the form is written as TOML.
    """
    text = _form_text(review.form, form_text)
    kept = dict(plans) if plans is not None else _plans_of(review.consensus)
    for extraction in review.extractions:
        check_extractor(extraction.extractor)
    head = _reset_head(uow, text)
    ids = study_ids(uow)
    for extraction in review.extractions:
        if extraction.study not in ids:
            ids[extraction.study] = add_study(uow, extraction.study, design="RCT", reports=())
        sid = ids[extraction.study]
        write_answers(uow, head.id, sid, extraction.extractor, extraction.values, extraction.arms)
        uow.audit("extract", "study", sid, after={"extractor": extraction.extractor})
    for study in sorted(kept):
        if study not in ids:
            raise ConfigError(
                f"consensus entry for {study!r}, which is no study of the review",
                path=CONSENSUS_FILE,
                field="study",
                hint="correct the study label to one a workbook's About sheet names",
            )
    save_definition(uow, head, extractions=review.extractions, plans=kept)
    write_consensus(uow)
    uow.audit(
        "store",
        "extraction",
        head.id,
        after={"extractions": len(review.extractions), "plans": sorted(kept)},
    )


def store_extraction_files(uow: UnitOfWork, files: Mapping[str, bytes]) -> ReviewExtraction:
    """Record an ``extraction/`` folder (file name -> bytes) whole: its form text, every
    workbook and consensus.toml's plans, as :func:`load_review_extraction` reads them."""
    review = load_review_extraction(files)
    by_name = {name.rsplit("/", 1)[-1]: data for name, data in files.items()}
    form_bytes = by_name.get(FORM_FILE)
    plans_bytes = by_name.get(CONSENSUS_FILE)
    plans = parse_consensus(_utf8(plans_bytes, CONSENSUS_FILE)) if plans_bytes else {}
    form_text = _utf8(form_bytes, FORM_FILE) if form_bytes else None
    store_extraction(uow, review, plans=plans, form_text=form_text)
    return review


def stored_extraction(uow: UnitOfWork) -> StoredExtraction | None:
    """The form, extractions and plans as the store keeps them (None before any form)."""
    head = form_row(uow)
    if head is None:
        return None
    definition = head.definition
    text = str(definition.get("form_toml") or default_form_text())
    form = parse_form(text, path=STORED_FORM)
    labels = study_labels(uow)
    extractions = tuple(
        read_answers(uow, form, head.id, labels, entry)
        for entry in definition.get("extractions", [])
    )
    found = (plan_from_json(item, labels) for item in definition.get("plans", []))
    plans = {plan.study: plan for plan in found}
    return StoredExtraction(form, text, extractions, plans)


def extraction_in(uow: UnitOfWork) -> ReviewExtraction | None:
    """The review's extraction, settled, from the store only (None when nothing extracted)."""
    stored = stored_extraction(uow)
    if stored is None or not stored.extractions:
        return None
    return stored.settled()


def consensus_in(uow: UnitOfWork) -> tuple[Consensus, ...]:
    """The agreed records (outcome data, analyses, Table 2 read these and nothing else)."""
    review = extraction_in(uow)
    return review.consensus if review else ()


def plans_in(uow: UnitOfWork) -> dict[str, StudyConsensusPlan]:
    """Each study's consensus plan as recorded (what consensus.toml is written from)."""
    stored = stored_extraction(uow)
    return dict(stored.plans) if stored else {}


def write_consensus(uow: UnitOfWork) -> ReviewExtraction | None:
    """Rewrite the consensus rows from the settled extraction (derived data, for queries)."""
    head = form_row(uow)
    if head is None:
        return None
    uow.session.execute(
        delete(ExtractionValueRow).where(
            ExtractionValueRow.form_id == head.id, ExtractionValueRow.extractor == CONSENSUS
        )
    )
    uow.session.execute(
        delete(ArmDataRow).where(
            ArmDataRow.review_id == uow.review_id, ArmDataRow.extractor == CONSENSUS
        )
    )
    review = extraction_in(uow)
    if review is None:
        return None
    ids = study_ids(uow)
    for record in review.consensus:
        write_answers(
            uow,
            head.id,
            ids[record.study],
            CONSENSUS,
            record.values,
            record.arms,
            decided_by=record.decided_by,
        )
    return review


def save_definition(
    uow: UnitOfWork,
    head: ExtractionFormRow,
    *,
    extractions: tuple[Extraction, ...] | None = None,
    plans: Mapping[str, StudyConsensusPlan] | None = None,
    form_text: str | None = None,
) -> None:
    """Replace parts of the head row's definition (a JSON column is saved when reassigned)."""
    definition: dict[str, Any] = dict(head.definition)
    ids = study_ids(uow)
    if extractions is not None:
        definition["extractions"] = [_entry(e, ids[e.study]) for e in extractions]
    if plans is not None:
        definition["plans"] = [plan_json(plans[s], ids[s]) for s in sorted(plans)]
    if form_text is not None:
        definition["form_toml"] = form_text
    head.definition = definition
    uow.session.flush()


def head_row(uow: UnitOfWork) -> ExtractionFormRow:
    """The head row, created with the packaged default form when the review has none."""
    head = form_row(uow)
    if head is None:
        head = ExtractionFormRow(
            review_id=uow.review_id,
            name=FORM_ROW,
            definition={"form_toml": default_form_text(), "extractions": [], "plans": []},
        )
        uow.session.add(head)
        uow.session.flush()
    return head


def _reset_head(uow: UnitOfWork, text: str) -> ExtractionFormRow:
    head = head_row(uow)
    for entry in head.definition.get("extractions", []):
        delete_answers(uow, head.id, int(entry["study_id"]), str(entry["extractor"]))
    head.definition = {"form_toml": text, "extractions": [], "plans": []}
    uow.session.flush()
    return head


def _entry(extraction: Extraction, study_id: int) -> dict[str, Any]:
    return {
        "study_id": study_id,
        "extractor": extraction.extractor,
        "derived": derived_json(extraction.derived),
    }


def _form_text(form: Form, given: str | None) -> str:
    if given is not None:
        if parse_form(given, path=FORM_FILE) != form:
            raise ValidationError(
                "the form text given is not the form the extractions were read with",
                path=FORM_FILE,
                hint="pass the text of the form.toml the workbooks were checked against",
            )
        return given
    return default_form_text() if form == default_form() else form_to_toml(form)


def _plans_of(records: tuple[Consensus, ...]) -> dict[str, StudyConsensusPlan]:
    """Plans standing in for consensus.toml: each decision as a resolution by value."""
    return {
        c.study: StudyConsensusPlan(
            c.study,
            c.extractors,
            c.decided_by,
            tuple(FieldResolution(d.key, d.decided_by, d.value, None, d.note) for d in c.decisions),
        )
        for c in records
        if c.decisions
    }


def check_extractor(name: str) -> None:
    if name.strip().casefold() == CONSENSUS:
        raise ValidationError(
            f"{name!r} is the name the agreed record is kept under",
            field="extractor",
            hint="name the person who extracted (the About sheet's Extractor)",
        )


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text: {exc}", path=name, hint="save the file as UTF-8"
        ) from exc
