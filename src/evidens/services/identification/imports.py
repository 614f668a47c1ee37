"""Importing export files into a review: all or nothing, with a per-file report.

The file is read and parsed completely before anything is written; records and their batch
are then written in one transaction, so a bad file (or a crash half-way) leaves the store
as it was. The same file (by SHA-256) is never imported twice into one review.

Each export's original bytes are kept in the store's ``documents`` table, named by the
SHA-256 its batch already carries and marked :data:`SEARCH_EXPORT` (not a full text), so
that a review kept in a store can be written out as a folder with the very files that
were imported (:mod:`evidens.services.folders.review_folder`), and its ``FILE#N`` keys still hold.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidens.core import Record, Source, SourceKind
from evidens.core.files import EXPORT_LIMIT, read_bounded
from evidens.errors import ReviewStateError
from evidens.formats import ImportReport, read_records
from evidens.services.identification.sources import ensure_source
from evidens.services.review.documents import keep_document
from evidens.services.review.rounds import current_round
from evidens.services.store import ReviewStore, UnitOfWork, forget_reads, transaction
from evidens.store.document_models import DocumentRow
from evidens.store.mapping import insert_record_params, record_params
from evidens.store.models import ImportBatchRow

MAX_FILE_BYTES = EXPORT_LIMIT
BULK_ROWS = 10_000
Inserted = Callable[[int, int], None]
"""Told (records inserted so far, records in the file) after each batch: a job's bar."""
SEARCH_EXPORT = "application/vnd.evidens.search-export"
"""The media type of a kept export file: full-text listings count only PDFs, never these."""


@dataclass(frozen=True)
class ImportOutcome:
    batch_id: int
    source: str
    report: ImportReport


def read_export(path: Path) -> bytes:
    """The bytes of an export file, refusing what is not a readable regular file."""
    return read_bounded(path, MAX_FILE_BYTES, what="export file")


def import_file(
    store: ReviewStore,
    path: Path,
    *,
    source: str,
    kind: SourceKind = SourceKind.DATABASE,
    platform: str | None = None,
    search_id: int | None = None,
    search_date: dt.date | None = None,
    actor: str,
    display_name: str | None = None,
) -> ImportOutcome:
    """Import one export file as records found by ``source``."""
    data = read_export(path)
    with transaction(store, actor) as uow:
        return import_data(
            uow,
            data,
            name=display_name or path.name,
            parse_name=display_name or str(path),
            source=Source(source, kind, platform),
            search_id=search_id,
            search_date=search_date,
        )


def import_upload(
    store: ReviewStore,
    data: bytes,
    *,
    name: str,
    source: str,
    actor: str,
    progress: Inserted | None = None,
) -> ImportOutcome:
    """Import an uploaded file's bytes, named by the file's own name everywhere (report,
    messages, the stored batch): nothing is written to disk on the way."""
    with transaction(store, actor) as uow:
        return import_data(
            uow, data, name=name, source=Source(source, SourceKind.DATABASE), progress=progress
        )


def import_data(
    uow: UnitOfWork,
    data: bytes,
    *,
    name: str,
    source: Source,
    parse_name: str | None = None,
    search_id: int | None = None,
    search_date: dt.date | None = None,
    progress: Inserted | None = None,
) -> ImportOutcome:
    """Parse ``data`` completely, then write the batch and its records in ``uow``
    (``progress`` is told how many are in after each batch; they commit with ``uow``)."""
    sha256 = hashlib.sha256(data).hexdigest()
    parsed = read_records(data, name=parse_name or name)
    report = parsed.report()
    earlier = uow.session.scalar(
        select(ImportBatchRow.file_name).where(
            ImportBatchRow.review_id == uow.review_id, ImportBatchRow.sha256 == sha256
        )
    )
    if earlier is not None:
        raise ReviewStateError(
            f"{name}: this file was already imported (as {earlier})",
            hint="each export is imported once; re-run the search for new records",
        )
    source_row = ensure_source(uow, source)
    batch = ImportBatchRow(
        review_id=uow.review_id,
        source_id=source_row.id,
        search_id=search_id,
        file_name=name,
        sha256=sha256,
        format=parsed.format,
        encoding=parsed.encoding,
        records_read=len(parsed.records),
        search_date=search_date,
        report=report_json(report),
        imported_by=uow.actor,
        round=current_round(uow),
    )
    uow.session.add(batch)
    keep_document(uow, data, name=name, media_type=SEARCH_EXPORT)  # for `evidens folder`
    uow.session.flush()
    _insert_records(uow, parsed.records, batch.id, progress)
    uow.audit(
        "import",
        "import_batch",
        batch.id,
        after={
            "file": name,
            "sha256": sha256,
            "format": parsed.format,
            "records": len(parsed.records),
            "source": source.name,
        },
    )
    return ImportOutcome(batch.id, source.name, report)


def export_bytes(uow: UnitOfWork, sha256: str) -> bytes | None:
    """The original bytes of the export file imported with ``sha256`` (None: imported
    before evidens kept them)."""
    return uow.session.scalar(
        select(DocumentRow.content).where(
            DocumentRow.review_id == uow.review_id,
            DocumentRow.sha256 == sha256,
            DocumentRow.media_type == SEARCH_EXPORT,
        )
    )


def _insert_records(
    uow: UnitOfWork, records: tuple[Record, ...], batch_id: int, progress: Inserted | None
) -> None:
    """Insert the records in batches of parameter tuples, built as they are sent so that a
    100,000-record import never holds every row's JSON in memory at once.

    The cyclic collector is paused meanwhile: each batch's tuples of strings outlive a few
    young collections, get promoted, and trigger a full collection that walks every parsed
    record (about 0.8 s for 100,000). They hold no cycles; reference counting frees them.
    """
    connection = uow.session.connection()
    params = record_params(records, review_id=uow.review_id, batch_id=batch_id)
    collecting = gc.isenabled()
    gc.disable()
    inserted = 0
    if progress is not None:
        progress(0, len(records))  # parsed: how many there are to insert
    try:
        while batch := list(islice(params, BULK_ROWS)):
            insert_record_params(connection, batch)
            inserted += len(batch)
            if progress is not None:
                progress(inserted, len(records))
    finally:
        forget_reads(uow.session)  # written past the session: what it read is out of date
        if collecting:
            gc.enable()


def report_json(report: ImportReport) -> dict[str, Any]:
    data = asdict(report)
    data["fill_rates"] = dict(report.fill_rates)
    data["warnings"] = [{"line": w.line, "message": w.message} for w in report.warnings]
    return data
