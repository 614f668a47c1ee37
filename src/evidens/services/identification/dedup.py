"""De-duplication of a review's records, living-review safe.

Every run clusters *all* records again with the engine (deterministic and order-invariant),
passing the people's earlier pair decisions so they are never redone. Two things keep
recorded work stable across runs: a cluster's canonical record stays the one that already
carries screening decisions, and clusters a person made are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from evidens.core import Record
from evidens.dedup import Deduplicator, MatchOptions, PairDecision
from evidens.dedup.types import Cluster, DedupResult
from evidens.errors import ConfigError, NotFoundError
from evidens.services.review.records import load_records
from evidens.services.review.settings import review_settings
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.link_models import RecordLinkRow
from evidens.store.mapping import row_to_record
from evidens.store.models import (
    DuplicateClusterRow,
    DuplicatePairDecisionRow,
    ImportBatchRow,
    RecordRow,
    ScreeningDecisionRow,
    utcnow,
)

DEDUP_OPTIONS = tuple(f.name for f in fields(MatchOptions))
"""The review's choices for related reports (``[dedup]`` in review.toml), as the engine names
them (see :class:`evidens.dedup.MatchOptions`); all off by default."""


def dedup_options(raw: object, path: Path | None = None) -> dict[str, bool]:
    """The checked ``[dedup]`` table: only known options, each true or false."""
    if not isinstance(raw, Mapping):
        raise ConfigError("[dedup] must be a table of options", path=path, field="dedup")
    options: dict[str, bool] = {}
    for key, value in raw.items():
        if key not in DEDUP_OPTIONS:
            raise ConfigError(
                f"unknown de-duplication option {key!r}",
                path=path,
                field=f"dedup.{key}",
                hint="known options: " + ", ".join(DEDUP_OPTIONS),
            )
        if not isinstance(value, bool):
            raise ConfigError(
                f"{key} must be true or false, got {value!r}", path=path, field=f"dedup.{key}"
            )
        options[key] = value
    return options


@dataclass(frozen=True)
class DedupSummary:
    records: int
    clusters: int
    duplicates_removed: int
    uncertain_pairs: int
    linked_reports: int = 0


def deduplicate(store: ReviewStore, *, actor: str) -> DedupSummary:
    """Cluster every record of the review; one transaction, audited."""
    with transaction(store, actor) as uow:
        rows = list(
            uow.session.scalars(
                select(RecordRow)
                .where(RecordRow.review_id == store.review_id)
                .order_by(RecordRow.id)
            )
        )
        index = {row.id: i for i, row in enumerate(rows)}
        decided = _person_decisions(uow, index)
        options = dedup_options(review_settings(uow).dedup)
        deduplicator = Deduplicator(**options)
        result = deduplicator.fit([row_to_record(r) for r in rows], decided=decided)
        _replace_clusters(uow, rows, result)
        _queue_uncertain(uow, rows, result)
        _replace_links(uow, rows, result)
        summary = DedupSummary(
            records=len(rows),
            clusters=len(result.clusters),
            duplicates_removed=result.n_removed,
            uncertain_pairs=len(result.uncertain),
            linked_reports=len(result.links),
        )
        uow.audit("deduplicate", "review", store.review_id, after=summary.__dict__)
        return summary


def _person_decisions(uow: UnitOfWork, index: dict[int, int]) -> list[PairDecision]:
    rows = uow.session.scalars(
        select(DuplicatePairDecisionRow).where(
            DuplicatePairDecisionRow.review_id == uow.review_id,
            DuplicatePairDecisionRow.same.is_not(None),
        )
    )
    return [
        PairDecision(index[r.record_a_id], index[r.record_b_id], bool(r.same))
        for r in rows
        if r.record_a_id in index and r.record_b_id in index
    ]


def _replace_clusters(uow: UnitOfWork, rows: Sequence[RecordRow], result: DedupResult) -> None:
    session = uow.session
    screened = set(
        session.scalars(
            select(ScreeningDecisionRow.record_id).where(
                ScreeningDecisionRow.review_id == uow.review_id
            )
        )
    )
    rounds = {
        int(batch): int(number)
        for batch, number in session.execute(
            select(ImportBatchRow.id, ImportBatchRow.round).where(
                ImportBatchRow.review_id == uow.review_id
            )
        )
    }
    wanted: dict[frozenset[int], tuple[Cluster, int]] = {}
    for cluster in result.clusters:
        if len(cluster.members) >= 2:
            canonical = rows[_stable_canonical(cluster, rows, screened, rounds)].id
            wanted[frozenset(rows[i].id for i in cluster.members)] = (cluster, canonical)
    _write_clusters(uow, rows, wanted)


_CHUNK = 900  # ids per UPDATE: well inside SQLite's bound-parameter limit


def _write_clusters(
    uow: UnitOfWork,
    rows: Sequence[RecordRow],
    wanted: Mapping[frozenset[int], tuple[Cluster, int]],
) -> None:
    """Make the stored clusters the ``wanted`` ones, writing only what differs: a cluster
    whose members are unchanged keeps its row (and its id), and only records whose cluster
    changes are updated. Rewriting every record on every run left a dead row version per
    record in PostgreSQL and told every page's cache that the records had changed."""
    session = uow.session
    held: dict[int, set[int]] = {}
    for row in rows:
        if row.cluster_id is not None:
            held.setdefault(row.cluster_id, set()).add(row.id)
    stored = {
        c.id: c
        for c in session.scalars(
            select(DuplicateClusterRow).where(DuplicateClusterRow.review_id == uow.review_id)
        )
    }
    by_members = {frozenset(held.get(cid, ())): cid for cid in stored}
    target: dict[int, int] = {}  # record id -> cluster id, for records in a cluster
    for members, (cluster, canonical) in wanted.items():
        decided_by = "person" if cluster.rule == "manual" else "rule"
        cid = by_members.get(members)
        found = stored.pop(cid) if cid is not None else None
        if found is None:
            found = DuplicateClusterRow(review_id=uow.review_id, canonical_record_id=canonical)
            session.add(found)
        for name, value in (
            ("canonical_record_id", canonical),
            ("decided_by", decided_by),
            ("rule", cluster.rule),
            ("score", cluster.score),
        ):
            if getattr(found, name) != value:
                setattr(found, name, value)
        session.flush()
        target.update(dict.fromkeys(members, found.id))
    moves: dict[int | None, list[int]] = {}
    for row in rows:
        if row.cluster_id != target.get(row.id):
            moves.setdefault(target.get(row.id), []).append(row.id)
            set_committed_value(row, "cluster_id", target.get(row.id))
    for cluster_id, ids in moves.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            session.execute(
                update(RecordRow)
                .where(RecordRow.id.in_(chunk))
                .values(cluster_id=cluster_id)
                .execution_options(synchronize_session=False)
            )
    for gone in stored.values():
        session.delete(gone)


