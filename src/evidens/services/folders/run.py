"""`evidens run`: rebuild a review kept as files into a fresh store and write every output.

The store is rebuilt from scratch on each run, and outputs carry no timestamps or store ids
that vary between runs, so running twice gives identical files; a changed decision in a
log changes exactly the counts it should.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from evidens.core import Resolution, ScreeningDecision, Stage
from evidens.errors import ConfigError, EvidensError, ValidationError
from evidens.services.assessment.extraction import store_extraction_files
from evidens.services.assessment.risk_of_bias import store_rob
from evidens.services.folders.label_log import LABEL_LOG, LabelLine, read_label_log
from evidens.services.folders.review_check import refuse_problems
from evidens.services.folders.review_files import (
    DecisionLine,
    RetrievalLine,
    ReviewFiles,
    read_review_dir,
)
from evidens.services.folders.step_files import folder_assessments, folder_files, folder_grade
from evidens.services.identification import dedup, imports
from evidens.services.identification.sources import add_search
from evidens.services.reporting.prisma import set_reported
from evidens.services.reporting.review_outputs import Progress, write_outputs
from evidens.services.review.records import RecordKeys
from evidens.services.review.rounds import current_round, start_round
from evidens.services.screening import labels
from evidens.services.screening.decisions import decide, resolve
from evidens.services.screening.fulltext import record_retrieval
from evidens.services.screening.studies import add_study
from evidens.services.store import ReviewStore, UnitOfWork, create_review, transaction
from evidens.services.synthesis.analyses import add_analysis
from evidens.services.synthesis.grade_profiles import set_profile
from evidens.store.models import MemberRow

ACTOR = "evidens run"


@dataclass
class RunSummary:
    store: Path
    outputs: list[Path] = field(default_factory=list)
    records: int = 0
    imports: list[dict[str, Any]] = field(default_factory=list)


def _quiet(_task: str, _done: int, _total: int) -> None:
    return None


def run_review(root: Path, out: Path, *, progress: Progress = _quiet) -> RunSummary:
    """Rebuild the review in ``root`` into ``out/review.db`` and write its outputs."""
    refuse_problems(root)  # what `evidens check` finds stops the run before anything is built
    files = read_review_dir(root)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "review.db"
    for stale in (db, db.with_name("review.db-wal"), db.with_name("review.db-shm")):
        stale.unlink(missing_ok=True)
    with load_review(files, db, progress=progress) as (store, summary):
        summary.outputs += write_outputs(store, out, progress=progress)
        return summary


@contextmanager
def load_review(
    files: ReviewFiles, db: Path, *, progress: Progress = _quiet
) -> Iterator[tuple[ReviewStore, RunSummary]]:
    """A fresh store at ``db`` holding everything the folder says, step by step."""
    store = create_review(
        db,
        title=files.protocol.title,
        slug=files.slug,
        protocol=asdict(files.protocol),
        settings={**files.settings, "methods": files.methods},
        actor=ACTOR,
    )
    try:
        summary = RunSummary(store=db)
        _load_team_and_searches(store, files, summary, progress)
        if summary.records:
            progress("de-duplicating", 0, 1)
            pairs = _pair_ids(store, files)  # before clusters: keys name single records
            dedup.deduplicate(store, actor=ACTOR)
            _apply_pairs(store, pairs)
            progress("de-duplicating", 1, 1)
        elif files.pairs:
            first = files.pairs[0]
            raise ConfigError(
                "no records to pair: no export was imported",
                path=first.path,
                line=first.line,
                field="record_a",
            )
        _load_decisions(store, files, progress)
        with transaction(store, ACTOR) as uow:
            set_reported(uow, files.reported)
        _load_later_steps(store, files)
        yield store, summary
    finally:
        store.dispose()


def _load_later_steps(store: ReviewStore, files: ReviewFiles) -> None:
    """Extraction, risk of bias, analyses and GRADE judgments, as the folder holds them."""
    extraction = folder_files(files.root / "extraction")
    assessments = folder_assessments(files.root)
    grade = folder_grade(files.root)
    with transaction(store, ACTOR) as uow:
        if any(name.lower().endswith(".xlsx") for name in extraction):
            store_extraction_files(uow, extraction)  # the form and plans kept as written
        if assessments:
            store_rob(uow, assessments)
        for spec in files.analyses:
            add_analysis(uow, spec)
        if grade is not None:
            doc, text, path = grade
            set_profile(uow, doc, path=str(path), text=text)


def _start_rounds_until(store: ReviewStore, files: ReviewFiles, number: int) -> None:
    """Start the living review's declared rounds up to ``number`` (round 1 needs none)."""
    with transaction(store, ACTOR) as uow:
        current = current_round(uow)
    for declared in files.rounds:
        if current < declared["number"] <= number:
            start_round(
                store,
                declared["label"],
                actor=ACTOR,
                searched_from=declared["searched_from"],
            )


def _export_names(files: ReviewFiles) -> dict[str, str]:
    """The name each export is kept under: its file's name, as an import outside a folder
    names it (so a store and the folder written from it name their exports alike), or
    the path as written where two exports share a file name. Decision logs may name
    records by either (``FILE#N``)."""
    shown = [name for entry in files.searches for name in entry.search.files]
    base = {name: PurePosixPath(name).name for name in shown}
    repeated = {b for b in base.values() if list(base.values()).count(b) > 1}
    return {name: name if b in repeated else b for name, b in base.items()}


