"""The parts of a review folder written from a store's records: the exports and the search
log, the de-duplication verdicts, the screening and retrieval logs, and the studies
(:mod:`evidens.services.folders.review_folder` assembles them and says what a folder cannot hold).

Records are named by the keys :mod:`evidens.core.keys` gives them, chosen so that each
names its record alone where ``evidens run`` will look it up: screening decisions, the
retrieval log and studies name the record kept after de-duplication (looked up among the
clusters' kept records, as :class:`RecordKeys` does); the verdicts on pairs are looked up
before any clustering, so their keys name one record among all. A record whose keys are
all shared is named by its place in its export, ``exports/NAME#N``, which is unique.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select

from evidens.core import Stage
from evidens.core.keys import keys_of
from evidens.formats.writers import write_ris
from evidens.services.identification.imports import export_bytes
from evidens.services.review.records import RecordKeys, canonical_ids
from evidens.services.store import UnitOfWork
from evidens.store.mapping import row_to_record
from evidens.store.models import (
    DuplicatePairDecisionRow,
    FullTextRow,
    ImportBatchRow,
    RecordRow,
    ResolutionRow,
    ScreeningDecisionRow,
    SearchRow,
    SourceRow,
    StudyReportRow,
    StudyRow,
)

Exports = dict[int, tuple[str, bytes]]
"""Each import batch's file in the folder: batch id -> (``exports/NAME``, bytes)."""

_UNSAFE = re.compile(r"[^\w.\-()]+")


def _folder_name(file_name: str, taken: set[str], *, suffix: str = "") -> str:
    """``exports/NAME``: the imported file's own name (no folders, nothing unsafe), made
    unique with ``-2``, ``-3``... when two imports had the same name."""
    base = _UNSAFE.sub("_", PurePosixPath(file_name.replace("\\", "/")).name).strip("._")
    base = (base or "export") + suffix
    stem, dot, ext = base.rpartition(".")
    stem, ext = (stem, dot + ext) if dot and stem else (base, "")
    name, n = f"exports/{base}", 1
    while name.lower() in taken:
        n += 1
        name = f"exports/{stem}-{n}{ext}"
    taken.add(name.lower())
    return name


def export_files(uow: UnitOfWork) -> Exports:
    """Every import's original bytes (or, imported before they were kept, its records as
    RIS), under a unique name, in the order they were imported."""
    batches = uow.session.scalars(
        select(ImportBatchRow)
        .where(ImportBatchRow.review_id == uow.review_id)
        .order_by(ImportBatchRow.id)
    )
    taken: set[str] = set()
    found: Exports = {}
    for batch in batches:
        data = export_bytes(uow, batch.sha256)
        if data is not None:
            found[batch.id] = (_folder_name(batch.file_name, taken), data)
            continue
        rows = uow.session.scalars(
            select(RecordRow).where(RecordRow.batch_id == batch.id).order_by(RecordRow.ordinal)
        )
        text = write_ris(row_to_record(r) for r in rows)
        found[batch.id] = (_folder_name(batch.file_name, taken, suffix=".ris"), text.encode())
    return found


Placed = list[tuple[tuple[int, float, int], dict[str, Any]]]
"""[[search]] entries with where they go: (round, first import, search id)."""


def searches_document(uow: UnitOfWork, exports: Exports) -> dict[str, Any]:
    """searches.toml: each logged search with its exports, and each import no search
    carries as a search of its own; by round, in the order their records were imported."""
    sources = {
        s.id: s
        for s in uow.session.scalars(select(SourceRow).where(SourceRow.review_id == uow.review_id))
    }
    batches = list(
        uow.session.scalars(
            select(ImportBatchRow)
            .where(ImportBatchRow.review_id == uow.review_id)
            .order_by(ImportBatchRow.id)
        )
    )
    placed = _logged_searches(uow, sources, batches, exports)
    for batch in (b for b in batches if b.search_id is None):
        source = sources[batch.source_id]
        entry = {
            "source": source.name,
            "kind": source.kind,
            "platform": source.platform,
            "date": batch.search_date,
            "round": batch.round if batch.round != 1 else None,
            "files": [exports[batch.id][0]],
        }
        placed.append(((batch.round, batch.id, 0), entry))
    placed.sort(key=lambda item: item[0])
    return {"search": [entry for _, entry in placed]}


def _logged_searches(
    uow: UnitOfWork,
    sources: dict[int, SourceRow],
    batches: list[ImportBatchRow],
    exports: Exports,
) -> Placed:
    placed: Placed = []
    searches = uow.session.scalars(
        select(SearchRow).where(SearchRow.review_id == uow.review_id).order_by(SearchRow.id)
    )
    for search in searches:
        own = [b for b in batches if b.search_id == search.id]
        source = sources[search.source_id]
        entry = {
            "source": source.name,
            "kind": source.kind,
            "platform": search.platform,
            "strategy": search.strategy or None,
            "date": search.date_run,
            "hits": search.hits,
            "limits": search.limits,
            "run_by": search.run_by,
            "round": search.round if search.round != 1 else None,
            "files": [exports[b.id][0] for b in own],
            "translation": search.translation,  # what it was translated from, if it was
        }
        first = min((b.id for b in own), default=float("inf"))
        placed.append(((search.round, first, search.id), entry))
    return placed


