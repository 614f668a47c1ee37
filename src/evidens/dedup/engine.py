"""The de-duplication engine: prepare, block, compare, cluster - deterministic end to end.

The same records in any order give the same clusters, and running the engine again with
its own output as earlier decisions changes nothing, so a living review can re-run it after
every import without undoing what a person decided.
"""

from __future__ import annotations

from collections.abc import Sequence

from evidens.core import Record
from evidens.dedup.blocking import MAX_BLOCK, candidate_pairs
from evidens.dedup.cluster import Clustering, merge_all
from evidens.dedup.compare import MatchOptions, compare
from evidens.dedup.evidence import TITLE_CLOSE, title_similarity
from evidens.dedup.prepared import Prepared, mark_shared_dois, prepare
from evidens.dedup.types import (
    CandidatePair,
    Cluster,
    DedupResult,
    Link,
    PairDecision,
    PairVerdict,
    RecordDecision,
)
from evidens.errors import ValidationError


class Deduplicator:
    """Groups records that are one article; ``fit`` returns clusters, a queue and links.

    ``preprints_same``: merge a preprint with its journal version (default: keep both, linked).
    ``notices_same``: merge errata and replies into the item they concern (default: linked).
    ``abstracts_same``: merge a meeting abstract with its full paper (default: kept apart).
    ``max_block``: blocks up to this size are compared all-pairs (larger: sorted window).
    """

    def __init__(
        self,
        *,
        preprints_same: bool = False,
        notices_same: bool = False,
        abstracts_same: bool = False,
        max_block: int = MAX_BLOCK,
    ) -> None:
        if max_block < 2:
            raise ValidationError(
                f"max_block must be at least 2, got {max_block}",
                field="max_block",
                hint="use the default (40) unless blocks are known to be tiny",
            )
        self.options = MatchOptions(
            preprints_same=preprints_same,
            notices_same=notices_same,
            abstracts_same=abstracts_same,
        )
        self.max_block = max_block

    def fit(
        self, records: Sequence[Record], *, decided: Sequence[PairDecision] = ()
    ) -> DedupResult:
        """De-duplicate ``records``, keeping every decision in ``decided``."""
        _check_decided(decided, len(records))
        prepared = mark_shared_dois([prepare(r) for r in records])
        order = sorted(range(len(records)), key=lambda i: (prepared[i].sort_key, i))
        rank = [0] * len(records)
        for position, index in enumerate(order):
            rank[index] = position
        verdicts: dict[tuple[int, int], PairVerdict] = {}

        def judge(i: int, j: int) -> PairVerdict:
            key = (i, j) if i < j else (j, i)
            found = verdicts.get(key)
            if found is None:
                found = compare(prepared[key[0]], prepared[key[1]], self.options)
                verdicts[key] = found
            return found

        for i, j in sorted(candidate_pairs(prepared, rank, max_block=self.max_block)):
            judge(i, j)
        manual = {(min(d.i, d.j), max(d.i, d.j)): d.same for d in decided}
        clustering = Clustering(len(records), judge, {k for k, same in manual.items() if not same})
        for (i, j), same in sorted(manual.items()):
            if same:
                clustering.union(i, j, "manual", 1.0, check=False)
        duplicates = [(i, j, v) for (i, j), v in verdicts.items() if v.outcome == "duplicate"]
        merge_all(clustering, duplicates, rank)
        return _result(clustering, prepared, verdicts, manual, rank)


def _check_decided(decided: Sequence[PairDecision], n: int) -> None:
    for number, d in enumerate(decided, start=1):
        if not (0 <= d.i < n and 0 <= d.j < n) or d.i == d.j:
            raise ValidationError(
                f"decision {number} names records {d.i} and {d.j}, but there are {n} records",
                field="decided",
                hint="indices are positions in the records passed to fit(), two different ones",
            )