def _replace_links(uow: UnitOfWork, rows: Sequence[RecordRow], result: DedupResult) -> None:
    """The engine's links between related reports, as of this run (each run recomputes all)."""
    uow.session.execute(delete(RecordLinkRow).where(RecordLinkRow.review_id == uow.review_id))
    uow.session.add_all(
        RecordLinkRow(
            review_id=uow.review_id,
            record_id=rows[link.i].id,
            related_id=rows[link.j].id,
            relation=link.relation,
        )
        for link in result.links
    )


@dataclass(frozen=True)
class RelatedReport:
    """``record`` is the ``relation`` of ``related`` ("erratum of the article")."""

    record: int
    relation: str
    related: int


def related_reports(store: ReviewStore, record_id: int | None = None) -> list[RelatedReport]:
    """Links between related reports of the review (of one record, when given), so that
    whoever screens an erratum or a registry entry sees the item it concerns."""
    with transaction(store, "evidens") as uow:
        query = select(RecordLinkRow).where(RecordLinkRow.review_id == uow.review_id)
        if record_id is not None:
            query = query.where(
                or_(RecordLinkRow.record_id == record_id, RecordLinkRow.related_id == record_id)
            )
        rows = uow.session.scalars(
            query.order_by(RecordLinkRow.record_id, RecordLinkRow.related_id)
        )
        return [RelatedReport(r.record_id, r.relation, r.related_id) for r in rows]


