"""Extraction edited inside a store: workbooks added, disagreements settled field by field,
the form set; each refusal leaves the store as it was."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from evidens.errors import NotFoundError, ReviewStateError, ValidationError
from evidens.extraction import (
    Extraction,
    default_form,
    form_to_xlsx,
    load_review_extraction,
    parse_form,
    xlsx_to_extraction,
)
from evidens.extraction.model import Value
from evidens.services.assessment import extraction_edit as edit
from evidens.services.assessment.extraction import consensus_in, extraction_in
from evidens.services.assessment.extraction_files import extraction_folder
from evidens.services.screening.studies import create_study
from evidens.services.store import ReviewStore, create_review, transaction
from evidens.store.models import AuditRow

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss" / "extraction"
SAMPLE = "characteristics.sample_size"
EVENTS = "outcomes.spasm_free.experimental.events"


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    """A review with the RISS form and its study, nothing extracted yet."""
    made = create_review(str(tmp_path / "review.db"), title="RISS")
    create_study(made, "Sharma 2021", design="RCT", actor="mv")
    edit.set_form(made, (RISS / "form.toml").read_text(encoding="utf-8"), "mv")
    return made


def add_both(store: ReviewStore) -> None:
    for name in ("mv.xlsx", "rc.xlsx"):
        edit.add_extraction(store, (RISS / name).read_bytes(), name=name, actor="mv")


def test_two_workbooks_leave_two_disagreements_pending(store: ReviewStore) -> None:
    add_both(store)
    [status] = edit.extraction_status(store)
    assert status.extractors == ("MV", "RC")
    assert status.pending == (SAMPLE, EVENTS)
    assert not status.agreed
    [report] = edit.discrepancies_in(store, "Sharma 2021")
    assert report.keys == (SAMPLE, EVENTS)
    with transaction(store, "reader") as uow:
        assert consensus_in(uow) == ()


def test_settling_every_disagreement_gives_the_folders_consensus(store: ReviewStore) -> None:
    add_both(store)
    first = edit.settle_field(
        store,
        "Sharma 2021",
        SAMPLE,
        take="MV",
        note="91 randomised",
        decided_by="MV and RC, by discussion",
        actor="mv",
    )
    assert first is None  # one disagreement left
    assert edit.extraction_status(store)[0].pending == (EVENTS,)
    agreed = edit.settle_field(
        store,
        "Sharma 2021",
        EVENTS,
        value="11",
        note="11/46 as the trial reports",
        decided_by="MV and RC, by discussion",
        actor="rc",
    )
    folder = load_review_extraction({p.name: p.read_bytes() for p in RISS.iterdir() if p.is_file()})
    assert agreed is not None
    assert (agreed.values, agreed.arms) == (folder.consensus[0].values, folder.consensus[0].arms)
    assert [d.value for d in agreed.decisions] == [91, 11]
    assert edit.extraction_status(store)[0].agreed
    with transaction(store, "reader") as uow:
        assert consensus_in(uow) == (agreed,)
        written = extraction_folder(uow)
        settles = uow.session.scalars(select(AuditRow).where(AuditRow.action == "settle")).all()
    assert load_review_extraction(written).consensus == (agreed,)
    assert [(a.actor, (a.after or {}).get("field")) for a in settles] == [
        ("mv", SAMPLE),
        ("rc", EVENTS),
    ]


def test_settling_a_field_again_replaces_the_earlier_resolution(store: ReviewStore) -> None:
    add_both(store)
    for take in ("RC", "MV"):
        edit.settle_field(
            store, "Sharma 2021", SAMPLE, take=take, note="checked", decided_by="x", actor="x"
        )
    agreed = edit.settle_field(
        store, "Sharma 2021", EVENTS, value=11, note="checked", decided_by="x", actor="x"
    )
    assert agreed is not None
    assert agreed.value(SAMPLE) == 91


def test_a_replaced_workbook_takes_the_place_of_the_earlier_one(store: ReviewStore) -> None:
    add_both(store)
    form = parse_form((RISS / "form.toml").read_text(encoding="utf-8"))
    rc = xlsx_to_extraction((RISS / "rc.xlsx").read_bytes(), form)
    fixed = dataclasses.replace(
        rc, values=tuple((k, 91 if k == SAMPLE else v) for k, v in rc.values)
    )
    edit.add_extraction(store, form_to_xlsx(form, fixed), name="rc2.xlsx", actor="rc")
    [status] = edit.extraction_status(store)
    assert status.extractors == ("MV", "RC")  # same order, same two
    assert status.pending == (EVENTS,)


def refused(store: ReviewStore, error: type[Exception], match: str, data: bytes) -> None:
    with transaction(store, "reader") as uow:
        before = extraction_in(uow)
    with pytest.raises(error, match=match):
        edit.add_extraction(store, data, name="sheet.xlsx", actor="x")
    with transaction(store, "reader") as uow:
        assert extraction_in(uow) == before


def test_workbooks_that_do_not_fit_are_refused(store: ReviewStore) -> None:
    form = parse_form((RISS / "form.toml").read_text(encoding="utf-8"))
    mv = xlsx_to_extraction((RISS / "mv.xlsx").read_bytes(), form)
    refused(store, ValidationError, "made from form", form_to_xlsx(default_form(), mv))
    stranger = dataclasses.replace(mv, study="Nobody 1999")
    refused(store, NotFoundError, "no study labelled", form_to_xlsx(form, stranger))
    agreed = dataclasses.replace(mv, extractor="Consensus")
    refused(store, ValidationError, "agreed record", form_to_xlsx(form, agreed))
    add_both(store)
    third = dataclasses.replace(mv, extractor="ZZ")
    refused(store, ReviewStateError, "MV and RC already", form_to_xlsx(form, third))


def test_resolutions_that_do_not_fit_are_refused(store: ReviewStore) -> None:
    with pytest.raises(ReviewStateError, match="0 extraction"):
        edit.settle_field(
            store, "Sharma 2021", SAMPLE, take="MV", note="n", decided_by="x", actor="x"
        )
    add_both(store)
    cases: list[tuple[str | None, Value | None, str, str]] = [
        ("ZZ", None, SAMPLE, "did not extract"),
        ("MV", 91, SAMPLE, "not both"),
        (None, "ninety", SAMPLE, "not a number"),
        (None, "ninety", EVENTS, "not a number"),
        (None, 3, "characteristics.nope", "names no field"),
    ]
    for take, value, field, match in cases:
        with pytest.raises(ValidationError, match=match):
            edit.settle_field(
                store,
                "Sharma 2021",
                field,
                take=take,
                value=value,
                note="n",
                decided_by="x",
                actor="x",
            )
    with pytest.raises(ValidationError, match="who decided and why"):
        edit.settle_field(
            store, "Sharma 2021", SAMPLE, take="MV", note=" ", decided_by="x", actor="x"
        )
    assert edit.extraction_status(store)[0].pending == (SAMPLE, EVENTS)


def test_the_form_is_fixed_once_extraction_starts(store: ReviewStore) -> None:
    text = (RISS / "form.toml").read_text(encoding="utf-8")
    add_both(store)
    edit.set_form(store, text + "\n# the same form, a comment more\n", "mv")
    with pytest.raises(ReviewStateError, match="made with the current form"):
        edit.set_form(store, text.replace('version = "1"', 'version = "2"'), "mv")
    with transaction(store, "reader") as uow:
        assert extraction_folder(uow)["form.toml"].decode("utf-8").endswith("a comment more\n")


def test_a_review_without_a_form_uses_the_packaged_default(tmp_path: Path) -> None:
    store = create_review(str(tmp_path / "review.db"), title="Default")
    create_study(store, "Sharma 2021", design="RCT", actor="x")
    with pytest.raises(ValidationError, match="made from form"):
        edit.add_extraction(store, (RISS / "mv.xlsx").read_bytes(), name="mv.xlsx", actor="x")
    blank = form_to_xlsx(default_form(), Extraction("Sharma 2021", "MV"))
    edit.add_extraction(store, blank, name="mv.xlsx", actor="x")
    [status] = edit.extraction_status(store)
    assert (status.extractors, status.agreed) == (("MV",), False)  # one extractor: pending
    with transaction(store, "reader") as uow:
        assert parse_form(extraction_folder(uow)["form.toml"].decode("utf-8")) == default_form()
