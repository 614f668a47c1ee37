"""Absolute effects per 1000 from a relative effect and an assumed comparator risk.

Formulas from the Cochrane Handbook (5.1 §12.5.4, 6.x ch. 14-15), as in docs/reference/methods.md:
the same conversion is applied to the estimate and to each CI limit; the difference is
intervention risk minus comparator risk. Where the relative effect cannot give an absolute
one (not estimable, or a comparator risk of zero, where every ratio gives zero), the pooled
risk difference is used instead - so a table says "196 more per 1000 (81 to 310 more)"
instead of "not estimable" for 9/46 vs 0/45.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from evidens.errors import EstimationError, ValidationError
from evidens.grade.inputs import (
    BaselineRisk,
    EffectEstimate,
    Measure,
)

Z_95 = float(norm.ppf(0.975))


def corresponding_risk(measure: Measure, comparator_risk: float, effect: float) -> float:
    """Risk with the intervention for an assumed comparator risk (a proportion)."""
    if not 0.0 <= comparator_risk <= 1.0:
        raise ValidationError(
            f"assumed comparator risk {comparator_risk} is not a proportion",
            field="baseline_risk",
            hint="give risks between 0 and 1 (e.g. 0.05 for 50 per 1000)",
        )
    if measure is Measure.RR:
        return min(comparator_risk * effect, 1.0)
    if measure is Measure.OR:
        return effect * comparator_risk / (1 - comparator_risk + effect * comparator_risk)
    if measure is Measure.HR:
        return float(1 - (1 - comparator_risk) ** effect)
    if measure is Measure.RD:
        return min(max(comparator_risk + effect, 0.0), 1.0)
    raise EstimationError(f"{measure} is not a measure of risk; absolute risks need RR/OR/HR/RD")


def round_half_away(value: float) -> int:
    """Round as tables do (2.5 -> 3, -2.5 -> -3), not to even as Python's round() does."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


@dataclass(frozen=True)
class AbsoluteEffect:
    """One row of anticipated absolute effects, all per ``per`` (1000 by default).

    ``source`` says whether the relative effect or the risk difference produced it.
    """

    label: str
    comparator_risk: int
    intervention_risk: int | None
    difference: int | None
    difference_low: int | None
    difference_high: int | None
    per: int = 1000
    source: str = "relative"

    @property
    def estimable(self) -> bool:
        return self.difference is not None

    @property
    def text(self) -> str:
        """'196 more per 1000 (81 to 310 more)' or 'not estimable'."""
        if self.difference is None:
            return "not estimable"
        head = f"{_signed(self.difference)} per {self.per}"
        if self.difference_low is None or self.difference_high is None:
            return head
        return f"{head} ({span_text(self.difference_low, self.difference_high)})"


def _signed(value: int) -> str:
    if value == 0:
        return "0 more"
    return f"{abs(value)} {'more' if value > 0 else 'fewer'}"


def span_text(low: float | int, high: float | int, fmt: str = "{:g}") -> str:
    """'81 to 310 more', '40 to 10 fewer' (signed order), or '24 fewer to 13 more'."""
    if low >= 0 and high > 0:
        return f"{fmt.format(abs(low))} to {fmt.format(abs(high))} more"
    if high <= 0 and low < 0:  # signed order, as GRADEpro's "from 6 fewer to 3 fewer"
        return f"{fmt.format(abs(low))} to {fmt.format(abs(high))} fewer"
    return f"{fmt.format(abs(low))} fewer to {fmt.format(abs(high))} more"


def from_relative(
    effect: EffectEstimate, baseline: BaselineRisk, per: int = 1000
) -> AbsoluteEffect:
    """Absolute effect for one assumed comparator risk from a RR/OR/HR/RD and its CI."""
    base = round_half_away(baseline.risk * per)
    if not effect.estimable or not (effect.measure.is_ratio or effect.measure is Measure.RD):
        return AbsoluteEffect(baseline.label, base, None, None, None, None, per)
    risks = [corresponding_risk(effect.measure, baseline.risk, v) for v in effect.values()]
    low, high = sorted(risks[1:])
    return AbsoluteEffect(
        baseline.label,
        base,
        round_half_away(risks[0] * per),
        round_half_away((risks[0] - baseline.risk) * per),
        round_half_away((low - baseline.risk) * per),
        round_half_away((high - baseline.risk) * per),
        per,
        "relative" if effect.measure is not Measure.RD else "risk difference",
    )


