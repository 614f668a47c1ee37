"""Stopping rules that read the shape of the gain curve (relevant found against screened).

* **Knee method** (Cormack & Grossman 2016, "Engineering quality and reliability in
  technology-assisted review", SIGIR). The gain curve of a good ranking rises steeply and
  then flattens. At the current point s the knee is the screened position i farthest from
  the straight line joining the origin to (s, relevant found); the slope ratio compares the
  rate of relevant records before the knee with the rate after it (one relevant record is
  added after the knee, so a flat tail does not divide by zero). The rule stops once the
  ratio reaches 6, raised by up to 150 when few relevant records have been found
  (threshold 156 − min(relevant before the knee, 150)), the authors' setting.
* **Counting-process estimate** (Sneyd & Stevenson 2021, "Stopping criteria for
  technology assisted reviews based on counting processes", SIGIR). Relevant records along
  the ranking are modelled as an inhomogeneous Poisson process whose rate falls as a power
  of the rank, λ(x) = a·x^k. Fitted to what has been screened and summed over every rank,
  the rate gives the expected number of relevant records in the whole set; its upper
  Poisson quantile at the stated confidence is the predicted total, and screening stops once
  the relevant records found reach the recall target of that total. As in the paper the rule
  waits until 30% of the records are screened and 20 relevant found. Here the curve is
  fitted by maximum likelihood on the ranks of the relevant records rather than by least
  squares on ten windows (no window size to choose; same model). ``shape="exponential"``
  uses the paper's other rate, a·exp(k·x/N). ``rate_uncertainty`` adds what the paper's
  Poisson quantile leaves out, the error of the fitted decay: the exponent is taken at the
  upper end of its one-sided profile-likelihood interval, and only the remaining count (not
  the count already found) gets the Poisson quantile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import norm, poisson

from evidens.screening.stopping import StoppingReport, _check_labels

FloatArray = NDArray[np.float64]
SHAPES = {"power": (-6.0, 3.0), "exponential": (-400.0, 20.0)}
"""Rate shapes and the exponents searched (k < 0: the rate falls along the ranking). The
exponential rate is a·exp(k·x/N), x/N the share of the set, so k is scale-free."""


def knee_point(cumulative: FloatArray) -> int:
    """Rank i (1-based) of the gain curve farthest from the line from the origin to its end."""
    s = len(cumulative)
    x = np.arange(1, s + 1, dtype=np.float64)
    slope = cumulative[-1] / s
    return int(np.argmax(np.abs(slope * x - cumulative))) + 1


def slope_ratio(cumulative: FloatArray, i: int) -> float:
    """Rate of relevant records up to the knee ``i`` over the rate after it (+1 smoothing)."""
    s = len(cumulative)
    before = cumulative[i - 1] / i
    after = (1 + cumulative[-1] - cumulative[i - 1]) / (s - i)
    return float(before / after)


def knee_stop(
    labels: Sequence[int],
    records_total: int,
    *,
    target_ratio: float = 6.0,
    low_relevant_adjust: int = 150,
) -> StoppingReport:
    """Cormack & Grossman's knee method on the labels in screening order (see module doc)."""
    y = _check_labels(labels, records_total)
    found = int(y.sum())
    rule = (
        f"knee method (Cormack & Grossman 2016), slope ratio >= {target_ratio:g} + "
        f"{low_relevant_adjust} - min(relevant before the knee, {low_relevant_adjust})"
    )
    assumptions = (
        "the ranking finds relevant records at a falling rate, so a sharp knee in the gain "
        "curve marks the point after which few remain; no probability is attached."
    )
    ratio, threshold, detail = 0.0, math.inf, "No relevant record found yet."
    if found and len(y) >= 2:
        cumulative = np.cumsum(y, dtype=np.float64)
        knee = knee_point(cumulative)
        before = int(cumulative[knee - 1])
        threshold = target_ratio + low_relevant_adjust - min(before, low_relevant_adjust)
        ratio = slope_ratio(cumulative, knee) if knee < len(y) else 0.0
        detail = (
            f"Knee at record {knee} ({before} relevant before it); slope ratio {ratio:.1f} "
            f"against a threshold of {threshold:g}."
        )
    return StoppingReport(
        rule, ratio >= threshold, len(y), records_total, found, None, None, None, None, None,
        detail, assumptions,
    )  # fmt: skip


def _scale(ranks: FloatArray, total: int, shape: str) -> FloatArray:
    return np.log(ranks) if shape == "power" else ranks / total