def _stable_canonical(
    cluster: Cluster, rows: Sequence[RecordRow], screened: set[int], rounds: dict[int, int]
) -> int:
    """The member already screened (earliest first); else, in a living review, a member of
    the earliest round (a new search's copy of an earlier record never replaces it); else
    the engine's most complete one."""
    with_decisions = [i for i in cluster.members if rows[i].id in screened]
    if with_decisions:
        return min(with_decisions, key=lambda i: rows[i].id)
    first = min(rounds.get(rows[i].batch_id, 1) for i in cluster.members)
    if rounds.get(rows[cluster.canonical].batch_id, 1) == first:
        return cluster.canonical
    return min(
        (i for i in cluster.members if rounds.get(rows[i].batch_id, 1) == first),
        key=lambda i: rows[i].id,
    )


def _queue_uncertain(uow: UnitOfWork, rows: Sequence[RecordRow], result: DedupResult) -> None:
    existing = {
        (r.record_a_id, r.record_b_id)
        for r in uow.session.scalars(
            select(DuplicatePairDecisionRow).where(
                DuplicatePairDecisionRow.review_id == uow.review_id
            )
        )
    }
    for pair in result.uncertain:
        a, b = sorted((rows[pair.i].id, rows[pair.j].id))
        if (a, b) not in existing:
            uow.session.add(
                DuplicatePairDecisionRow(
                    review_id=uow.review_id, record_a_id=a, record_b_id=b, score=pair.score
                )
            )


@dataclass(frozen=True)
class PairChecks:
    """What people did with the pairs de-duplication could not settle alone."""

    checked: int  # pairs a person judged (same report or not)
    unchecked: int  # uncertain pairs still waiting: kept as separate records


def pair_checks(store: ReviewStore) -> PairChecks:
    """How many candidate pairs a person has judged, and how many still wait."""
    with transaction(store, "evidens") as uow:
        rows = uow.session.scalars(
            select(DuplicatePairDecisionRow.same).where(
                DuplicatePairDecisionRow.review_id == uow.review_id
            )
        ).all()
    return PairChecks(sum(v is not None for v in rows), sum(v is None for v in rows))


def decide_pair(
    store: ReviewStore, record_a: int, record_b: int, *, same: bool, actor: str
) -> None:
    """A person's verdict on a queued pair; re-run :func:`deduplicate` to apply it."""
    a, b = sorted((record_a, record_b))
    with transaction(store, actor) as uow:
        row = uow.session.scalar(
            select(DuplicatePairDecisionRow).where(
                DuplicatePairDecisionRow.review_id == store.review_id,
                DuplicatePairDecisionRow.record_a_id == a,
                DuplicatePairDecisionRow.record_b_id == b,
            )
        )
        if row is None:
            for record_id in (a, b):
                found = uow.session.get(RecordRow, record_id)
                if found is None or found.review_id != store.review_id:
                    raise NotFoundError(f"no record {record_id} in this review")
            row = DuplicatePairDecisionRow(review_id=store.review_id, record_a_id=a, record_b_id=b)
            uow.session.add(row)
        before = {"same": row.same, "person": row.person}
        row.same, row.person = same, actor
        row.decided_at = utcnow()
        uow.audit(
            "decide_pair",
            "duplicate_pair",
            f"{a}-{b}",
            before=before,
            after={"same": same, "person": actor},
        )


@dataclass(frozen=True)
class QueuedPair:
    """An uncertain pair waiting for a person, with both records side by side."""

    record_a: int
    record_b: int
    score: float | None
    a: Record
    b: Record


def pending_pairs(store: ReviewStore) -> list[QueuedPair]:
    """Uncertain pairs no person has decided yet, most similar first."""
    with transaction(store, "evidens") as uow:
        rows = list(
            uow.session.scalars(
                select(DuplicatePairDecisionRow).where(
                    DuplicatePairDecisionRow.review_id == store.review_id,
                    DuplicatePairDecisionRow.same.is_(None),
                )
            )
        )
        ids = {i for r in rows for i in (r.record_a_id, r.record_b_id)}
        records = load_records(uow.session, sorted(ids))
    rows.sort(key=lambda r: (-(r.score or 0.0), r.record_a_id, r.record_b_id))
    return [
        QueuedPair(
            r.record_a_id, r.record_b_id, r.score, records[r.record_a_id], records[r.record_b_id]
        )
        for r in rows
    ]