def _result(
    clustering: Clustering,
    prepared: Sequence[Prepared],
    verdicts: dict[tuple[int, int], PairVerdict],
    manual: dict[tuple[int, int], bool],
    rank: Sequence[int],
) -> DedupResult:
    groups = clustering.clusters()
    cluster_of = [0] * len(prepared)
    clusters = []
    for position, group in enumerate(groups):
        for member in group.members:
            cluster_of[member] = position
        canonical = max(group.members, key=lambda m: _keep_order(prepared[m], rank[m]))
        single = len(group.members) == 1
        clusters.append(
            Cluster(
                members=tuple(group.members),
                canonical=canonical,
                rule="unique" if single else group.rule,
                score=0.0 if single else group.score,
            )
        )
    uncertain = _queue(verdicts, manual, cluster_of, rank)
    scores = [c.score for c in (clusters[k] for k in cluster_of)]
    decisions: list[RecordDecision] = [
        "auto" if len(clusters[k].members) > 1 else "unique" for k in cluster_of
    ]
    for pair in uncertain:
        for index in (pair.i, pair.j):
            decisions[index] = "uncertain"
            scores[index] = max(scores[index], pair.score)
    return DedupResult(
        clusters=tuple(clusters),
        uncertain=uncertain,
        links=_links(prepared, verdicts),
        decisions=tuple(decisions),
        cluster_of=tuple(cluster_of),
        scores=tuple(scores),
    )


def _keep_order(p: Prepared, rank: int) -> tuple[bool, int, int]:
    """The record kept for screening: an article before a notice merged into it, then the
    most complete, then the first by content."""
    return (not (p.erratum or p.reply), p.completeness, -rank)


def _queue(
    verdicts: dict[tuple[int, int], PairVerdict],
    manual: dict[tuple[int, int], bool],
    cluster_of: Sequence[int],
    rank: Sequence[int],
) -> tuple[CandidatePair, ...]:
    """Uncertain pairs left across clusters, the strongest one per pair of clusters."""
    best: dict[tuple[int, int], tuple[float, int, int, int, PairVerdict]] = {}
    for (i, j), verdict in verdicts.items():
        if verdict.outcome != "uncertain" or (i, j) in manual:
            continue
        a, b = cluster_of[i], cluster_of[j]
        if a == b:
            continue
        key = (min(a, b), max(a, b))
        entry = (verdict.score, -min(rank[i], rank[j]), i, j, verdict)
        if key not in best or entry[:2] > best[key][:2]:
            best[key] = entry
    pairs = [CandidatePair(i, j, v.score, (v.rule, *v.reasons)) for _, _, i, j, v in best.values()]
    return tuple(sorted(pairs, key=lambda p: (p.i, p.j)))


def _links(
    prepared: Sequence[Prepared], verdicts: dict[tuple[int, int], PairVerdict]
) -> tuple[Link, ...]:
    """Registry entries, preprints, errata and replies tied to their item: related, not merged."""
    links = []
    for (i, j), verdict in sorted((k, v) for k, v in verdicts.items() if v.rule in _RELATED):
        a, b = prepared[i], prepared[j]
        if verdict.rule == "registry entry vs publication" and not a.trial_ids & b.trial_ids:
            continue
        if verdict.rule != "registry entry vs publication" and not _titles_match(a, b):
            continue
        first, second = (j, i) if _is_item(a, verdict.rule) else (i, j)
        links.append(Link(first, second, _RELATED[verdict.rule]))
    return tuple(links)


def _is_item(p: Prepared, rule: str) -> bool:
    """Whether ``p`` is the item the other record is about (the publication, the article),
    so that a link always reads "<i> is the <relation> <j>"."""
    if rule == "registry entry vs publication":
        return not p.registry
    if rule == "preprint vs published":
        return not p.preprint
    return not (p.erratum or p.reply)


_RELATED = {
    "registry entry vs publication": "registry entry of the publication",
    "preprint vs published": "preprint of the publication",
    "erratum vs article": "erratum of the article",
    "reply vs article": "reply to the item",
}


def _titles_match(a: Prepared, b: Prepared) -> bool:
    """Titles alike enough that one record is about the other ("Erratum: <title>")."""
    similarity = title_similarity(a.title, b.title)
    return similarity is not None and similarity >= TITLE_CLOSE
