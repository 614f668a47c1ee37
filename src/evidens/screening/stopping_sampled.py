"""Stopping rules that need a uniform random sample screened alongside the ranked queue.

The sample is drawn from all records before (or while) the ranked queue is screened. A
sampled record that the ranking also reaches is screened once; :class:`RandomSample` keeps
which ones it has reached, so records screened and relevant found count every record once.

* **Target method** (Cormack & Grossman 2016, SIGIR). Draw records at random until T
  relevant ones are found (the target set), then screen the ranking until every target has
  come up. If recall were below τ, all T targets - a random subset of the relevant records -
  would have had to fall among the fewer than τ·R found, which happens with probability at
  most τ^T ≈ exp(−T(1−τ)); T = ⌈−ln(1−confidence)/(1−τ)⌉ (60 for 95% at 95%) makes that at
  most 1 − confidence. The bound needs no model of the ranking, so it is trustworthy; its
  price is finding 60 relevant records at random.
* **Random-sample estimate** of the relevant records remaining: the sampled records the
  ranking has not reached are a uniform sample of the records it has not reached, so the
  hypergeometric distribution bounds how many relevant records the unscreened rest can hold.
  Stop once the lower confidence bound on recall reaches the target. Valid for any ranking,
  and expensive in the same way: certifying that at most one or two records are missing
  needs a sample of most of the rest.
* **SAFE** (Boetje & van de Schoot 2024, "The SAFE procedure", Syst Rev 13:81): screen a
  random sample first, then the ranking until all of (a) 10% of the records are screened,
  (b) at least twice the number of relevant records the sample predicts, (c) 50 irrelevant
  records in a row. The paper's later phases (continue with a second model until another 50
  irrelevant records in a row, then a quality check of the excluded records by another
  reviewer) are not simulated here; this is its first stopping point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evidens.errors import ValidationError
from evidens.screening.stopping import StoppingReport, _check_labels, remaining_upper_bound


@dataclass(frozen=True)
class RandomSample:
    """Labels of a uniform random sample of records, in the order drawn, and whether the
    ranked queue has reached each of them too (then it also sits in the queue's labels)."""

    labels: tuple[int, ...]
    reached: tuple[bool, ...]

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.reached):
            raise ValidationError("one 'reached' flag per sampled record", field="sample")

    @property
    def unreached(self) -> tuple[int, ...]:
        """Labels of the sampled records the ranking has not reached."""
        return tuple(y for y, r in zip(self.labels, self.reached, strict=True) if not r)


def _counts(y: np.ndarray, sample: RandomSample) -> tuple[int, int]:
    """Records screened and relevant found, each record counted once."""
    extra = sample.unreached
    return len(y) + len(extra), int(y.sum()) + sum(extra)


def target_size(target_recall: float, confidence: float) -> int:
    """Cormack & Grossman's target-set size T = ⌈−ln(1 − confidence)/(1 − target)⌉."""
    return math.ceil(-math.log(1 - confidence) / (1 - target_recall))


def target_stop(
    labels: Sequence[int],
    records_total: int,
    sample: RandomSample,
    *,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> StoppingReport:
    """The target method (see module doc): stop when the ranking has reached all T targets."""
    y = _check_labels(labels, records_total)
    screened, found = _counts(y, sample)
    size = target_size(target_recall, confidence)
    targets = [i for i, label in enumerate(sample.labels) if label][:size]
    missing = sum(1 for i in targets if not sample.reached[i])
    rule = (
        f"target method (Cormack & Grossman 2016), {size} random relevant targets for "
        f"recall {target_recall:.0%} at {confidence:.0%} confidence"
    )
    assumptions = (
        "the targets are a uniform random sample of the relevant records, drawn without "
        "regard to the ranking."
    )
    if len(targets) < size:
        detail = f"The random sample holds {len(targets)} of the {size} targets needed."
        enough = screened >= records_total  # the whole set screened: nothing can be missed
        return StoppingReport(
            rule, enough, screened, records_total, found, target_recall, confidence, None,
            None, None, detail, assumptions, sample_screened=len(sample.labels),
        )  # fmt: skip
    low = (1 - confidence) ** (1 / size)  # recall bound where τ^T equals 1 − confidence
    detail = f"{size - missing} of the {size} targets have come up in the ranking."
    return StoppingReport(
        rule, missing == 0, screened, records_total, found, target_recall, confidence, None,
        None, low if missing == 0 else None, detail, assumptions,
        sample_screened=len(sample.labels),
    )  # fmt: skip


def sample_estimate_stop(
    labels: Sequence[int],
    records_total: int,
    sample: RandomSample,
    *,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> StoppingReport:
    """Random-sample estimate of the relevant records the ranking has not reached."""
    y = _check_labels(labels, records_total)
    screened, found = _counts(y, sample)
    extra = sample.unreached
    unscreened = records_total - screened
    rule = (
        f"random-sample estimate of relevant records remaining, recall target "
        f"{target_recall:.0%} at {confidence:.0%} confidence"
    )
    assumptions = (
        "the sample was drawn uniformly at random from all records, independently of the "
        "ranking, so its records that the ranking has not reached represent the unscreened rest."
    )
    if not extra or not found:
        detail = "No sampled record lies beyond the ranked queue yet (or none relevant found)."
        stop = unscreened == 0
        return StoppingReport(
            rule, stop, screened, records_total, found, target_recall, confidence, None,
            None, None, detail, assumptions, sample_screened=len(sample.labels),
        )  # fmt: skip
    hits = sum(extra)
    estimate = hits / len(extra) * unscreened
    high = remaining_upper_bound(unscreened, len(extra), hits, 1 - confidence)
    low = found / (found + high)
    detail = f"{hits} of the {len(extra)} sampled records beyond the ranked queue were relevant."
    return StoppingReport(
        rule, low >= target_recall, screened, records_total, found, target_recall,
        confidence, None, found / (found + estimate), low, detail, assumptions, estimate,
        high, len(sample.labels),
    )  # fmt: skip


def safe_first_stop(
    labels: Sequence[int],
    records_total: int,
    sample: RandomSample,
    *,
    min_share: float = 0.10,
    run: int = 50,
) -> StoppingReport:
    """SAFE's first stopping point (see module doc); the sample gives the expected count."""
    y = _check_labels(labels, records_total)
    screened, found = _counts(y, sample)
    expected = records_total * sum(sample.labels) / len(sample.labels) if sample.labels else 0.0
    hits = np.flatnonzero(y)
    streak = len(y) - (int(hits[-1]) + 1 if hits.size else 0)
    checks = {
        f"{min_share:.0%} of records screened": screened >= min_share * records_total,
        f"twice the {expected:.0f} relevant records the sample predicts": screened >= 2 * expected,
        f"{run} irrelevant in a row (now {streak})": streak >= run,
    }
    detail = "; ".join(f"{name}: {'met' if ok else 'not met'}" for name, ok in checks.items())
    rule = (
        f"SAFE procedure, first stop (Boetje & van de Schoot 2024): >= {min_share:.0%} "
        f"screened, >= 2x the expected relevant, {run} irrelevant in a row"
    )
    assumptions = (
        "none that give a probability; a heuristic whose safety comes from its later phases "
        "(a second model, a quality check) as much as from this stop."
    )
    return StoppingReport(
        rule, all(checks.values()) or screened >= records_total, screened, records_total,
        found, None, None, None, None, None, detail + ".", assumptions,
        sample_screened=len(sample.labels),
    )  # fmt: skip
