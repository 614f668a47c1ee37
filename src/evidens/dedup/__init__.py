"""Finding duplicate records across sources: normalisation, blocking, pairwise scoring and
clustering.

``Deduplicator().fit(records)`` returns a :class:`DedupResult`: one :class:`Cluster` per
article (singletons included), the uncertain pairs a person must resolve, and links between
records of one study that are not merged (registry entry and publication, preprint and
journal version, erratum and article, reply and letter; the options ``preprints_same``,
``notices_same`` and ``abstracts_same`` merge some of these for a review that wants them
counted as one). Pure: records in, frozen results out, no I/O.
"""

from evidens.dedup.compare import MatchOptions, compare
from evidens.dedup.engine import Deduplicator
from evidens.dedup.prepared import Prepared, prepare
from evidens.dedup.provenance import MergedRecord, merge_provenance
from evidens.dedup.types import (
    CandidatePair,
    Cluster,
    DedupResult,
    Link,
    Outcome,
    PairDecision,
    PairVerdict,
    RecordDecision,
)

__all__ = [
    "CandidatePair",
    "Cluster",
    "DedupResult",
    "Deduplicator",
    "Link",
    "MatchOptions",
    "MergedRecord",
    "Outcome",
    "PairDecision",
    "PairVerdict",
    "Prepared",
    "RecordDecision",
    "compare",
    "merge_provenance",
    "prepare",
]
