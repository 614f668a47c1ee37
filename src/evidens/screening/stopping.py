"""When to stop prioritised screening, and a report you can put in the methods section.

This module holds the report every rule returns, the hypergeometric test and the two simple
heuristics. The other published rules live beside it: :mod:`.stopping_curves` (knee method,
counting-process estimate), :mod:`.stopping_sampled` (target method, random-sample estimate,
SAFE); :mod:`.stopping_rules` names them, picks the default and replays them over a run.

* **Hypergeometric test** (Callaghan & Müller-Hansen 2020, Syst Rev 9:273). H0: recall is
  below the target. If it were, the urn formed by the last n screened records and all
  unscreened ones would hold at least K = k_n + ⌊r·(1−τ)/τ⌋ + 1 relevant records (r relevant
  found so far, k_n of them among the last n). Drawing n records from that urn and finding
  only k_n relevant has probability P(X ≤ k_n), X ~ Hypergeometric(urn, K, n). We stop when
  the smallest such p over n is below 1 − confidence. Treating the last n records as a random
  sample is conservative when the ranking puts relevant records first; with
  ``sample_start`` only records screened in a truly random sample are used (strict form).
* **Heuristics**, stated as such: n consecutive irrelevant records, and a SAFE-style
  conjunction (Boetje & van de Schoot 2024: a minimum share screened, at least twice the
  expected number of relevant records, and a run of consecutive irrelevant records).

Unscreened records become PRISMA's "excluded by automation tools" only when the reviewers
accept the stop; this module only reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln
from scipy.stats import hypergeom

from evidens.errors import ValidationError

LIVE_ORDER = (
    "in the order in which each record received its first screening decision; the stopping "
    "rule read final decisions only (agreed by two reviewers or resolved)"
)
"""How a review's own screening order is described when nothing more is known of it."""


@dataclass(frozen=True)
class StoppingReport:
    """The outcome of one stopping rule at the current point of screening.

    ``recall_estimate`` and ``recall_low`` are None for heuristics, which make no probability
    statement; ``recall_low`` is a one-sided lower confidence bound at ``confidence``.
    ``remaining_estimate`` / ``remaining_high`` are the rule's estimate of relevant records
    not yet found and its one-sided upper bound, where the rule makes one. ``assumptions``
    says in one or two sentences what must hold for the rule's claim to be true.
    ``records_screened`` counts every record screened, a random sample included
    (``sample_screened`` of them).
    """

    rule: str
    stop: bool
    records_screened: int
    records_total: int
    relevant_found: int
    target_recall: float | None
    confidence: float | None
    p_value: float | None
    recall_estimate: float | None
    recall_low: float | None
    detail: str
    assumptions: str = ""
    remaining_estimate: float | None = None
    remaining_high: int | None = None
    sample_screened: int = 0

    @property
    def verdict(self) -> str:
        """One verdict, never two: either screening may stop or it goes on."""
        return "may stop" if self.stop else "keep screening"

    def methods_text(self, order: str = LIVE_ORDER) -> str:
        """One paragraph for the methods section: how records were ordered, the rule and
        what must hold for it, where screening stood, the estimate and the verdict.

        ``order`` says how records were ordered ("by a machine-learning ranking ...").
        """
        share = 100 * self.records_screened / self.records_total if self.records_total else 0
        sample = (
            f", including a uniform random sample of {self.sample_screened} records"
            if self.sample_screened
            else ""
        )
        text = (
            f"Records were screened {order}. Stopping rule: {self.rule}. "
            + (f"Assumptions: {self.assumptions} " if self.assumptions else "")
            + f"When the rule was evaluated, {self.records_screened} of {self.records_total} "
            f"records ({share:.1f}%) had been screened{sample}; {self.relevant_found} were "
            f"relevant. {self.detail}"
        )
        level = f"{100 * (self.confidence or 0):.0f}%"
        if self.recall_estimate is not None and self.recall_low is not None:
            text += (
                f" Estimated recall {self.recall_estimate:.3f} (one-sided {level} lower bound "
                f"{self.recall_low:.3f})."
            )
        if self.remaining_estimate is not None and self.remaining_high is not None:
            text += (
                f" Estimated relevant records not yet found: {self.remaining_estimate:.1f} "
                f"(one-sided {level} upper bound {self.remaining_high})."
            )
        if self.stop:
            return text + " The criterion was met, so screening may stop."
        return text + " The criterion was not met, so screening continues."


def _check_labels(labels: Sequence[int], total: int) -> np.ndarray:
    y = np.asarray(labels, dtype=np.int64)
    if len(y) > total:
        raise ValidationError(
            f"{len(y)} screened records but only {total} in total", field="records_total"
        )
    if y.size and not np.isin(y, (0, 1)).all():
        raise ValidationError("screening labels must be 0 or 1", field="labels")
    return y


