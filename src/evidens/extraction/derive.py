"""Numbers reviewers compute by hand when a paper does not report what the analysis needs.

Each helper returns a :class:`~evidens.extraction.model.Derived` that carries the value, the
method, the formula as text and its inputs, so that a derived SD is never mistaken for a
reported one and anyone can recompute it. Formulas follow the Cochrane Handbook (chapter 6,
§6.5.2) and the cited papers; the method name is part of the record because different methods
give different numbers from the same inputs.
"""

from __future__ import annotations

import itertools
import math
from typing import Literal

from evidens.errors import ValidationError
from evidens.extraction.model import Derived

HANDBOOK = "Cochrane Handbook for Systematic Reviews of Interventions, §6.5.2"
WAN_2014 = "Wan X, et al. BMC Med Res Methodol 2014;14:135"
HOZO_2005 = "Hozo SP, et al. BMC Med Res Methodol 2005;5:13"


def _t_quantile(p: float, df: int) -> float:
    from scipy import stats  # lazy: scipy.stats costs a second at CLI start-up

    return float(stats.t.ppf(p, df))


def _z_quantile(p: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(p))


SMALL_SAMPLE = 60
"""Below this many participants per group the Handbook divides a CI by 2·t, not by 3.92."""


def sd_from_se(se: float, n: int) -> Derived:
    """SD of a group mean from its standard error: SD = SE × √n."""
    _positive(se=se)
    _count(n=n)
    return Derived(
        quantity="sd",
        value=se * math.sqrt(n),
        method="SD from SE",
        formula="SD = SE × √n",
        inputs=(("se", se), ("n", float(n))),
        reference=HANDBOOK,
    )


def sd_from_ci(
    lower: float,
    upper: float,
    n: int,
    *,
    level: float = 0.95,
    distribution: Literal["auto", "t", "z"] = "auto",
) -> Derived:
    """SD of a group mean from the confidence interval of that mean.

    SD = √n × (upper − lower) / (2 × q), where q is the t quantile with n − 1 degrees of
    freedom for small groups and the normal quantile (1.96 for 95%) for large ones; ``auto``
    uses t below :data:`SMALL_SAMPLE` participants, as the Handbook advises.
    """
    _count(n=n)
    if not lower < upper:
        raise ValidationError(
            f"CI lower {lower} is not below upper {upper}", field="ci", hint="swap or fix them"
        )
    if not 0 < level < 1:
        raise ValidationError(f"level {level} is not between 0 and 1", field="level")
    use_t = distribution == "t" or (distribution == "auto" and n < SMALL_SAMPLE)
    tail = 1 - (1 - level) / 2
    if use_t:
        quantile = _t_quantile(tail, n - 1)
        formula = "SD = √n × (upper − lower) / (2 × t(1 − α/2, n − 1))"
    else:
        quantile = _z_quantile(tail)
        formula = "SD = √n × (upper − lower) / (2 × z(1 − α/2))"
    return Derived(
        quantity="sd",
        value=math.sqrt(n) * (upper - lower) / (2 * quantile),
        method=f"SD from {level:.0%} CI ({'t' if use_t else 'z'})",
        formula=formula,
        inputs=(("lower", lower), ("upper", upper), ("n", float(n)), ("quantile", quantile)),
        reference=HANDBOOK,
    )


def sd_from_iqr(q1: float, q3: float, n: int) -> Derived:
    """SD from the interquartile range (Wan 2014):
    SD ≈ (q3 − q1) / (2 Φ⁻¹((0.75n − 0.125) / (n + 0.25)))."""
    _count(n=n)
    _ordered(q1=q1, q3=q3)
    denominator = 2 * _z_quantile((0.75 * n - 0.125) / (n + 0.25))
    return Derived(
        quantity="sd",
        value=(q3 - q1) / denominator,
        method="SD from IQR (Wan 2014)",
        formula="SD = (q3 − q1) / (2 Φ⁻¹((0.75n − 0.125)/(n + 0.25)))",
        inputs=(("q1", q1), ("q3", q3), ("n", float(n))),
        reference=WAN_2014,
    )


def sd_from_range(
    minimum: float,
    maximum: float,
    n: int,
    *,
    median: float | None = None,
    method: Literal["wan2014", "hozo2005"] = "wan2014",
) -> Derived:
    """SD from the range. Wan 2014: (max − min) / (2 Φ⁻¹((n − 0.375)/(n + 0.25))).
    Hozo 2005: range/4 for 15 < n ≤ 70, range/6 for n > 70, and for n ≤ 15
    √((1/12)((min − 2·median + max)²/4 + (max − min)²)), which needs the median."""
    _count(n=n)
    _ordered(minimum=minimum, maximum=maximum)
    span = maximum - minimum
    inputs: tuple[tuple[str, float], ...] = (("min", minimum), ("max", maximum), ("n", float(n)))
    if method == "wan2014":
        value = span / (2 * _z_quantile((n - 0.375) / (n + 0.25)))
        formula = "SD = (max − min) / (2 Φ⁻¹((n − 0.375)/(n + 0.25)))"
        return Derived("sd", value, "SD from range (Wan 2014)", formula, inputs, WAN_2014)
    if n > 70:
        value, formula = span / 6, "SD = (max − min) / 6   (n > 70)"
    elif n > 15:
        value, formula = span / 4, "SD = (max − min) / 4   (15 < n ≤ 70)"
    else:
        if median is None:
            raise ValidationError(
                "Hozo 2005 needs the median when n ≤ 15", field="median", hint="give the median"
            )
        value = math.sqrt(((minimum - 2 * median + maximum) ** 2 / 4 + span**2) / 12)
        formula = "SD = √((1/12)((min − 2m + max)²/4 + (max − min)²))   (n ≤ 15)"
        inputs += (("median", median),)
    return Derived("sd", value, "SD from range (Hozo 2005)", formula, inputs, HOZO_2005)