class RateFit:
    """Maximum-likelihood fit of a falling rate, λ(x) = a·x^k (power) or a·exp(k·x/N)
    (exponential), to the ranks of the relevant records among the first ``screened`` ranks
    of ``total``. ``a`` is profiled out (a = r / Σ_{x≤s} g(x)^k), so the log-likelihood and
    the expected count beyond s depend on k alone."""

    def __init__(
        self, relevant_ranks: FloatArray, screened: int, total: int, shape: str = "power"
    ) -> None:
        self.found = len(relevant_ranks)
        self.screened = screened
        self.range = SHAPES[shape]
        self.sum_log_ranks = float(_scale(relevant_ranks, total, shape).sum())
        self.log_x = _scale(np.arange(1, total + 1, dtype=np.float64), total, shape)
        result = minimize_scalar(
            lambda k: -self.log_likelihood(k), bounds=self.range, method="bounded"
        )
        self.k = float(result.x)
        self.best = self.log_likelihood(self.k)

    def _sums(self, k: float) -> tuple[float, float]:
        weights = np.exp(k * self.log_x)
        seen = float(weights[: self.screened].sum())
        return seen, seen + float(weights[self.screened :].sum())

    def log_likelihood(self, k: float) -> float:
        """Profile log-likelihood of k (up to a constant)."""
        seen, _ = self._sums(k)
        return -self.found * math.log(seen) + k * self.sum_log_ranks

    def expected_remaining(self, k: float) -> float:
        """Expected relevant records beyond the screened ranks under exponent k."""
        seen, whole = self._sums(k)
        return self.found * (whole / seen - 1.0)

    def upper_k(self, confidence: float) -> float:
        """Upper end of the one-sided profile-likelihood interval of k at ``confidence``."""
        drop = float(norm.ppf(confidence)) ** 2 / 2

        def gap(k: float) -> float:
            return self.best - self.log_likelihood(k) - drop

        top = self.range[1]
        if gap(top) <= 0:
            return top
        return float(brentq(gap, self.k, top, xtol=1e-6))


def counting_process_stop(
    labels: Sequence[int],
    records_total: int,
    *,
    target_recall: float = 0.95,
    confidence: float = 0.95,
    min_share: float = 0.30,
    min_relevant: int = 20,
    rate_uncertainty: bool = False,
    shape: str = "power",
) -> StoppingReport:
    """Sneyd & Stevenson's counting-process rule (power-law rate; see the module doc)."""
    y = _check_labels(labels, records_total)
    screened, found = len(y), int(y.sum())
    rule = (
        f"counting-process estimate (Sneyd & Stevenson 2021, {shape} rate"
        + (", with the error of the fitted rate" if rate_uncertainty else "")
        + f"), recall target {target_recall:.0%} at {confidence:.0%} confidence"
    )
    falls = "as a power of the rank" if shape == "power" else "exponentially along the ranking"
    assumptions = (
        f"relevant records occur along the ranking like a Poisson process whose rate falls "
        f"{falls}, on the same curve over the unscreened records as over the screened ones"
        + ("" if rate_uncertainty else ", and the fitted rate is taken as exact")
        + "; relevant records the ranking cannot recognise, spread evenly through the rest, "
        "break this."
    )
    base = (rule, False, screened, records_total, found, target_recall, confidence, None)
    if screened < min_share * records_total or found < min_relevant or screened >= records_total:
        detail = (
            f"The rule waits for {min_share:.0%} of the records to be screened and "
            f"{min_relevant} relevant found."
        )
        return StoppingReport(*base, None, None, detail, assumptions)
    ranks = np.flatnonzero(y).astype(np.float64) + 1
    fit = RateFit(ranks, screened, records_total, shape)
    k = fit.upper_k(confidence) if rate_uncertainty else fit.k
    remaining = fit.expected_remaining(k)
    if rate_uncertainty:
        high = int(poisson.ppf(confidence, remaining))
    else:  # the paper's form: the quantile of the whole set's count, less what was found
        high = max(int(poisson.ppf(confidence, found + remaining)) - found, 0)
    low = found / (found + high)
    detail = (
        f"Fitted rate exponent {fit.k:.2f}"
        + (f" (upper {confidence:.0%} bound {k:.2f})" if rate_uncertainty else "")
        + f"; predicted total {found + high} relevant records at {confidence:.0%} confidence."
    )
    return StoppingReport(
        rule, low >= target_recall, screened, records_total, found, target_recall, confidence,
        None, found / (found + remaining), low, detail, assumptions, remaining, high,
    )  # fmt: skip