def _log_choose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    inside = (b >= 0) & (b <= a)
    safe_a, safe_b = np.where(inside, a, 0), np.where(inside, b, 0)
    value = gammaln(safe_a + 1) - gammaln(safe_b + 1) - gammaln(safe_a - safe_b + 1)
    return np.where(inside, value, -np.inf)


def hypergeometric_cdf(
    k: ArrayLike, urn: ArrayLike, relevant: ArrayLike, draws: ArrayLike
) -> np.ndarray:
    """P(X <= k) for X ~ Hypergeometric(urn, relevant, draws), element-wise, as a sum of
    probabilities from log-gamma terms: the same values as ``scipy.stats.hypergeom.cdf``
    (to about 1e-10 relative) at a fraction of its per-element cost, which matters because
    a replay evaluates the test at every tenth record of every run."""
    k, urn, relevant, draws = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (k, urn, relevant, draws))
    )
    top = int(k.max()) if k.size else 0
    if k.size * (top + 1) > 1_000_000:  # a matrix too large to hold: scipy, element by element
        return np.asarray(hypergeom.cdf(k, urn, relevant, draws), dtype=np.float64)
    j = np.arange(top + 1, dtype=np.float64)
    shape = (*k.shape, 1)
    kk, nn, rr, dd = (v.reshape(shape) for v in (k, urn, relevant, draws))
    log_terms = _log_choose(rr, j) + _log_choose(nn - rr, dd - j) - _log_choose(nn, dd)
    terms = np.where(j <= kk, np.exp(log_terms), 0.0)
    return np.asarray(np.clip(terms.sum(axis=-1), 0.0, 1.0), dtype=np.float64)


def _tail_p_values(
    y: np.ndarray, total: int, target: float, first: int, lengths: np.ndarray | None = None
) -> np.ndarray:
    """p-value of H0 for tails of the given ``lengths`` (last n screened, never reaching
    before ``first``; every length when None)."""
    seen, found = len(y), int(y.sum())
    counts = np.cumsum(y[first:][::-1])  # relevant among the last n, n = 1..seen-first
    n = np.arange(1, len(counts) + 1) if lengths is None else lengths
    tail = counts[n - 1]
    urn = total - seen + n
    needed = tail + math.floor(found * (1 - target) / target) + 1
    return np.asarray(hypergeometric_cdf(tail, urn, np.minimum(needed, urn), n), dtype=np.float64)


def _smallest_p(y: np.ndarray, total: int, target: float, first: int) -> tuple[float, int]:
    """The smallest p-value over tail lengths and the shortest tail that gives it.

    With the relevant count k of a tail fixed, adding an irrelevant record to it only lowers
    p (the unscreened remainder keeps its size while the urn grows), so the minimum lies at a
    tail that stops just short of a relevant record, or at the longest tail allowed: one
    candidate per relevant record instead of one per screened record. Where p reaches 0 (too
    few unscreened records to hide the missing ones) the shortest such tail may lie between
    candidates, so tails are then scanned from the shortest, a block at a time.
    """
    seen = len(y)
    hits = np.flatnonzero(y[first:]) + first
    lengths = np.unique(np.append(seen - 1 - hits, seen - first))
    lengths = lengths[lengths >= 1]
    p_values = _tail_p_values(y, total, target, first, lengths)
    best = int(np.argmin(p_values))
    if p_values[best] > 0:
        return float(p_values[best]), int(lengths[best])
    for start in range(1, int(lengths[best]) + 1, 256):
        block = np.arange(start, min(start + 256, int(lengths[best]) + 1))
        zero = np.flatnonzero(_tail_p_values(y, total, target, first, block) <= 0)
        if zero.size:
            return 0.0, int(block[zero[0]])
    return 0.0, int(lengths[best])


def remaining_upper_bound(unscreened: int, drawn: int, hits: int, alpha: float) -> int:
    """Largest number of relevant records among ``unscreened`` records not rejected at level
    ``alpha`` when ``drawn`` further records, taken at random from the same pool, held
    ``hits`` relevant (exact hypergeometric bound). P(X <= hits) falls as the number hidden
    grows, so the first failing count ends the search: 64 counts are tried in one vectorised
    call, and all of them only if those 64 are not enough."""
    for width in (64, unscreened + 1):
        hidden = np.arange(min(width, unscreened + 1))
        kept = hypergeometric_cdf(hits, unscreened + drawn, hits + hidden, drawn) >= alpha
        if not kept.all():
            return int(np.argmin(kept)) - 1
        if len(hidden) == unscreened + 1:
            break
    return unscreened


def _recall_bounds(
    y: np.ndarray, total: int, n: int, alpha: float
) -> tuple[float, float, float, int]:
    """Recall estimate and one-sided lower bound, and relevant records remaining (estimate
    and upper bound), from the last ``n`` screened records read as a sample of the rest."""
    seen, found = len(y), int(y.sum())
    k = int(y[seen - n :].sum())
    unseen = total - seen
    remaining = k / n * unseen
    estimate = found / (found + remaining) if found else 0.0
    high = remaining_upper_bound(unseen, n, k, alpha)
    return estimate, (found / (found + high) if found else 0.0), remaining, high


