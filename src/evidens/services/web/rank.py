"""Training the web queue's ranking, inline for a small review or in a separate,
low-priority Python process for a large one.

The rule is :func:`evidens.services.screening.prioritise.rank`'s (train on final decisions
only, rank the rest); this reads less for it: the final labels first (early in a review the
work stops there), then only each record's title and abstract, not whole records, which on a
100,000-record review is most of the work.

The separate process is a fresh interpreter that lowers its own priority before importing
anything: a process started by :mod:`multiprocessing` re-imports the server's main module
(the whole command line, seconds of CPU) at full priority, which reviewers then wait
behind. It is told the store on its standard input (a PostgreSQL URL may carry a password,
which a command line would show to every user of the machine) and answers in JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from evidens.core import Decision, Stage
from evidens.errors import EvidensError
from evidens.screening.ranking import rank_records, record_text
from evidens.services.screening.decisions import stage_statuses
from evidens.services.screening.prioritise import CANDIDATE_TERMS, informative_terms
from evidens.services.store import ReviewStore, open_review, transaction
from evidens.store.models import DuplicateClusterRow, RecordRow

RANKED_HEAD = 2_000  # ranked records kept (with their terms) per review
CHILD_SECONDS = 600.0  # a ranking that takes longer is abandoned (the queue stays random)
_CHILD = (
    "import os; os.nice(10); from evidens.services.web.rank import answer_stdin; answer_stdin()"
)


@dataclass(frozen=True)
class Ranked:
    """A review's ranking: ids best first, with the score and top terms of each."""

    made_at: float
    ids: tuple[int, ...]
    why: dict[int, tuple[float, tuple[str, ...]]] = field(default_factory=dict)


def canonical_query(review_id: int) -> Select[Any]:
    """Ids of a review's canonical records (singletons and each cluster's kept record)."""
    cluster = aliased(DuplicateClusterRow)
    return (
        select(RecordRow.id)
        .outerjoin(cluster, RecordRow.cluster_id == cluster.id)
        .where(
            RecordRow.review_id == review_id,
            RecordRow.cluster_id.is_(None) | (cluster.canonical_record_id == RecordRow.id),
        )
        .order_by(RecordRow.id)
    )


def ranked(store: ReviewStore) -> Ranked:
    """Train on the final decisions and keep the head of the ranking (empty when there is
    not yet one included and one excluded record)."""
    with transaction(store, "evidens") as uow:
        labels = {
            rid: status.final is not Decision.EXCLUDE
            for rid, status in stage_statuses(uow, Stage.TITLE_ABSTRACT).items()
            if status.final is not None
        }
        if not any(labels.values()) or all(labels.values()):
            return Ranked(time.monotonic(), ())
        query = canonical_query(store.review_id).add_columns(RecordRow.title, RecordRow.abstract)
        rows = uow.session.execute(query).all()
    ids = [int(r[0]) for r in rows]
    texts = [record_text(r[1] or "", r[2] or "") for r in rows]
    row = {rid: i for i, rid in enumerate(ids)}
    decided = {row[r]: v for r, v in labels.items() if r in row}
    try:
        found = rank_records(texts, decided, limit=RANKED_HEAD, top_terms=CANDIDATE_TERMS)
    except EvidensError:  # e.g. too few records to fit a model: no ranking yet
        return Ranked(time.monotonic(), ())
    return Ranked(
        time.monotonic(),
        tuple(ids[r.row] for r in found),
        {ids[r.row]: (r.score, informative_terms(t for t, _ in r.top_terms)) for r in found},
    )


def ranked_elsewhere(location: str, slug: str) -> Ranked:
    """:func:`ranked` computed by a low-priority child process on the same store; raises
    (``CalledProcessError``, ``TimeoutExpired``) when it fails."""
    done = subprocess.run(  # noqa: S603 - this interpreter and fixed code, no shell
        [sys.executable, "-c", _CHILD],
        input=json.dumps({"location": location, "slug": slug}),
        capture_output=True,
        text=True,
        check=True,
        timeout=CHILD_SECONDS,
    )
    data = json.loads(done.stdout)
    why = {int(i): (float(score), tuple(str(t) for t in terms)) for i, score, terms in data["why"]}
    return Ranked(time.monotonic(), tuple(int(i) for i in data["ids"]), why)


def answer_stdin() -> None:
    """The child's side: read the store from standard input, write the ranking as JSON."""
    asked = json.loads(sys.stdin.read())
    store = open_review(asked["location"], asked["slug"])
    try:
        result = ranked(store)
    finally:
        store.dispose()
    why = [[i, score, list(terms)] for i, (score, terms) in result.why.items()]
    json.dump({"ids": list(result.ids), "why": why}, sys.stdout)
