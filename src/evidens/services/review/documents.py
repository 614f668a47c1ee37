"""Files kept in the store itself - full-text PDFs, the exports searches were imported
from - each once per review, named by its SHA-256 (see store/document_models.py for why
in the database rather than beside it)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from evidens.services.store import UnitOfWork
from evidens.store.document_models import DocumentRow


def keep_document(uow: UnitOfWork, data: bytes, *, name: str, media_type: str) -> str:
    """Keep ``data`` (unless the review holds the same bytes already); its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    known = uow.session.scalar(
        select(DocumentRow.id).where(
            DocumentRow.review_id == uow.review_id, DocumentRow.sha256 == digest
        )
    )
    if known is None:
        uow.session.add(
            DocumentRow(
                review_id=uow.review_id,
                sha256=digest,
                media_type=media_type,
                size=len(data),
                file_name=name,
                content=data,
                uploaded_by=uow.actor,
            )
        )
    return digest