def mean_from_median_iqr(q1: float, median: float, q3: float) -> Derived:
    """Mean from median and quartiles (Wan 2014): (q1 + median + q3) / 3."""
    _ordered(q1=q1, median=median, q3=q3)
    return Derived(
        quantity="mean",
        value=(q1 + median + q3) / 3,
        method="mean from median and IQR (Wan 2014)",
        formula="mean = (q1 + m + q3) / 3",
        inputs=(("q1", q1), ("median", median), ("q3", q3)),
        reference=WAN_2014,
    )


def mean_from_median_range(minimum: float, median: float, maximum: float) -> Derived:
    """Mean from median and range (Hozo 2005): (min + 2·median + max) / 4."""
    _ordered(minimum=minimum, median=median, maximum=maximum)
    return Derived(
        quantity="mean",
        value=(minimum + 2 * median + maximum) / 4,
        method="mean from median and range (Hozo 2005)",
        formula="mean = (min + 2m + max) / 4",
        inputs=(("min", minimum), ("median", median), ("max", maximum)),
        reference=HOZO_2005,
    )


def combine_groups(
    n1: int, mean1: float, sd1: float, *, n2: int, mean2: float, sd2: float
) -> tuple[Derived, Derived, Derived]:
    """Two groups merged into one arm (Handbook Table 6.5.a): n, mean and SD of the union.

    SD = √(((n1−1)SD1² + (n2−1)SD2² + n1·n2/(n1+n2)·(M1² + M2² − 2·M1·M2)) / (n1+n2−1)).
    """
    _count(n1=n1, n2=n2)
    _positive(sd1=sd1, sd2=sd2)
    inputs = (
        ("n1", float(n1)),
        ("mean1", mean1),
        ("sd1", sd1),
        ("n2", float(n2)),
        ("mean2", mean2),
        ("sd2", sd2),
    )
    n = n1 + n2
    mean = (n1 * mean1 + n2 * mean2) / n
    spread = n1 * n2 / n * (mean1**2 + mean2**2 - 2 * mean1 * mean2)
    sd = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2 + spread) / (n - 1))
    method = "combine two groups (Handbook Table 6.5.a)"
    return (
        Derived("n", float(n), method, "N = n1 + n2", inputs, HANDBOOK),
        Derived("mean", mean, method, "M = (n1·M1 + n2·M2) / (n1 + n2)", inputs, HANDBOOK),
        Derived(
            "sd",
            sd,
            method,
            "SD = √(((n1−1)SD1² + (n2−1)SD2² + n1n2/(n1+n2)(M1² + M2² − 2M1M2)) / (n1+n2−1))",
            inputs,
            HANDBOOK,
        ),
    )


def combine_binary(events1: int, total1: int, events2: int, total2: int) -> tuple[Derived, Derived]:
    """Two groups merged into one arm for a binary outcome: events and totals add up."""
    _count(total1=total1, total2=total2)
    inputs = (
        ("events1", float(events1)),
        ("total1", float(total1)),
        ("events2", float(events2)),
        ("total2", float(total2)),
    )
    method = "combine two groups (binary)"
    return (
        Derived("events", float(events1 + events2), method, "e = e1 + e2", inputs, HANDBOOK),
        Derived("total", float(total1 + total2), method, "N = N1 + N2", inputs, HANDBOOK),
    )


def events_from_percentage(percent: float, total: int, *, decimals: int = 1) -> Derived:
    """Events from a reported percentage: round(percent / 100 × total), half up.

    Raises when no whole number of events reproduces the percentage as printed with
    ``decimals`` decimals, which usually means the percentage used another denominator.
    """
    _count(total=total)
    if not 0 <= percent <= 100:
        raise ValidationError(f"{percent}% is not a percentage", field="percent")
    events = math.floor(percent / 100 * total + 0.5)
    if abs(100 * events / total - percent) > 0.5 * 10**-decimals + 1e-9:
        raise ValidationError(
            f"{percent}% of {total} is not a whole number of events ({events} gives "
            f"{100 * events / total:.1f}%)",
            field="percent",
            hint="check which denominator the percentage uses",
        )
    return Derived(
        quantity="events",
        value=float(events),
        method="events from percentage",
        formula="events = round(percent / 100 × total)",
        inputs=(("percent", percent), ("total", float(total))),
        reference=HANDBOOK,
    )


def _positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ValidationError(f"{name} {value} is not above 0", field=name)


def _count(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ValidationError(f"{name} {value} is below 1", field=name, hint="n is a count")


def _ordered(**values: float) -> None:
    pairs = list(values.items())
    for (a, x), (b, y) in itertools.pairwise(pairs):
        if x > y:
            raise ValidationError(f"{a} {x} is above {b} {y}", field=a, hint="check the order")
