"""Result types of de-duplication: frozen, so a result can be stored, compared and replayed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["duplicate", "uncertain", "distinct"]
"""What the engine concluded about one pair of records."""

RecordDecision = Literal["auto", "uncertain", "unique"]
"""Per record: "uncertain" if it is in an open pair of the review queue (whether or not it
was also merged), else "auto" if it was merged with others, else "unique"."""


@dataclass(frozen=True)
class PairVerdict:
    """The comparison of two records: outcome, a 0-1 similarity, the rule and the evidence.

    ``rule`` names what decided a duplicate ("doi", "pmid", "title+authors+year", ...) or
    what ruled it out ("erratum vs article", ...); ``reasons`` lists the field-level
    agreements and differences a person needs to resolve an uncertain pair.
    """

    outcome: Outcome
    score: float
    rule: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairDecision:
    """A person's earlier decision about two records (indices into the input), to be kept.

    In a living review the same records are de-duplicated again after each new import;
    ``same=False`` keeps two records apart and ``same=True`` keeps them together whatever
    the engine would say now.
    """

    i: int
    j: int
    same: bool


@dataclass(frozen=True)
class CandidatePair:
    """A pair the engine could not decide: it goes to the human review queue."""

    i: int
    j: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """Two records about the same study that must stay apart: record ``i`` is the registry
    entry, preprint, erratum or reply, and ``relation`` says what it is of record ``j``."""

    i: int
    j: int
    relation: str


@dataclass(frozen=True)
class Cluster:
    """Records that are one article: ``canonical`` is the most complete, kept for screening."""

    members: tuple[int, ...]
    canonical: int
    rule: str
    """What merged it ("doi", "title+authors+year", "manual", ...); "unique" for a singleton."""
    score: float
    """The weakest merging pair's similarity (0-1); 0 for a singleton."""


@dataclass(frozen=True)
class DedupResult:
    """Every input record sits in exactly one cluster (singletons included), sorted by members."""

    clusters: tuple[Cluster, ...]
    uncertain: tuple[CandidatePair, ...]
    """The review queue: the strongest open pair between any two clusters, by index."""
    links: tuple[Link, ...]
    decisions: tuple[RecordDecision, ...]
    """Per input record, in input order."""
    cluster_of: tuple[int, ...]
    """Per input record, the position of its cluster in ``clusters``."""
    scores: tuple[float, ...]
    """Per input record: its cluster's score, or its best uncertain pair's, or 0."""

    @property
    def n_removed(self) -> int:
        """Records that are duplicates of a kept (canonical) record."""
        return sum(len(c.members) - 1 for c in self.clusters)
