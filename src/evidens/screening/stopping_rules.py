"""Every stopping rule by name, the default, and a replay of each along a screening order.

A rule only reads the labels in screening order (and, for some, a random sample), so one
simulated run - screened to the end - serves every rule: :func:`replay` walks the order and
reports where each rule would first have stopped and the recall reached there. The default
was chosen from that replay over the six public labelled sets (docs/stopping.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from evidens.screening.stopping import (
    LIVE_ORDER,
    StoppingReport,
    consecutive_irrelevant_stop,
    hypergeometric_stop,
)
from evidens.screening.stopping_curves import counting_process_stop, knee_stop
from evidens.screening.stopping_sampled import (
    RandomSample,
    safe_first_stop,
    sample_estimate_stop,
    target_size,
    target_stop,
)

PlainRule = Callable[[Sequence[int], int], StoppingReport]
SampledRule = Callable[[Sequence[int], int, RandomSample], StoppingReport]
DEFAULT_RULE = "hypergeometric"
"""The default: Callaghan & Müller-Hansen's test at the stated confidence (95% unless the user
says otherwise) - the only rule that reached 95% recall in at least 95% of runs on all six
public sets (docs/stopping.md). Where many records are relevant the test's confidence is
close to exact, so a lower confidence delivers about that much: at 80% it saved 42% of
records, but reached 95% recall in only 8 of 10 runs on Bannach-Brown (280 relevant)."""
RELAXED_CONFIDENCE = 0.80
"""The confidence of ``hypergeometric-80``, the selectable faster variant."""
SAMPLE_SHARE = 0.05
"""Share of records in the random sample that SAFE and the random-sample estimate use."""


@dataclass(frozen=True)
class RuleSpec:
    """A stopping rule by name: ``plain`` reads the ranked labels only, ``sampled`` also a
    random sample (``target_sample`` says whether it draws until it has T relevant records)."""

    key: str
    plain: PlainRule | None = None
    sampled: SampledRule | None = None
    target_sample: bool = False


def _rules(target_recall: float, confidence: float) -> tuple[RuleSpec, ...]:
    t, c = target_recall, confidence
    return (
        RuleSpec(
            "hypergeometric", plain=partial(hypergeometric_stop, target_recall=t, confidence=c)
        ),
        RuleSpec(
            "hypergeometric-80",
            plain=partial(hypergeometric_stop, target_recall=t, confidence=RELAXED_CONFIDENCE),
        ),
        RuleSpec("knee", plain=knee_stop),
        RuleSpec(
            "counting-process", plain=partial(counting_process_stop, target_recall=t, confidence=c)
        ),
        RuleSpec(
            "counting-process-rate-error",
            plain=partial(
                counting_process_stop, rate_uncertainty=True, target_recall=t, confidence=c
            ),
        ),
        RuleSpec(
            "counting-process-exponential",
            plain=partial(
                counting_process_stop,
                shape="exponential",
                rate_uncertainty=True,
                target_recall=t,
                confidence=c,
            ),
        ),
        RuleSpec(
            "target",
            sampled=partial(target_stop, target_recall=t, confidence=c),
            target_sample=True,
        ),
        RuleSpec(
            "random-sample", sampled=partial(sample_estimate_stop, target_recall=t, confidence=c)
        ),
        RuleSpec("safe", sampled=safe_first_stop),
        RuleSpec("consecutive-50", plain=consecutive_irrelevant_stop),
    )


RULE_KEYS = tuple(spec.key for spec in _rules(0.95, 0.95))


def rules(target_recall: float = 0.95, confidence: float = 0.95) -> tuple[RuleSpec, ...]:
    """Every rule at the given recall target and confidence, the default first."""
    specs = _rules(target_recall, confidence)
    return tuple(sorted(specs, key=lambda spec: spec.key != DEFAULT_RULE))


def live_reports(
    labels: Sequence[int],
    records_total: int,
    *,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    run: int = 50,
) -> list[StoppingReport]:
    """Reports of every rule that needs no random sample on a review's own screening order
    (final decisions only), the default rule's first: it alone decides whether to stop."""
    reports = []
    for spec in rules(target_recall, confidence):
        if spec.key == "consecutive-50":
            reports.append(consecutive_irrelevant_stop(labels, records_total, run=run))
        elif spec.plain is not None:
            reports.append(spec.plain(labels, records_total))
    return reports