HYPERGEOMETRIC_ASSUMPTIONS = (
    "the last records screened are treated as if drawn at random from themselves and all "
    "unscreened records; a ranking that puts relevant records first makes this conservative, "
    "a ranking that is worse than random at the end makes it optimistic."
)


def hypergeometric_stop(
    labels: Sequence[int],
    records_total: int,
    *,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    sample_start: int | None = None,
) -> StoppingReport:
    """Callaghan & Müller-Hansen's test on the labels in screening order (see module doc)."""
    if not 0 < target_recall < 1 or not 0 < confidence < 1:
        raise ValidationError(
            "target recall and confidence must lie strictly between 0 and 1",
            field="target_recall",
            hint="e.g. target 0.95 with confidence 0.95",
        )
    y = _check_labels(labels, records_total)
    first = 0 if sample_start is None else sample_start
    rule = (
        f"hypergeometric test (Callaghan & Müller-Hansen 2020), recall target "
        f"{target_recall:.0%} at {confidence:.0%} confidence"
        + ("" if sample_start is None else ", random-sample form")
    )
    if len(y) - first < 1 or int(y.sum()) == 0:
        detail = "Too few records screened (or none relevant) to test."
        return StoppingReport(
            rule, False, len(y), records_total, int(y.sum()), target_recall, confidence,
            None, None, None, detail, HYPERGEOMETRIC_ASSUMPTIONS,
        )  # fmt: skip
    p_value, length = _smallest_p(y, records_total, target_recall, first)
    alpha = 1 - confidence
    estimate, low, remaining, high = _recall_bounds(y, records_total, length, alpha)
    detail = (
        f"The smallest p-value for H0 'recall < {target_recall:.0%}' was {p_value:.4f}, "
        f"from the last {length} records screened."
    )
    return StoppingReport(
        rule, p_value < alpha, len(y), records_total, int(y.sum()), target_recall,
        confidence, p_value, estimate, low, detail, HYPERGEOMETRIC_ASSUMPTIONS, remaining, high,
    )  # fmt: skip


def consecutive_irrelevant_stop(
    labels: Sequence[int], records_total: int, *, run: int = 50
) -> StoppingReport:
    """Heuristic: stop after ``run`` irrelevant records in a row."""
    y = _check_labels(labels, records_total)
    hits = np.flatnonzero(y)
    streak = len(y) - (int(hits[-1]) + 1 if hits.size else 0)
    rule = f"heuristic: {run} consecutive irrelevant records (no probability statement)"
    detail = f"The last {streak} records screened were irrelevant."
    assumptions = (
        "none that give a probability: a run of irrelevant records can end just before the "
        "next relevant one."
    )
    return StoppingReport(
        rule, streak >= run, len(y), records_total, int(y.sum()), None, None, None, None,
        None, detail, assumptions,
    )  # fmt: skip


def safe_stop(
    labels: Sequence[int],
    records_total: int,
    *,
    expected_relevant: float | None = None,
    min_share: float = 0.10,
    run: int = 50,
) -> StoppingReport:
    """SAFE-style heuristic: all of (a) at least ``min_share`` of records screened, (b) at
    least twice ``expected_relevant`` screened (e.g. prevalence in a random pilot × total),
    (c) ``run`` consecutive irrelevant records at the end."""
    y = _check_labels(labels, records_total)
    streak = consecutive_irrelevant_stop(labels, records_total, run=run)
    share_ok = len(y) >= min_share * records_total
    twice_ok = expected_relevant is None or len(y) >= 2 * expected_relevant
    rule = (
        f"SAFE-style heuristic (Boetje & van de Schoot 2024): >= {min_share:.0%} screened, "
        f">= 2x expected relevant, {run} consecutive irrelevant"
    )
    detail = (
        f"Share screened {'met' if share_ok else 'not met'}; twice expected relevant "
        f"{'met' if twice_ok else 'not met'}; {streak.detail}"
    )
    assumptions = (
        "none that give a probability; the expected number of relevant records comes from a "
        "random sample, and the run of irrelevant records is a judgement, not a test."
    )
    return StoppingReport(
        rule, share_ok and twice_ok and streak.stop, len(y), records_total, int(y.sum()),
        None, None, None, None, None, detail, assumptions,
    )  # fmt: skip


def first_stop(
    labels: Sequence[int],
    records_total: int,
    rule: Callable[[Sequence[int], int], StoppingReport],
    *,
    every: int = 10,
) -> StoppingReport | None:
    """The first report of ``rule`` that says stop, checking every ``every`` records along
    ``labels`` (screening order), or None if it never does - for judging a rule in simulation.
    """
    for end in range(every, len(labels) + every, every):
        report = rule(labels[: min(end, len(labels))], records_total)
        if report.stop:
            return report
    return None
