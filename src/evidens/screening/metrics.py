"""Screening-simulation metrics, computed exactly as ASReview 3 / asreview-insights define them.

See docs/reference/methods.md, "Simulated screening and its metrics". Conventions that change
the numbers, and why we keep them:

* the prior records are removed first (N = records − priors, R = relevant non-priors), so a
  run is not credited for what it was given;
* records never screened are padded as irrelevant at the end (a run stops at the last
  relevant, so this is exact);
* WSS@r follows *insights* (recall level floor(r·R)/R against numpy's rounded random curve);
  the textbook Cohen 2006 value (recall ≥ r) is reported next to it as ``wss_classic``,
  because the two differ a lot when R is small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evidens.errors import EstimationError

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class SimulationMetrics:
    """The metrics of one simulation; keys of ``as_dict`` are the run.json keys."""

    wss95: float
    wss95_classic: float
    recall10: float
    erf10: float
    loss: float
    atd: float
    ndcg: float
    n_screened_all_found: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "wss95": self.wss95,
            "wss95_classic": self.wss95_classic,
            "recall10": self.recall10,
            "erf10": self.erf10,
            "loss": self.loss,
            "atd": self.atd,
            "ndcg": self.ndcg,
            "n_screened_all_found": self.n_screened_all_found,
        }


def padded_labels(screened: Sequence[int], n_total: int) -> IntArray:
    """Labels (0/1) in screening order after the priors, padded with 0 to ``n_total``."""
    labels = np.zeros(n_total, dtype=np.int64)
    values = np.asarray(screened, dtype=np.int64)
    if len(values) > n_total:
        raise EstimationError(f"{len(values)} screened labels for only {n_total} records")
    if values.size and not np.isin(values, (0, 1)).all():
        raise EstimationError("screening labels must be 0 or 1")
    labels[: len(values)] = values
    return labels


def _relevant(y: IntArray) -> int:
    relevant = int(y.sum())
    if relevant == 0:
        raise EstimationError("no relevant record outside the priors; the metrics are undefined")
    return relevant


def random_curve(n: int, relevant: int) -> IntArray:
    """insights' random-screening curve: ``np.round(np.linspace(0, R, N))`` (half to even)."""
    return np.round(np.linspace(0, relevant, n)).astype(np.int64)


def wss(y: IntArray, recall: float) -> float:
    """WSS@recall as insights computes it: (i_rand − i_model)/N at level floor(recall·R)."""
    n, relevant = len(y), _relevant(y)
    level = math.floor(recall * relevant)
    found = np.cumsum(y)
    i_model = int(np.argmax(found >= level))
    i_rand = int(np.argmax(random_curve(n, relevant) >= level))
    return (i_rand - i_model) / n


def wss_classic(y: IntArray, recall: float) -> float:
    """Cohen et al. (2006): (N − n_r)/N − (1 − recall), n_r = position of the ceil(r·R)-th hit."""
    n, relevant = len(y), _relevant(y)
    needed = math.ceil(recall * relevant - 1e-12)
    position = int(np.argmax(np.cumsum(y) >= needed)) + 1
    return (n - position) / n - (1 - recall)


def recall_at(y: IntArray, fraction: float) -> float:
    """Recall after screening floor(fraction·N) records."""
    n, relevant = len(y), _relevant(y)
    k = math.floor(fraction * n)
    return float(y[:k].sum()) / relevant


def erf_at(y: IntArray, fraction: float) -> float:
    """Extra relevant found at floor(fraction·N) over the random curve, as a share of R."""
    n, relevant = len(y), _relevant(y)
    k = math.floor(fraction * n)
    found = int(y[:k].sum())
    rand = int(random_curve(n, relevant)[k - 1]) if k > 0 else 0
    return (found - rand) / relevant


def loss(y: IntArray) -> float:
    """asreview.metrics.loss: normalised area between the optimal and the actual recall curve."""
    n, relevant = len(y), _relevant(y)
    if relevant == n:
        raise EstimationError("every record is relevant; loss is undefined")
    area = float(np.cumsum(y).sum())
    best = relevant * (n - (relevant - 1) / 2)
    return (best - area) / (relevant * (n - relevant))


def atd(y: IntArray) -> float:
    """Average time to discovery: mean 1-based position of the relevant records, in records."""
    _relevant(y)
    return float(np.flatnonzero(y).mean() + 1)


def ndcg(y: IntArray) -> float:
    """asreview.metrics.ndcg: Σ y_i/log2(i+1) over the ideal ordering's value."""
    relevant = _relevant(y)
    gains = 1 / np.log2(np.arange(2, len(y) + 2))
    return float((y * gains).sum() / gains[:relevant].sum())


def simulation_metrics(screened: Sequence[int], n_total: int, n_priors: int) -> SimulationMetrics:
    """All metrics for one run: ``screened`` are the post-prior labels in order, ``n_total``
    all records (priors included); priors are excluded from N and R as ASReview does."""
    y = padded_labels(screened, n_total - n_priors)
    last = int(np.flatnonzero(y)[-1]) + 1 if y.any() else 0
    return SimulationMetrics(
        wss95=wss(y, 0.95),
        wss95_classic=wss_classic(y, 0.95),
        recall10=recall_at(y, 0.10),
        erf10=erf_at(y, 0.10),
        loss=loss(y),
        atd=atd(y),
        ndcg=ndcg(y),
        n_screened_all_found=last + n_priors,
    )