def from_risk_difference(
    rd: EffectEstimate, baseline: BaselineRisk, per: int = 1000
) -> AbsoluteEffect:
    """Absolute effect straight from a pooled risk difference (proportion scale)."""
    base = round_half_away(baseline.risk * per)
    if not rd.estimable or rd.measure is not Measure.RD:
        return AbsoluteEffect(baseline.label, base, None, None, None, None, per, "risk difference")
    estimate, low, high = rd.values()
    return AbsoluteEffect(
        baseline.label,
        base,
        round_half_away(min(max(baseline.risk + estimate, 0.0), 1.0) * per),
        round_half_away(estimate * per),
        round_half_away(low * per),
        round_half_away(high * per),
        per,
        "risk difference",
    )


def needed_to_treat(difference: float) -> int | None:
    """NNT/NNH = 1/|risk difference| rounded up; ``None`` when there is no difference."""
    if difference == 0:
        return None
    return math.ceil(1 / abs(difference) - 1e-12)


def wald_risk_difference(
    events_i: int, total_i: int, events_c: int, total_c: int, *, z: float = Z_95
) -> EffectEstimate:
    """Risk difference of one 2x2 table with a Wald CI and no continuity correction.

    This is what a single study contributes to a Mantel-Haenszel RD (metafor ``rma.mh``,
    RevMan), and it stays estimable with zero events in one arm: 9/46 vs 0/45 gives
    0.196 (0.081 to 0.310). Adding 0.5 to every cell (escalc's default) would give
    0.191 (0.073 to 0.310) instead, so the correction is deliberately not applied.
    """
    _check_counts(events_i, total_i, "intervention")
    _check_counts(events_c, total_c, "comparator")
    p_i, p_c = events_i / total_i, events_c / total_c
    se = math.sqrt(p_i * (1 - p_i) / total_i + p_c * (1 - p_c) / total_c)
    rd = p_i - p_c
    return EffectEstimate(
        Measure.RD,
        rd,
        rd - z * se,
        rd + z * se,
        k=1,
        participants=total_i + total_c,
        events=events_i + events_c,
        method="risk difference of the single study with a Wald 95% CI, no continuity correction",
    )


def corrected_ratio(
    measure: Measure, events_i: int, total_i: int, events_c: int, total_c: int, *, z: float = Z_95
) -> EffectEstimate:
    """RR or OR of one 2x2 table, adding 0.5 to every cell when any cell is zero.

    The classic zero-cell handling (metafor escalc ``add=0.5, to="only0"``, RevMan);
    with no events in either arm the ratio is not estimable and ``estimate`` is ``None``.
    """
    _check_counts(events_i, total_i, "intervention")
    _check_counts(events_c, total_c, "comparator")
    method = ""
    if events_i == 0 and events_c == 0:
        return EffectEstimate(measure, None, k=1, participants=total_i + total_c, events=0)
    a, b = float(events_i), float(total_i - events_i)
    c, d = float(events_c), float(total_c - events_c)
    if 0 in (a, b, c, d):
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        method = f"{measure} computed with 0.5 added to each cell because one arm had no events"
    if measure is Measure.RR:
        log_est = math.log(a / (a + b)) - math.log(c / (c + d))
        se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    elif measure is Measure.OR:
        log_est = math.log(a * d / (b * c))
        se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    else:
        raise EstimationError(f"a 2x2 table gives RR or OR, not {measure}")
    return EffectEstimate(
        measure,
        math.exp(log_est),
        math.exp(log_est - z * se),
        math.exp(log_est + z * se),
        k=1,
        participants=total_i + total_c,
        events=events_i + events_c,
        method=method,
    )


def _check_counts(events: int, total: int, arm: str) -> None:
    if total <= 0 or not 0 <= events <= total:
        raise ValidationError(
            f"{arm} arm: {events}/{total} is not a valid events/total pair",
            field=arm,
            hint="events must be between 0 and the arm's total, and the total above 0",
        )
