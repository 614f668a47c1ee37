"""A review built in a store with the real services, written out as a folder, checked and
run again: the folder says everything the store held up to the included studies."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from sqlalchemy import select

from evidens.core import Decision, OutcomeSpec, Pico, Protocol, Resolution, ScreeningDecision, Stage
from evidens.errors import ConfigError, InputError, NotFoundError
from evidens.services.folders.review_check import check_review_dir
from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.review_folder import review_document, spine_folder, write_folder
from evidens.services.folders.run import run_review
from evidens.services.identification import dedup, imports
from evidens.services.identification.imports import SEARCH_EXPORT
from evidens.services.reporting.prisma import counts_in, flow_dict, set_reported
from evidens.services.review.accounts import add_member
from evidens.services.review.rounds import start_round
from evidens.services.screening import fulltext, studies
from evidens.services.screening.decisions import record_decision, record_resolution
from evidens.services.store import ReviewStore, create_review, open_review, transaction
from evidens.store.document_models import DocumentRow
from evidens.store.models import (
    DuplicatePairDecisionRow,
    FullTextRow,
    ImportBatchRow,
    RecordRow,
    ResolutionRow,
    ReviewRow,
    ScreeningDecisionRow,
    StudyReportRow,
    StudyRow,
)

PUBMED = """TY  - JOUR
TI  - Ketogenic diet for refractory spasms in infants: a randomized trial
AU  - Rivera, Ana
PY  - 2020
JO  - Journal of Child Neurology
DO  - 10.1000/folder.1
ER  -
TY  - JOUR
TI  - Vigabatrin versus hormonal therapy: a cohort study
AU  - Osei, Kwame
PY  - 2019
JO  - Epilepsia
DO  - 10.1000/folder.2
ER  -
TY  - JOUR
TI  - Epilepsy surgery outcomes in children with epileptic spasms
AU  - Tanaka, Yui
PY  - 2021
JO  - Epilepsy Research
DO  - 10.1000/folder.3
ER  -
TY  - JOUR
TI  - Modified Atkins diet in refractory infantile spasms
AU  - Nowak, Piotr
PY  - 2022
JO  - Seizure
DO  - 10.1000/folder.4
ER  -
TY  - JOUR
TI  - Ketogenic Diet for Refractory Spasms in Infants: A Randomized Trial.
AU  - Rivera, A.
PY  - 2020
JO  - J Child Neurol
DO  - https://doi.org/10.1000/FOLDER.1
ER  -
"""

EMBASE = """TY  - JOUR
TI  - Hormonal treatment or vigabatrin for West syndrome in a retrospective cohort
AU  - Osei, K.
PY  - 2019
JO  - Epilepsia (Copenhagen)
ER  -
TY  - JOUR
TI  - Ketogenic diet versus ACTH in infantile spasms: a randomised controlled trial
AU  - Kowalski, Jan
PY  - 2023
JO  - Lancet Neurology
DO  - 10.1000/folder.6
ER  -
TY  - JOUR
TI  - Epilepsy surgery outcomes in children with epileptic spasms
AU  - Tanaka, Yui
PY  - 2021
JO  - Epilepsy Research
DO  - 10.1000/folder.3
ER  -
"""

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
INC, EXC = Decision.INCLUDE, Decision.EXCLUDE
Identity = tuple[str, int]  # (export file's own name, place in it): the same in both stores


def _record(store: ReviewStore, file: str, ordinal: int) -> int:
    with transaction(store, "test") as uow:
        return int(
            uow.session.scalar(
                select(RecordRow.id)
                .join(ImportBatchRow, RecordRow.batch_id == ImportBatchRow.id)
                .where(ImportBatchRow.file_name == file, RecordRow.ordinal == ordinal)
            )
        )


def _build(tmp_path: Path) -> ReviewStore:
    """The first half of a review, done in a store as the CLI and web app do it."""
    protocol = Protocol(
        title="Diet for infantile spasms",
        question="Does a ketogenic diet stop spasms?",
        pico=Pico(population="Infants", intervention="Ketogenic diet"),
        inclusion_criteria=("Randomised trial",),
        exclusion_criteria=("Animal study",),
        study_designs=("RCT",),
        outcomes=(OutcomeSpec("Spasm freedom", "primary", "critical"),),
    )
    store = create_review(
        tmp_path / "review.db",
        title=protocol.title,
        slug="diet",
        protocol=asdict(protocol),
        settings={
            "reviewers_required": {"title_abstract": 2, "full_text": 2},
            "exclusion_reasons": ["Not randomized", "Wrong population"],
            "dedup": {},
            "prisma": {},
            "methods": {"synthesis": "random-effects meta-analysis"},
        },
        actor="owner",
    )
    add_member(store, "alice", "owner", permissions=("resolver",), actor="owner")
    add_member(store, "bruno", "reviewer", actor="owner")
    for name, text in (("pubmed.ris", PUBMED), ("embase.ris", EMBASE)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        imports.import_file(store, tmp_path / name, source=name[:-4], actor="importer")
    dedup.deduplicate(store, actor="importer")
    places = [("pubmed.ris", n) for n in range(1, 6)] + [("embase.ris", n) for n in (1, 2, 3)]
    rec = {place: _record(store, *place) for place in places}
    dedup.decide_pair(store, rec["pubmed.ris", 2], rec["embase.ris", 1], same=True, actor="alice")
    dedup.decide_pair(store, rec["pubmed.ris", 1], rec["pubmed.ris", 5], same=False, actor="bruno")
    dedup.deduplicate(store, actor="alice")
    with transaction(store, "test") as uow:
        kept = {key: _kept(uow, rid) for key, rid in rec.items()}
    a1, a2, a3, a4, a5 = (kept["pubmed.ris", n] for n in (1, 2, 3, 4, 5))
    b2 = kept["embase.ris", 2]
    for rid, votes in ((a1, "ii"), (a2, "ee"), (a3, "ie"), (a4, "ii"), (a5, "ee"), (b2, "ii")):
        for person, vote in zip(("alice", "bruno"), votes, strict=True):
            decision = INC if vote == "i" else EXC
            record_decision(store, ScreeningDecision(rid, TA, person, decision))
    record_resolution(store, Resolution(a3, TA, "alice", INC, note="surgery arm is dietary"))
    with transaction(store, "alice") as uow:
        fulltext.record_retrieval(uow, a1, retrieved=True, file_name="rivera.pdf")
        fulltext.record_retrieval(uow, a3, retrieved=True)
        fulltext.record_retrieval(uow, b2, retrieved=True)
    fulltext.not_retrieved(store, a4, reason="not available from the library", actor="alice")
    for rid, alice, bruno in ((a1, INC, INC), (a3, EXC, EXC), (b2, INC, EXC)):
        for person, decision in (("alice", alice), ("bruno", bruno)):
            reason = "Wrong population" if rid == a3 else "Not randomized"
            record_decision(
                store,
                ScreeningDecision(rid, FT, person, decision, reason if decision is EXC else None),
            )
    record_resolution(store, Resolution(b2, FT, "alice", INC))
    with transaction(store, "alice") as uow:
        studies.add_study(uow, "Rivera 2020", design="RCT", reports=[(a1, "Rivera A. 2020")])
        studies.add_study(
            uow,
            "Kowalski 2023",
            design="RCT",
            reports=[(b2, "Kowalski J. 2023"), (None, "Kowalski J. Trial registration, 2022")],
            details={"country": "Poland", "participants": 120},
        )
    return store


def _kept(uow: Any, record_id: int) -> int:
    from evidens.services.review.records import canonical_of

    return canonical_of(uow.session, uow.session.get(RecordRow, record_id))


def _identities(uow: Any) -> dict[int, Identity]:
    rows = uow.session.execute(
        select(RecordRow.id, ImportBatchRow.file_name, RecordRow.ordinal).join(
            ImportBatchRow, RecordRow.batch_id == ImportBatchRow.id
        )
    )
    return {int(i): (PurePosixPath(f).name, int(n)) for i, f, n in rows}


def _state(store: ReviewStore) -> dict[str, Any]:
    """What the store holds up to the studies, with records named by their export place."""
    with transaction(store, "test") as uow:
        who = _identities(uow)
        clusters: dict[int, set[Identity]] = {}
        for row in uow.session.scalars(select(RecordRow).where(RecordRow.cluster_id.is_not(None))):
            clusters.setdefault(row.cluster_id, set()).add(who[row.id])
        pairs = {
            (frozenset((who[p.record_a_id], who[p.record_b_id])), p.same, p.person)
            for p in uow.session.scalars(
                select(DuplicatePairDecisionRow).where(DuplicatePairDecisionRow.same.is_not(None))
            )
        }
        decisions = sorted(
            (d.stage, who[d.record_id], d.reviewer, d.decision, d.reason or "", d.note or "")
            for d in uow.session.scalars(select(ScreeningDecisionRow))
        )
        resolutions = sorted(
            (r.stage, who[r.record_id], r.resolver, r.decision, r.reason or "", r.note or "")
            for r in uow.session.scalars(select(ResolutionRow))
        )
        retrieval = sorted(
            (who[r.record_id], r.retrieved, r.reason or "", r.file_name or "")
            for r in uow.session.scalars(select(FullTextRow))
        )
        found_studies = [
            (
                s.label,
                s.design,
                s.round,
                s.details,
                [
                    (None if r.record_id is None else who[r.record_id], r.citation)
                    for r in uow.session.scalars(
                        select(StudyReportRow)
                        .where(StudyReportRow.study_id == s.id)
                        .order_by(StudyReportRow.id)
                    )
                ],
            )
            for s in uow.session.scalars(select(StudyRow).order_by(StudyRow.id))
        ]
        flow = json.loads(json.dumps(flow_dict(uow, counts_in(uow))))
    return {
        "clusters": sorted(sorted(c) for c in clusters.values()),
        "pairs": pairs,
        "decisions": decisions,
        "resolutions": resolutions,
        "retrieval": retrieval,
        "studies": found_studies,
        "flow": flow,
    }


@pytest.fixture
def built(tmp_path: Path) -> Iterator[tuple[ReviewStore, Path]]:
    store = _build(tmp_path)
    folder = tmp_path / "folder"
    with transaction(store, "test") as uow:
        write_folder(spine_folder(uow), folder)
    yield store, folder
    store.dispose()


def test_store_to_folder_to_run_keeps_every_decision(
    built: tuple[ReviewStore, Path], tmp_path: Path
) -> None:
    store, folder = built
    assert check_review_dir(folder) == []
    assert (folder / "exports" / "pubmed.ris").read_text(encoding="utf-8") == PUBMED
    run_review(folder, tmp_path / "out")
    before = _state(store)
    with open_review(tmp_path / "out" / "review.db") as rebuilt:
        after = _state(rebuilt)
    assert before["clusters"] == after["clusters"]
    # one merge and one keep-apart, both kept
    assert {(s, p) for _, s, p in after["pairs"]} == {(True, "alice"), (False, "bruno")}
    assert before["pairs"] == after["pairs"]
    for part in ("decisions", "resolutions", "retrieval", "studies"):
        assert before[part] == after[part], part
    written = json.loads((tmp_path / "out" / "prisma.json").read_text(encoding="utf-8"))
    assert written == before["flow"]
    assert before["flow"] == after["flow"]


def test_review_document_reads_back_to_the_same_review(
    built: tuple[ReviewStore, Path],
) -> None:
    store, folder = built
    files = read_review_dir(folder)
    with transaction(store, "test") as uow:
        review = uow.session.get(ReviewRow, uow.review_id)
        assert review is not None
        document = review_document(uow)
        settings = dict(review.settings)
        protocol = dict(review.protocol)
    assert json.loads(json.dumps(asdict(files.protocol))) == protocol
    assert files.protocol.outcomes == (OutcomeSpec("Spasm freedom", "primary", "critical"),)
    assert files.methods == settings["methods"]
    assert {**files.settings, "methods": files.methods} == settings
    assert [m["name"] for m in files.members] == ["alice", "bruno"]
    assert files.members[0]["permissions"] == ["resolver"]
    assert document["review"]["slug"] == files.slug == "diet"


def test_the_run_keeps_methods_in_the_stores_settings(
    built: tuple[ReviewStore, Path], tmp_path: Path
) -> None:
    _, folder = built
    run_review(folder, tmp_path / "out")
    with open_review(tmp_path / "out" / "review.db") as rebuilt, transaction(rebuilt, "t") as uow:
        review = uow.session.get(ReviewRow, uow.review_id)
        assert review is not None
        assert review.settings["methods"] == {"synthesis": "random-effects meta-analysis"}


def test_a_pair_key_matching_no_record_names_its_line(
    built: tuple[ReviewStore, Path], tmp_path: Path
) -> None:
    _, folder = built
    log = folder / "dedup" / "decisions.csv"
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "record_a,record_b,same,person"
    log.write_text("\n".join([*lines, "doi:10.9999/none,doi:10.1000/folder.6,yes,alice"]) + "\n")
    with pytest.raises(ConfigError) as caught:
        run_review(folder, tmp_path / "out")
    assert str(caught.value.path) == str(log)
    assert caught.value.line == len(lines) + 1
    assert "doi:10.9999/none" in str(caught.value)


def test_a_bad_pair_verdict_is_found_by_check(built: tuple[ReviewStore, Path]) -> None:
    _, folder = built
    log = folder / "dedup" / "decisions.csv"
    log.write_text(log.read_text(encoding="utf-8") + "doi:10.1000/folder.2,fp:abc,perhaps,al\n")
    problems = check_review_dir(folder)
    assert len(problems) == 1
    assert problems[0].field == "same"
    assert str(problems[0].path) == str(log)


def test_exports_original_bytes_are_kept_and_never_served_as_full_text(
    built: tuple[ReviewStore, Path],
) -> None:
    store, _ = built
    with transaction(store, "test") as uow:
        documents = list(uow.session.scalars(select(DocumentRow)))
        batch = uow.session.scalar(
            select(ImportBatchRow).where(ImportBatchRow.file_name == "pubmed.ris")
        )
        assert batch is not None
        sha = batch.sha256
        a1 = _record(store, "pubmed.ris", 1)
        assert {d.media_type for d in documents} == {SEARCH_EXPORT}
        assert {d.sha256 for d in documents} >= {sha}
        row = uow.session.scalar(select(FullTextRow).where(FullTextRow.record_id == a1))
        assert row is not None
        row.sha256 = sha  # a full text pointing at an export's bytes
    with pytest.raises(NotFoundError):
        fulltext.full_text(store, a1, actor="alice")
    assert not any(r.has_pdf for r in fulltext.retrievals(store) if r.record_id != a1)


def test_write_folder_refuses_a_non_empty_folder_and_leaves_nothing_half_written(
    tmp_path: Path,
) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        write_folder({"review.toml": b"x"}, target)
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    with pytest.raises(InputError):
        write_folder({"review.toml": b"x", "../outside.csv": b"y"}, tmp_path / "new")
    assert not (tmp_path / "new").exists()
    assert not (tmp_path / "outside.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_repeated_export_names_are_made_unique(tmp_path: Path) -> None:
    store = create_review(tmp_path / "r.db", title="Two files, one name")
    for folder, text in (("a", PUBMED), ("b", EMBASE)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "export.ris").write_text(text, encoding="utf-8")
        imports.import_file(
            store,
            tmp_path / folder / "export.ris",
            source="PubMed",
            actor="importer",
            display_name=f"{folder}/export.ris",
        )
    with transaction(store, "test") as uow:
        files = spine_folder(uow)
    store.dispose()
    assert files["exports/export.ris"] == PUBMED.encode()
    assert files["exports/export-2.ris"] == EMBASE.encode()
    write_folder(files, tmp_path / "folder")
    assert check_review_dir(tmp_path / "folder") == []
    (tmp_path / "probe").mkdir()  # the folder is readable as any folder made here would be
    assert (tmp_path / "folder").stat().st_mode == (tmp_path / "probe").stat().st_mode


def test_decisions_on_a_record_merged_after_screening_are_left_out(tmp_path: Path) -> None:
    store = create_review(
        tmp_path / "review.db",
        title="Late merge",
        settings={"reviewers_required": {"title_abstract": 1, "full_text": 1}},
    )
    (tmp_path / "pubmed.ris").write_text(PUBMED, encoding="utf-8")
    imports.import_file(store, tmp_path / "pubmed.ris", source="PubMed", actor="importer")
    first, copy = _record(store, "pubmed.ris", 1), _record(store, "pubmed.ris", 5)
    dedup.decide_pair(store, first, copy, same=False, actor="alice")
    dedup.deduplicate(store, actor="alice")
    record_decision(store, ScreeningDecision(first, TA, "alice", INC))
    record_decision(store, ScreeningDecision(copy, TA, "alice", EXC))
    dedup.decide_pair(store, first, copy, same=True, actor="alice")  # a duplicate after all
    dedup.deduplicate(store, actor="alice")
    with transaction(store, "test") as uow:
        files = spine_folder(uow)
    write_folder(files, tmp_path / "folder")
    log = files["screening/title_abstract.csv"].decode().splitlines()
    assert log[1:] == ["doi:10.1000/folder.1,alice,include,,"]
    run_review(tmp_path / "folder", tmp_path / "out")
    written = json.loads((tmp_path / "out" / "prisma.json").read_text(encoding="utf-8"))
    assert written == _state(store)["flow"]
    store.dispose()


def test_reported_counts_and_prisma_options_read_back(tmp_path: Path) -> None:
    reported = {"records_identified": 120, "reports_excluded": {"Wrong design": 3, "No data": 1}}
    prisma = {"template": "updated", "previous": {"studies": 2, "reports": 3}}
    store = create_review(tmp_path / "r.db", title="Reported", settings={"prisma": prisma})
    with transaction(store, "owner") as uow:
        set_reported(uow, reported)
    with transaction(store, "test") as uow:
        write_folder(spine_folder(uow), tmp_path / "folder")
    store.dispose()
    files = read_review_dir(tmp_path / "folder")
    assert files.reported == reported
    assert files.settings["prisma"] == prisma
    assert check_review_dir(tmp_path / "folder") == []


UPDATE = """TY  - JOUR
TI  - Ketogenic diet versus ACTH in infantile spasms: a randomised controlled trial
AU  - Kowalski, Jan
PY  - 2023
JO  - Lancet Neurology
DO  - 10.1000/folder.6
ER  -
TY  - JOUR
TI  - Modified Atkins diet in refractory infantile spasms
AU  - Nowak, Piotr
PY  - 2022
JO  - Seizure
DO  - 10.1000/folder.4
ER  -
"""


def test_a_living_reviews_second_round_round_trips(tmp_path: Path) -> None:
    store = create_review(
        tmp_path / "review.db",
        title="Living",
        settings={"reviewers_required": {"title_abstract": 1, "full_text": 1}},
    )
    (tmp_path / "first.ris").write_text(PUBMED, encoding="utf-8")
    (tmp_path / "update.ris").write_text(UPDATE, encoding="utf-8")
    imports.import_file(store, tmp_path / "first.ris", source="PubMed", actor="importer")
    dedup.deduplicate(store, actor="importer")
    with transaction(store, "test") as uow:
        kept = {n: _kept(uow, _record(store, "first.ris", n)) for n in (1, 2, 3, 4)}
    for n, rid in kept.items():
        record_decision(store, ScreeningDecision(rid, TA, "al", INC if n in (1, 4) else EXC))
    start_round(store, "Update 2024", actor="al", searched_from=dt.date(2024, 1, 1))
    imports.import_file(store, tmp_path / "update.ris", source="PubMed", actor="importer")
    dedup.deduplicate(store, actor="importer")  # the update's Nowak is the first round's
    new = _record(store, "update.ris", 1)
    record_decision(store, ScreeningDecision(new, TA, "al", INC))
    with transaction(store, "test") as uow:
        files = spine_folder(uow)
    write_folder(files, tmp_path / "folder")
    assert "round = 2" in files["searches.toml"].decode()
    assert check_review_dir(tmp_path / "folder") == []
    run_review(tmp_path / "folder", tmp_path / "out")
    before = _state(store)
    with open_review(tmp_path / "out" / "review.db") as rebuilt:
        after = _state(rebuilt)
    assert before == after
    assert before["flow"] == json.loads((tmp_path / "out" / "prisma.json").read_text("utf-8"))
    store.dispose()