class FolderKeys:
    """The key a folder writes for each record (see the module's docstring)."""

    def __init__(self, uow: UnitOfWork, export_names: dict[int, str]) -> None:
        self.kept = RecordKeys(uow.session, uow.review_id)
        self.kept_ids = set(canonical_ids(uow.session, uow.review_id))
        self.single: dict[str, int] = {}  # key -> records answering to it
        self.keys: dict[int, list[str]] = {}
        self.place: dict[int, str] = {}
        rows = uow.session.scalars(select(RecordRow).where(RecordRow.review_id == uow.review_id))
        for row in rows:
            keys = [str(k) for k in keys_of(row_to_record(row))]
            self.keys[row.id] = keys
            self.place[row.id] = f"{export_names[row.batch_id]}#{row.ordinal}"
            for key in keys:
                self.single[key] = self.single.get(key, 0) + 1

    def of_kept(self, record_id: int) -> str:
        """The key of a record kept after de-duplication, among the kept records."""
        own = self.keys[record_id]
        return next((k for k in own if len(self.kept.index.get(k, ())) == 1), self.place[record_id])

    def of_record(self, record_id: int) -> str:
        """The key of one record among all records, clustered or not."""
        own = self.keys[record_id]
        return next((k for k in own if self.single.get(k) == 1), self.place[record_id])


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def pair_log(uow: UnitOfWork, keys: FolderKeys) -> dict[str, bytes]:
    """dedup/decisions.csv: every pair a person judged, in the order they did."""
    rows = uow.session.scalars(
        select(DuplicatePairDecisionRow)
        .where(
            DuplicatePairDecisionRow.review_id == uow.review_id,
            DuplicatePairDecisionRow.same.is_not(None),
        )
        .order_by(DuplicatePairDecisionRow.decided_at, DuplicatePairDecisionRow.id)
    )
    lines = [
        (
            keys.of_record(r.record_a_id),
            keys.of_record(r.record_b_id),
            "yes" if r.same else "no",
            r.person or "unknown",
        )
        for r in rows
    ]
    if not lines:
        return {}
    return {"dedup/decisions.csv": _csv(("record_a", "record_b", "same", "person"), lines)}


def screening_logs(uow: UnitOfWork, keys: FolderKeys) -> dict[str, bytes]:
    """Each stage's decisions and resolutions, in the order they were made; those on a
    record merged into another after it was screened are left out, as the store's counts
    leave them out (the kept record's decisions stand)."""
    files: dict[str, bytes] = {}
    for stage in Stage:
        decisions = uow.session.scalars(
            select(ScreeningDecisionRow)
            .where(
                ScreeningDecisionRow.review_id == uow.review_id,
                ScreeningDecisionRow.stage == stage.value,
            )
            .order_by(ScreeningDecisionRow.decided_at, ScreeningDecisionRow.id)
        )
        lines = [
            (keys.of_kept(d.record_id), d.reviewer, d.decision, d.reason, d.note)
            for d in decisions
            if d.record_id in keys.kept_ids
        ]
        if lines:
            header = ("record", "reviewer", "decision", "reason", "note")
            files[f"screening/{stage.value}.csv"] = _csv(header, lines)
        resolutions = uow.session.scalars(
            select(ResolutionRow)
            .where(ResolutionRow.review_id == uow.review_id, ResolutionRow.stage == stage.value)
            .order_by(ResolutionRow.decided_at, ResolutionRow.id)
        )
        lines = [
            (keys.of_kept(r.record_id), r.resolver, r.decision, r.reason, r.note)
            for r in resolutions
            if r.record_id in keys.kept_ids
        ]
        if lines:
            header = ("record", "resolver", "decision", "reason", "note")
            files[f"screening/{stage.value}_resolutions.csv"] = _csv(header, lines)
    return files


def retrieval_log(uow: UnitOfWork, keys: FolderKeys) -> dict[str, bytes]:
    """fulltext/retrieval.csv: each report sought, retrieved or not and why."""
    rows = uow.session.scalars(
        select(FullTextRow).where(FullTextRow.review_id == uow.review_id).order_by(FullTextRow.id)
    )
    lines = [
        (keys.of_kept(r.record_id), "yes" if r.retrieved else "no", r.reason, r.file_name)
        for r in rows
        if r.record_id in keys.kept_ids
    ]
    if not lines:
        return {}
    return {"fulltext/retrieval.csv": _csv(("record", "retrieved", "reason", "file"), lines)}


def studies_document(uow: UnitOfWork, keys: FolderKeys) -> dict[str, Any]:
    """studies.toml: each study, its design, round and details, and its reports."""
    studies = uow.session.scalars(
        select(StudyRow).where(StudyRow.review_id == uow.review_id).order_by(StudyRow.id)
    )
    found = []
    for study in studies:
        reports = uow.session.scalars(
            select(StudyReportRow)
            .where(StudyReportRow.study_id == study.id)
            .order_by(StudyReportRow.id)
        )
        entry: dict[str, Any] = {"label": study.label, "design": study.design}
        if study.round != 1:
            entry["round"] = study.round
        entry.update(dict(study.details or {}))
        entry["reports"] = [
            {
                "record": None if r.record_id is None else keys.of_kept(r.record_id),
                "citation": r.citation,
            }
            for r in reports
        ]
        found.append(entry)
    return {"study": found}