@dataclass(frozen=True)
class RuleOutcome:
    """Where one rule first stopped along a run. A rule that never said stop on a run that
    covers every record screened all of them (recall 1, nothing saved); on a shorter run its
    stop is unknown (None)."""

    key: str
    default: bool
    report: StoppingReport | None
    relevant_total: int
    records_total: int
    screened_all: bool

    @property
    def stopped_at(self) -> int | None:
        if self.report is not None:
            return self.report.records_screened
        return self.records_total if self.screened_all else None

    @property
    def recall(self) -> float | None:
        if self.report is None:
            return 1.0 if self.screened_all else None
        return self.report.relevant_found / self.relevant_total if self.relevant_total else None

    @property
    def saved(self) -> float | None:
        """Share of the records never screened."""
        at = self.stopped_at
        return None if at is None else 1 - at / self.records_total

    def as_dict(self, order: str = LIVE_ORDER) -> dict[str, object]:
        row: dict[str, object] = {"rule": self.key, "default": self.default}
        row["stopped"] = self.report is not None
        row["stopped_at"] = self.stopped_at
        row["recall"] = None if self.recall is None else round(self.recall, 4)
        row["records_saved"] = None if self.saved is None else round(self.saved, 4)
        if self.report is not None:
            row["description"] = self.report.rule
            row["methods_text"] = self.report.methods_text(order)
        return row


def _sample(
    labels: np.ndarray, draw_order: Sequence[int], spec: RuleSpec, level: tuple[float, float]
) -> list[int]:
    """Ranks of the records the rule's random sample holds, in the order drawn."""
    if spec.target_sample:
        need = target_size(*level)
        hits = np.cumsum(labels[np.asarray(draw_order)])
        upto = int(np.searchsorted(hits, need)) + 1
        return list(draw_order[:upto])
    size = max(1, round(SAMPLE_SHARE * len(labels)))
    return list(draw_order[:size])


def replay(
    labels: Sequence[int],
    records_total: int,
    *,
    draw_order: Sequence[int] | None = None,
    every: int = 10,
    target_recall: float = 0.95,
    confidence: float = 0.95,
) -> list[RuleOutcome]:
    """Each rule's first stop along ``labels`` (screening order), checked every ``every``
    records. Rules that need a random sample are replayed only when the run covers every
    record and ``draw_order`` (the ranks in a uniform random order) is given: the sampled
    records are screened up front and the ranked queue counts each of them once."""
    y = np.asarray(labels, dtype=np.int64)
    outcomes = []
    for spec in rules(target_recall, confidence):
        report = None
        if spec.plain is not None:
            report = _replay_plain(spec.plain, labels, records_total, every)
        elif spec.sampled is not None and draw_order is not None and len(y) == records_total:
            ranks = _sample(y, draw_order, spec, (target_recall, confidence))
            report = _replay_sampled(spec.sampled, labels, records_total, ranks, every)
        replayed = spec.plain is not None or draw_order is not None
        whole = replayed and len(y) == records_total
        outcome = RuleOutcome(
            spec.key, spec.key == DEFAULT_RULE, report, int(y.sum()), records_total, whole
        )
        outcomes.append(outcome)
    return outcomes


def _replay_plain(
    rule: PlainRule, labels: Sequence[int], total: int, every: int
) -> StoppingReport | None:
    return _first(lambda s: rule(labels[:s], total), len(labels), every)


def _replay_sampled(
    rule: SampledRule, labels: Sequence[int], total: int, ranks: list[int], every: int
) -> StoppingReport | None:
    sample_labels = tuple(int(labels[r]) for r in ranks)

    def at(s: int) -> StoppingReport:
        return rule(labels[:s], total, RandomSample(sample_labels, tuple(r < s for r in ranks)))

    return _first(at, len(labels), every)


def _first(
    report_at: Callable[[int], StoppingReport], length: int, every: int
) -> StoppingReport | None:
    for end in range(every, length + every, every):
        report = report_at(min(end, length))
        if report.stop:
            return report
    return None


def hindsight_saved(labels: Sequence[int], target_recall: float = 0.95) -> float:
    """Share of records saved by stopping exactly when ``target_recall`` is reached (the
    best any rule could do, knowable only in hindsight); ``labels`` cover every record."""
    y = np.asarray(labels, dtype=np.int64)
    need = int(np.ceil(target_recall * int(y.sum()) - 1e-9))
    position = int(np.searchsorted(np.cumsum(y), need)) + 1
    return 1 - position / len(y)
