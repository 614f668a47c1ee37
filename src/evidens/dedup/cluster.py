"""Clustering that cannot chain two different articles together through a third record.

Single-linkage (union of every duplicate pair) merges A and C when A~B and B~C, even when
A and C are plainly different articles - B being, say, a record without pages. Here two
clusters merge only if every pair across them is itself a duplicate (complete linkage: an
uncertain cross pair is a question for a person, not something to settle by transitivity)
and no person has said they differ; pairs are taken strongest first, ties broken by
content, so the result does not depend on input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from evidens.dedup.types import PairVerdict

Compare = Callable[[int, int], PairVerdict]


@dataclass
class _Group:
    members: list[int]
    rule: str = ""
    score: float = 1.0


@dataclass
class Clustering:
    """Union-find over record indices with cannot-link constraints and cross-pair checks."""

    n: int
    compare: Compare
    cannot: set[tuple[int, int]] = field(default_factory=set)
    parent: list[int] = field(init=False)
    groups: dict[int, _Group] = field(init=False)

    def __post_init__(self) -> None:
        self.parent = list(range(self.n))
        self.groups = {i: _Group([i]) for i in range(self.n)}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def compatible(self, a: int, b: int) -> bool:
        """Whether every record of cluster ``a`` is a duplicate of every record of ``b``."""
        for x in self.groups[a].members:
            for y in self.groups[b].members:
                if (min(x, y), max(x, y)) in self.cannot:
                    return False
                if self.compare(x, y).outcome != "duplicate":
                    return False
        return True

    def union(self, i: int, j: int, rule: str, score: float, *, check: bool = True) -> bool:
        """Merge the clusters of ``i`` and ``j`` unless a cross pair forbids it."""
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        if check and not self.compatible(a, b):
            return False
        keep, gone = (a, b) if a < b else (b, a)
        self.parent[gone] = keep
        merged, other = self.groups[keep], self.groups.pop(gone)
        merged.members.extend(other.members)
        named = [(g.score, g.rule) for g in (merged, other) if g.rule] or [(score, rule)]
        merged.rule = max(named)[1]
        merged.score = min(merged.score, other.score, score)
        return True

    def clusters(self) -> list[_Group]:
        """Every group, members sorted, in order of their smallest member."""
        out = []
        for group in self.groups.values():
            group.members.sort()
            out.append(group)
        return sorted(out, key=lambda g: g.members[0])


def merge_all(
    clustering: Clustering,
    duplicates: Iterable[tuple[int, int, PairVerdict]],
    rank: Sequence[int],
) -> None:
    """Merge duplicate pairs strongest first; ties go by content rank, not input position."""

    def order(item: tuple[int, int, PairVerdict]) -> tuple[float, int, int]:
        i, j, verdict = item
        lo, hi = sorted((rank[i], rank[j]))
        return (-verdict.score, lo, hi)

    for i, j, verdict in sorted(duplicates, key=order):
        clustering.union(i, j, verdict.rule, verdict.score)
