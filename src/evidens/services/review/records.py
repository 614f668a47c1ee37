"""Queries on a review's records shared by several services: canonical records, keys."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, any_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from evidens.core import Record, doi_key
from evidens.core.keys import keys_of, parse_key
from evidens.errors import NotFoundError, ValidationError
from evidens.services.store import ReviewStore, database_key, read_once, transaction
from evidens.store.mapping import row_to_record
from evidens.store.models import DuplicateClusterRow, ImportBatchRow, RecordRow


def canonical_select(review_id: int) -> Select[int]:
    """The query of :func:`canonical_ids`, to filter on inside the database (a subquery
    rather than an ``IN`` list of every id of a large review)."""
    cluster = aliased(DuplicateClusterRow)
    return (
        select(RecordRow.id)
        .outerjoin(cluster, RecordRow.cluster_id == cluster.id)
        .where(
            RecordRow.review_id == review_id,
            or_(RecordRow.cluster_id.is_(None), cluster.canonical_record_id == RecordRow.id),
        )
    )


_CANONICAL: dict[tuple[str, int], tuple[tuple[Any, ...], list[int]]] = {}
_LOCK = threading.Lock()


def canonical_ids(session: Session, review_id: int) -> list[int]:
    """Ids of the records screening sees: singletons and each cluster's canonical record.

    Most pages need them, and reading 50,000 ids cost about 60 ms, so each server process
    keeps them until the review's records or duplicate clusters change, as told by their
    counts, greatest ids and the sums of their cluster links (two aggregate queries, about
    7 ms): records are added or removed, never edited in place, and de-duplication
    creates, removes or re-points clusters. Within one transaction they are worked out
    once (:func:`read_once`)."""
    return list(read_once(session, ("canonical", review_id), lambda: _held(session, review_id)))


def records_mark(session: Session, review_id: int) -> tuple[Any, ...]:
    """What tells whether the review's records or duplicate clusters changed: their
    counts, greatest ids and the sums of the cluster links, read once per transaction."""
    return read_once(session, ("records-mark", review_id), lambda: _fingerprint(session, review_id))


def _held(session: Session, review_id: int) -> list[int]:
    key = (database_key(session), review_id)
    mark = records_mark(session, review_id)
    with _LOCK:
        held = _CANONICAL.get(key)
    if held is not None and held[0] == mark:
        return held[1]  # never changed in place: callers get copies
    ids = list(session.scalars(canonical_select(review_id).order_by(RecordRow.id)))
    with _LOCK:
        _CANONICAL[key] = (mark, ids)
    return ids


def _fingerprint(session: Session, review_id: int) -> tuple[Any, ...]:
    cluster = DuplicateClusterRow
    records = session.execute(
        select(
            func.count(RecordRow.id),
            func.max(RecordRow.id),
            func.count(RecordRow.cluster_id),
            func.sum(RecordRow.cluster_id),
        ).where(RecordRow.review_id == review_id)
    ).one()
    groups = session.execute(
        select(
            func.count(cluster.id), func.max(cluster.id), func.sum(cluster.canonical_record_id)
        ).where(cluster.review_id == review_id)
    ).one()
    return (*records, *groups)


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


def among(
    session: Session, column: InstrumentedAttribute[int], ids: Collection[int]
) -> ColumnElement[bool]:
    """``column IN ids``, sent to PostgreSQL as one array parameter (``= ANY(...)``).

    An ``IN`` list is a bound parameter per id, and PostgreSQL parses and plans each: the
    full-text queue's look-up among 2,700 records took 38 ms as a list and 15 ms as an
    array. SQLite, in the same process, gets the plain list (at most :data:`IN_CHUNK`)."""
    wanted = [int(i) for i in ids]
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(wanted, ARRAY(Integer)))
    return column.in_(wanted)


def load_records(session: Session, ids: Sequence[int]) -> dict[int, Record]:
    wanted = list(ids)
    records: dict[int, Record] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        rows = session.scalars(select(RecordRow).where(RecordRow.id.in_(chunk)))
        records.update((row.id, row_to_record(row)) for row in rows)
    return records


class RecordKeys:
    """Every key each record of a review answers to (:func:`evidens.core.keys.keys_of`),
    mapped to the canonical record of its duplicate cluster: built once, then a review
    folder's thousands of keys are looked up without a query each. A key that two
    different canonical records answer to is ambiguous and refused, never guessed."""

    def __init__(self, session: Session, review_id: int) -> None:
        clustered = (
            select(RecordRow.id, DuplicateClusterRow.canonical_record_id)
            .join(DuplicateClusterRow, RecordRow.cluster_id == DuplicateClusterRow.id)
            .where(RecordRow.review_id == review_id)
        )
        canonical: dict[int, int] = {int(a): int(b) for a, b in session.execute(clustered)}
        self.index: dict[str, set[int]] = {}
        rows = session.execute(
            select(RecordRow, ImportBatchRow.file_name)
            .join(ImportBatchRow, RecordRow.batch_id == ImportBatchRow.id)
            .where(RecordRow.review_id == review_id)
        )
        for row, file_name in rows:
            target = canonical.get(row.id, row.id)
            for key in keys_of(row_to_record(row)):
                self.index.setdefault(str(key), set()).add(target)
            self.index.setdefault(f"{file_name}#{row.ordinal}", set()).add(target)
            base = PurePosixPath(file_name).name  # an export named by its path answers to
            if base != file_name:  # its file's name too, as a store's own imports are named
                self.index.setdefault(f"{base}#{row.ordinal}", set()).add(target)

    def resolve(self, text: str) -> int:
        """The canonical record ``text`` names; an error saying why when it names none or
        several (raised as :class:`ValidationError`; callers add file:line)."""
        key = str(parse_key(text))
        found = self.index.get(key, set())
        if not found and "/" in key:  # FILE#N naming the export by a path: try its file name
            name, _, ordinal = key.rpartition("#")
            found = self.index.get(f"{PurePosixPath(name).name}#{ordinal}", set())
        if not found:
            raise ValidationError(
                f"no record matches {text.strip()!r}",
                hint="check the key against `evidens export records.csv` (its key column)",
            )
        if len(found) > 1:
            shown = ", ".join(str(i) for i in sorted(found)[:5])
            raise ValidationError(
                f"{text.strip()!r} matches {len(found)} different records (store ids {shown})",
                hint="name the record by a more specific key, e.g. its fp: fingerprint",
            )
        return next(iter(found))

    def key_for(self, record: Record) -> str:
        """The first of ``record``'s keys that names it alone: what a folder writes."""
        keys = [str(k) for k in keys_of(record)]
        return next((k for k in keys if len(self.index.get(k, ())) == 1), keys[-1])


def record_id_of(store: ReviewStore, ref: str) -> int:
    """A record named on the command line: its store id (digits, as `evidens status` and
    `evidens export` list them) or any key it answers to (``pmid:...``, ``doi:...``, a trial
    registry id, ``FILE#N``), so a person can name records as their logs do."""
    text = ref.strip()
    if text.isdigit():
        return int(text)
    with transaction(store, "evidens") as uow:
        return RecordKeys(uow.session, uow.review_id).resolve(text)
