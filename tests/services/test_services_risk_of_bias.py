"""Risk of bias in the store: the RISS assessment survives folder -> store -> folder whole,
the outputs from the store equal those from the folder, and two assessors reach a consensus
inside the store with every step audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidens.errors import InputError, NotFoundError, PermissionDeniedError, ValidationError
from evidens.report.rob_plots import rob_outputs
from evidens.rob import Answer, Assessment, Judgment, assess, dump_assessment, load_assessments
from evidens.rob import rob_json as rob_document
from evidens.rob.dual import Resolution
from evidens.services.assessment.risk_of_bias import (
    rob_assessments_in,
    rob_folder,
    rob_results_in,
    store_rob,
)
from evidens.services.assessment.risk_of_bias_edit import (
    add_assessment,
    compare_in,
    record_consensus,
    rob_status,
)
from evidens.services.review import accounts
from evidens.services.screening import studies
from evidens.services.store import ReviewStore, create_review, transaction
from evidens.store.models import AuditRow, RobAssessmentRow

RISS_ROB = Path(__file__).resolve().parents[2] / "examples" / "riss" / "rob"


def _load_folder(files: dict[str, bytes]) -> list[Assessment]:
    """A rob/ folder read as `evidens run` reads it: files by name, entries in order."""
    return [a for name in sorted(files) for a in load_assessments(files[name].decode())]


def _riss() -> list[Assessment]:
    return _load_folder({p.name: p.read_bytes() for p in RISS_ROB.glob("*.toml")})


@pytest.fixture
def store(store_url: str) -> Iterator[ReviewStore]:
    made = create_review(store_url, title="RoB in the store")
    yield made
    made.dispose()


def test_riss_rob_round_trips_through_the_store(store: ReviewStore) -> None:
    folder = _riss()
    assert folder, "examples/riss/rob holds the Sharma 2021 assessment"
    with transaction(store, "evidens run") as uow:
        store_rob(uow, folder)
    with transaction(store, "reader") as uow:
        stored, results, files = rob_assessments_in(uow), rob_results_in(uow), rob_folder(uow)
    assert stored == folder  # settings, overrides, justifications, result label: all kept
    direct = [assess(a) for a in folder]
    assert rob_document(results) == rob_document(direct)
    assert rob_outputs(results) == rob_outputs(direct)  # rob.json and the figures, byte for byte
    assert list(files) == ["sharma-2021.toml"]
    again = _load_folder(files)
    assert again == folder
    assert rob_outputs([assess(a) for a in again]) == rob_outputs(direct)


def _second(a: Assessment, assessor: str, domain: str, question: str, code: str) -> Assessment:
    answers = {k: dict(v) for k, v in a.answers.items()}
    answers[domain][question] = Answer(code)
    return replace(a, assessor=assessor, answers=answers)


@pytest.fixture
def dual(store: ReviewStore) -> ReviewStore:
    (sharma,) = _riss()
    studies.create_study(store, "Sharma 2021", design="RCT", actor="lead")
    mv = replace(sharma, assessor="MV")
    rc = _second(sharma, "RC", "D1", "1.3", "N")
    add_assessment(store, dump_assessment(mv), path="mv.toml", actor="MV")
    add_assessment(store, dump_assessment(rc), path="rc.toml", actor="lead")
    return store


def test_two_assessors_are_compared_then_agree(dual: ReviewStore) -> None:
    report = compare_in(dual, "Sharma 2021")
    assert [(q.domain, q.question, q.first, q.second) for q in report.questions] == [
        ("D1", "1.3", Answer.NI, Answer.N)
    ]
    (before,) = rob_status(dual)
    assert before.assessors == ("MV", "RC")
    assert before.agreed is False
    assert not before.consensus
    with transaction(dual, "reader") as uow:
        assert [r.assessment.assessor for r in rob_results_in(uow)] == ["MV", "RC"]

    with pytest.raises(ValidationError, match=r"unresolved disagreements: D1 1\.3"):
        record_consensus(dual, "Sharma 2021", decided_by="MV", actor="MV")
    agreed = Resolution("D1", "1.3", Answer.NI, "no baseline table in the paper")
    record = record_consensus(
        dual, "Sharma 2021", resolutions=[agreed], decided_by="JK", actor="MV"
    )
    assert record.assessment.answer("D1", "1.3") is Answer.NI

    (after,) = rob_status(dual)
    assert after.consensus
    assert after.final_overall is Judgment.HIGH
    with transaction(dual, "reader") as uow:
        counted = rob_results_in(uow)
        every = rob_assessments_in(uow)
        files = rob_folder(uow)
    assert [r.assessment.assessor for r in counted] == ["consensus"]
    assert counted[0].assessment.justifications["D1"]["1.3"] == "no baseline table in the paper"
    assert [a.assessor for a in every] == ["MV", "RC", "consensus"]
    assert _load_folder(files) == every  # one file, three [[assessments]]
    with Session(dual.engine) as session:
        row = session.scalars(
            select(RobAssessmentRow).where(RobAssessmentRow.assessor == "consensus")
        ).one()
        agreement = row.judgments["consensus"]
        audit = session.scalars(select(AuditRow).where(AuditRow.entity == "rob_assessment")).all()
    assert agreement["of"] == ["MV", "RC"]
    assert agreement["decided_by"] == "JK"
    assert agreement["resolutions"][0]["reason"] == "no baseline table in the paper"
    assert [a.actor for a in audit] == ["MV", "RC", "JK"]
    assert audit[1].after is not None
    assert audit[1].after["recorded_by"] == "lead"


def test_a_folder_written_from_the_store_gives_the_same_outputs(
    dual: ReviewStore, store_url: str
) -> None:
    resolution = Resolution("D1", "1.3", Answer.NI, "agreed")
    record_consensus(dual, "Sharma 2021", resolutions=[resolution], decided_by="MV", actor="MV")
    with transaction(dual, "reader") as uow:
        files, outputs = rob_folder(uow), rob_outputs(rob_results_in(uow))
    fresh = create_review(store_url, title="Loaded from the folder", slug="copy")
    try:
        with transaction(fresh, "evidens run") as uow:
            store_rob(uow, _load_folder(files))
        with transaction(fresh, "reader") as uow:
            assert rob_outputs(rob_results_in(uow)) == outputs
            assert rob_folder(uow) == files
    finally:
        fresh.dispose()


def test_adding_again_replaces_and_the_audit_keeps_the_old(dual: ReviewStore) -> None:
    (sharma,) = _riss()
    changed = _second(sharma, "MV", "D4", "4.2", "N")
    add_assessment(dual, dump_assessment(changed), path="mv.toml", actor="MV")
    with transaction(dual, "reader") as uow:
        mine = [a for a in rob_assessments_in(uow) if a.assessor == "MV"]
    assert mine == [changed]
    with Session(dual.engine) as session:
        last = session.scalars(select(AuditRow).order_by(AuditRow.id.desc())).first()
    assert last is not None
    assert last.action == "reassess"
    assert last.before is not None
    assert last.before["answers"]["D4"]["4.2"] == "PN"
    assert last.after is not None
    assert last.after["answers"]["D4"]["4.2"] == "N"


def test_bad_additions_write_nothing(dual: ReviewStore) -> None:
    (sharma,) = _riss()
    with transaction(dual, "reader") as uow:
        before = rob_assessments_in(uow)
    typo = replace(sharma, study="Sharma 2012", assessor="MV")
    with pytest.raises(NotFoundError, match="no study 'Sharma 2012'"):
        add_assessment(dual, dump_assessment(typo), path="typo.toml", actor="MV")
    with pytest.raises(ValidationError, match="kept for the agreed record"):
        add_assessment(
            dual, dump_assessment(replace(sharma, assessor="consensus")), path="c", actor="x"
        )
    with pytest.raises(ValidationError, match="twice"), transaction(dual, "evidens run") as uow:
        store_rob(uow, [replace(sharma, assessor="MV")])
    with transaction(dual, "reader") as uow:
        assert rob_assessments_in(uow) == before


def test_only_a_member_who_may_resolve_settles(dual: ReviewStore) -> None:
    accounts.add_member(dual, "MV", "owner", actor="lead")
    accounts.add_member(dual, "RC", "viewer", actor="lead")
    resolution = Resolution("D1", "1.3", Answer.NI, "agreed")
    for outsider in ("RC", "someone"):
        with pytest.raises(PermissionDeniedError):
            record_consensus(
                dual, "Sharma 2021", resolutions=[resolution], decided_by=outsider, actor="x"
            )
    record_consensus(dual, "Sharma 2021", resolutions=[resolution], decided_by="MV", actor="MV")
    assert rob_status(dual)[0].consensus


def test_rows_of_older_stores_still_read(store: ReviewStore) -> None:
    """Rows written before whole assessments were kept: a final judgment that differs from
    the proposal is read back as an override with its reason."""
    (sharma,) = _riss()
    with transaction(store, "evidens run") as uow:
        store_rob(uow, [sharma])
    with Session(store.engine) as session, session.begin():
        row = session.scalars(select(RobAssessmentRow)).one()
        domains = dict(row.judgments["domains"])
        domains["D1"] = {"proposed": "low", "final": "high", "override_reason": "why"}
        row.judgments = domains
    with transaction(store, "reader") as uow:
        (old,) = rob_assessments_in(uow)
    assert old.overrides["D1"].judgment is Judgment.HIGH
    assert old.overrides["D1"].reason == "why"
    assert old.answers == sharma.answers


def test_a_folders_consensus_stands_for_its_assessors(store: ReviewStore) -> None:
    """A folder's consensus file, named as evidens.rob.dual.consensus names it, replaces the
    two assessors' own assessments in the outputs; they stay in the store and the folder."""
    (sharma,) = _riss()
    folder = [
        replace(sharma, assessor="MV"),
        replace(sharma, assessor="Consensus of MV and RC"),
        _second(sharma, "RC", "D1", "1.3", "N"),
    ]
    with transaction(store, "evidens run") as uow:
        store_rob(uow, folder)
    with transaction(store, "reader") as uow:
        counted = [r.assessment.assessor for r in rob_results_in(uow)]
        assert rob_assessments_in(uow) == folder
    assert counted == ["Consensus of MV and RC"]


def test_an_unknown_instrument_names_the_file(dual: ReviewStore) -> None:
    (sharma,) = _riss()
    text = dump_assessment(replace(sharma, assessor="JK", instrument="rob3"))
    with pytest.raises(InputError, match=r"^jk\.toml:instrument: unknown instrument 'rob3'"):
        add_assessment(dual, text, path="jk.toml", actor="JK")
