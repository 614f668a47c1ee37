"""Queries on a review's records shared by several services: canonical records, keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from evidens.core import Record, doi_key
from evidens.errors import NotFoundError
from evidens.store.mapping import row_to_record
from evidens.store.models import DuplicateClusterRow, ImportBatchRow, RecordRow


def canonical_ids(session: Session, review_id: int) -> list[int]:
    """Ids of the records screening sees: singletons and each cluster's canonical record."""
    cluster = aliased(DuplicateClusterRow)
    query = (
        select(RecordRow.id)
        .outerjoin(cluster, RecordRow.cluster_id == cluster.id)
        .where(
            RecordRow.review_id == review_id,
            or_(RecordRow.cluster_id.is_(None), cluster.canonical_record_id == RecordRow.id),
        )
        .order_by(RecordRow.id)
    )
    return list(session.scalars(query))


def canonical_of(session: Session, row: RecordRow) -> int:
    if row.cluster_id is None:
        return row.id
    cluster = session.get(DuplicateClusterRow, row.cluster_id)
    return row.id if cluster is None else cluster.canonical_record_id


def find_record(session: Session, review_id: int, key: str, *, where: str = "") -> RecordRow:
    """The record a decision log names: ``pmid:N``, ``doi:10.x/y``, ``id:N`` or
    ``FILE#N`` (the N-th record of an imported file)."""
    kind, _, value = key.strip().partition(":")
    base = select(RecordRow).where(RecordRow.review_id == review_id)
    if "#" in key and kind not in {"doi", "pmid", "id"}:
        file_name, _, ordinal = key.strip().rpartition("#")
        query = base.join(ImportBatchRow, RecordRow.batch_id == ImportBatchRow.id).where(
            ImportBatchRow.file_name == file_name,
            RecordRow.ordinal == (int(ordinal) if ordinal.isdigit() else -1),
        )
    elif kind == "pmid":
        query = base.where(RecordRow.pmid == value.strip())
    elif kind == "doi":
        query = base.where(RecordRow.doi_key == doi_key(value))
    elif kind == "id" and value.strip().isdigit():
        query = base.where(RecordRow.id == int(value))
    else:
        raise NotFoundError(
            f"{where}record key {key!r} is not understood",
            hint="use pmid:N, doi:10.x/y, id:N or FILE#N",
        )
    row = session.scalars(query.order_by(RecordRow.id).limit(1)).first()
    if row is None:
        raise NotFoundError(f"{where}no record matches {key!r}", hint="check the key")
    return row


IN_CHUNK = 10_000
"""Ids per IN (...) list: PostgreSQL takes at most 65,535 bound parameters per statement."""


def load_records(session: Session, ids: Sequence[int]) -> dict[int, Record]:
    wanted = list(ids)
    records: dict[int, Record] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        rows = session.scalars(select(RecordRow).where(RecordRow.id.in_(chunk)))
        records.update((row.id, row_to_record(row)) for row in rows)
    return records
