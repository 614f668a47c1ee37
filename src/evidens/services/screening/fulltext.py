"""Full-text retrieval: which reports were sought, which could not be obtained and why
(PRISMA's "reports sought" and "reports not retrieved"), and the PDFs attached.

A PDF is checked before it is kept - its size, that it is a PDF by its own bytes (not by
its name) and that it is whole - and kept once per review by its SHA-256 in the store's
database (:mod:`evidens.store.document_models` says why there). Nothing names it by a path,
so it is served only through these services, to those the caller has allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from evidens.core import Decision, Stage
from evidens.core.files import MIB, PDF_LIMIT, read_bounded
from evidens.errors import NotFoundError, ReviewStateError, ValidationError
from evidens.services.review.documents import keep_document
from evidens.services.screening.decisions import stage_statuses
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.document_models import DocumentRow
from evidens.store.models import FullTextRow, RecordRow

MAX_PDF_BYTES = PDF_LIMIT
PDF = "application/pdf"


def record_retrieval(
    uow: UnitOfWork,
    record_id: int,
    *,
    retrieved: bool,
    reason: str | None = None,
    file_name: str | None = None,
    sha256: str | None = None,
) -> None:
    """Say whether the full text of a record that passed title/abstract screening was got."""
    status = stage_statuses(uow, Stage.TITLE_ABSTRACT).get(record_id)
    if status is None or status.final not in (Decision.INCLUDE, Decision.MAYBE):
        raise ReviewStateError(
            f"record {record_id} was not included at title/abstract, so no report is sought",
            hint="retrieval is recorded for records that passed title/abstract screening",
        )
    row = uow.session.scalar(select(FullTextRow).where(FullTextRow.record_id == record_id))
    before = None if row is None else {"retrieved": row.retrieved, "reason": row.reason}
    if row is None:
        row = FullTextRow(review_id=uow.review_id, record_id=record_id, retrieved=retrieved)
        uow.session.add(row)
    row.retrieved, row.reason, row.file_name = retrieved, reason, file_name
    row.sha256 = sha256
    uow.session.flush()
    after = {"retrieved": retrieved, "reason": reason, "file": file_name, "sha256": sha256}
    uow.audit("retrieval", "full_text", record_id, before=before, after=after)


_UNSAFE = re.compile(r"[^\w.\- ()]+")


def safe_name(name: str) -> str:
    """A file's own name, without any folder and with nothing a header or page could
    misread: what the person sees, never a path on the server."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    cleaned = _UNSAFE.sub("_", base).strip("._ ")[:200]
    return cleaned or "full-text.pdf"


def check_pdf(data: bytes, name: str) -> None:
    """Refuse what is not a whole PDF: too large, not a PDF by its own first bytes (a
    renamed file, an HTML error page saved as .pdf), or cut off (no end-of-file marker)."""
    if len(data) > MAX_PDF_BYTES:
        raise ValidationError(
            f"{name} is larger than {MAX_PDF_BYTES // MIB} MiB",
            field="file",
            hint="compress the PDF or attach a smaller copy",
        )
    if b"%PDF-" not in data[:1024]:
        raise ValidationError(
            f"{name} is not a PDF (its content does not start like one)",
            field="file",
            hint="attach the article's PDF, not a web page or another file renamed .pdf",
        )
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(
            f"{name} is cut off (a PDF ends with %%EOF)", field="file", hint="download it again"
        )


def _sought(uow: UnitOfWork, record_id: int) -> None:
    row = uow.session.get(RecordRow, record_id)
    if row is None or row.review_id != uow.review_id:
        raise NotFoundError(f"no record {record_id} in this review")


def attach_pdf(store: ReviewStore, record_id: int, data: bytes, *, name: str, actor: str) -> str:
    """Keep ``data`` as the full text of ``record_id`` (retrieved); returns its SHA-256."""
    shown = safe_name(name)
    check_pdf(data, shown)
    with transaction(store, actor) as uow:
        _sought(uow, record_id)
        digest = keep_document(uow, data, name=shown, media_type=PDF)
        record_retrieval(uow, record_id, retrieved=True, file_name=shown, sha256=digest)
    return digest