def _load_team_and_searches(
    store: ReviewStore, files: ReviewFiles, summary: RunSummary, progress: Progress
) -> None:
    with transaction(store, ACTOR) as uow:
        for member in files.members:
            uow.session.add(
                MemberRow(
                    review_id=store.review_id,
                    name=str(member["name"]),
                    role=str(member.get("role", "reviewer")),
                    permissions=list(member.get("permissions", [])),
                )
            )
            uow.audit("create", "member", member["name"], after=dict(member))
    total = sum(len(e.files) for e in files.searches)
    names = _export_names(files)
    done = 0
    for entry in sorted(files.searches, key=lambda e: e.round):  # a living review's rounds
        _start_rounds_until(store, files, entry.round)
        with transaction(store, ACTOR) as uow:
            search_id = add_search(uow, entry.search, entry.kind, entry.translation).id
        for path, shown in zip(entry.files, entry.search.files, strict=True):
            progress("importing exports", done, total)
            outcome = imports.import_file(
                store,
                path,
                source=entry.search.source,
                kind=entry.kind,
                platform=entry.search.platform,
                search_id=search_id,
                search_date=entry.search.date_run,
                actor=ACTOR,
                display_name=names[shown],
            )
            summary.records += outcome.report.records
            summary.imports.append(
                {
                    "file": shown,
                    "source": outcome.source,
                    "format": outcome.report.format,
                    "records": outcome.report.records,
                }
            )
            done += 1
    progress("importing exports", done, total)
    _start_rounds_until(store, files, 1 + len(files.rounds))  # rounds with no search yet


def _pair_ids(store: ReviewStore, files: ReviewFiles) -> list[tuple[int, int, bool, str]]:
    """The people's de-duplication verdicts, their keys resolved to records (read before
    any clustering, so a key names the one record it was written for)."""
    with transaction(store, ACTOR) as uow:
        keys = RecordKeys(uow.session, uow.review_id)
    found = []
    for line in files.pairs:
        ids = []
        for column in ("record_a", "record_b"):
            try:
                ids.append(keys.resolve(getattr(line, column)))
            except ValidationError as exc:
                raise ConfigError(
                    exc.message, path=line.path, line=line.line, field=column, hint=exc.hint
                ) from exc
        if ids[0] == ids[1]:
            raise ConfigError(
                "both keys name the same record",
                path=line.path,
                line=line.line,
                field="record_b",
                hint="a verdict pairs two different records",
            )
        found.append((ids[0], ids[1], line.same, line.person))
    return found


def _apply_pairs(store: ReviewStore, pairs: list[tuple[int, int, bool, str]]) -> None:
    """Record each verdict as `evidens dedup --merge/--keep-apart` does (the person is the
    actor, as they were when they decided), then cluster again with them."""
    for a, b, same, person in pairs:
        dedup.decide_pair(store, a, b, same=same, actor=person)
    if pairs:
        dedup.deduplicate(store, actor=ACTOR)


def _load_decisions(store: ReviewStore, files: ReviewFiles, progress: Progress) -> None:
    """Decision logs in workflow order; each file is one transaction, errors name the line.
    Records are named by keys that do not depend on order (:mod:`evidens.core.keys`)."""
    with transaction(store, ACTOR) as uow:
        keys = RecordKeys(uow.session, uow.review_id)

    def record_id(line: DecisionLine | RetrievalLine | LabelLine | _Key) -> int:
        try:
            return keys.resolve(line.record)
        except ValidationError as exc:
            raise ConfigError(
                exc.message, path=line.path, line=line.line or None, field="record", hint=exc.hint
            ) from exc

    def retrieval(uow: UnitOfWork, ln: RetrievalLine) -> None:
        record_retrieval(
            uow, record_id(ln), retrieved=ln.retrieved, reason=ln.reason, file_name=ln.file
        )

    for stage in Stage:

        def decision(uow: UnitOfWork, ln: DecisionLine, stage: Stage = stage) -> None:
            decide(
                uow,
                ScreeningDecision(record_id(ln), stage, ln.person, ln.decision, ln.reason, ln.note),
            )

        def resolution(uow: UnitOfWork, ln: DecisionLine, stage: Stage = stage) -> None:
            resolve(
                uow,
                Resolution(record_id(ln), stage, ln.person, ln.decision, ln.reason, ln.note),
            )

        _apply(store, files.decisions[stage], progress, f"{stage.value} decisions", decision)
        _apply(store, files.resolutions[stage], progress, f"{stage.value} resolutions", resolution)
        if stage is Stage.TITLE_ABSTRACT:
            _apply(store, files.retrievals, progress, "full-text retrieval", retrieval)

    def label(uow: UnitOfWork, ln: LabelLine) -> None:
        labels.add(uow, record_id(ln), ln.stage, ln.person, ln.label)

    _apply(store, read_label_log(files.root / LABEL_LOG), progress, "screening labels", label)
    with transaction(store, ACTOR) as uow:
        for study in files.studies:
            reports = [
                (
                    record_id(_Key(files.root / "studies.toml", 0, key)) if key else None,
                    citation,
                )
                for key, citation in study.reports
            ]
            add_study(
                uow,
                study.label,
                design=study.design,
                reports=reports,
                details=study.details,
                round_=study.round,
            )


@dataclass(frozen=True)
class _Key:
    path: Path
    line: int
    record: str


def _apply(
    store: ReviewStore,
    lines: Any,
    progress: Progress,
    task: str,
    action: Callable[[UnitOfWork, Any], None],
) -> None:
    lines = list(lines)
    if not lines:
        return
    with transaction(store, ACTOR) as uow:
        for i, line in enumerate(lines):
            if i % 200 == 0:
                progress(task, i, len(lines))
            try:
                action(uow, line)
            except ConfigError:
                raise
            except EvidensError as exc:
                raise ConfigError(str(exc), path=line.path, line=line.line) from exc
    progress(task, len(lines), len(lines))