def attach_pdf_file(store: ReviewStore, record_id: int, path: Path, *, actor: str) -> str:
    """:func:`attach_pdf` for a file on disk, read with the one bounded reader."""
    data = read_bounded(path, MAX_PDF_BYTES, what="PDF")
    return attach_pdf(store, record_id, data, name=path.name, actor=actor)


def not_retrieved(store: ReviewStore, record_id: int, *, reason: str, actor: str) -> None:
    """The report was sought but could not be obtained; PRISMA reports why."""
    if not reason.strip():
        raise ValidationError(
            "say why the report could not be retrieved",
            field="reason",
            hint="e.g. 'not available from the library or the authors'",
        )
    with transaction(store, actor) as uow:
        _sought(uow, record_id)
        record_retrieval(uow, record_id, retrieved=False, reason=reason.strip()[:2000])


@dataclass(frozen=True)
class FullText:
    record_id: int
    name: str
    media_type: str
    content: bytes


def full_text(store: ReviewStore, record_id: int, *, actor: str) -> FullText:
    """The PDF attached to ``record_id`` (callers check who may read it)."""
    with transaction(store, actor) as uow:
        _sought(uow, record_id)
        row = uow.session.scalar(select(FullTextRow).where(FullTextRow.record_id == record_id))
        if row is None or not row.sha256:
            raise NotFoundError(f"no PDF is attached to record {record_id}")
        document = uow.session.scalar(
            select(DocumentRow).where(
                DocumentRow.review_id == uow.review_id,
                DocumentRow.sha256 == row.sha256,
                DocumentRow.media_type == PDF,  # never a kept search export
            )
        )
        if document is None:
            raise NotFoundError(f"the PDF of record {record_id} is not in this store")
        return FullText(record_id, row.file_name or document.file_name, PDF, document.content)


@dataclass(frozen=True)
class Retrieval:
    """Where one report sought for retrieval stands."""

    record_id: int
    title: str
    retrieved: bool | None  # None: not recorded yet
    reason: str | None
    file_name: str | None
    has_pdf: bool


def retrievals(store: ReviewStore) -> list[Retrieval]:
    """Every report sought (records that passed title/abstract screening) and its state."""
    return retrievals_page(store, None)[0]


def retrievals_page(
    store: ReviewStore, page: int | None, size: int = 100
) -> tuple[list[Retrieval], int]:
    """One page of :func:`retrievals` (all of them when ``page`` is ``None``) and how many
    reports are sought in all; only the page's titles and retrievals are read."""
    with transaction(store, "evidens") as uow:
        passed = sorted(
            rid
            for rid, status in stage_statuses(uow, Stage.TITLE_ABSTRACT).items()
            if status.final in (Decision.INCLUDE, Decision.MAYBE)
        )
        shown = passed if page is None else passed[(max(page, 1) - 1) * size : max(page, 1) * size]
        titles = dict(
            uow.session.execute(
                select(RecordRow.id, RecordRow.title).where(RecordRow.id.in_(shown))
            ).all()
        )
        query = select(FullTextRow).where(FullTextRow.review_id == uow.review_id)
        if page is not None:  # every retrieval when unpaged: no list of every id sent
            query = query.where(FullTextRow.record_id.in_(shown))
        rows = {r.record_id: r for r in uow.session.scalars(query)}
    out = []
    for rid in shown:
        row = rows.get(rid)
        out.append(
            Retrieval(
                rid,
                titles.get(rid) or "(no title)",
                None if row is None else row.retrieved,
                None if row is None else row.reason,
                None if row is None else row.file_name,
                bool(row and row.sha256),
            )
        )
    return out, len(passed)
