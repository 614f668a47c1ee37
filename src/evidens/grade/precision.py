"""Imprecision: the optimal information size and the suggested rating with its reasons.

GRADE guidance 34 (2022, minimally contextualized) makes the CI of the absolute effect
against the threshold(s) the first criterion, with the optimal information size (OIS)
checked when the CI looks fine but the sample is small; GRADE 6 (2011) adds the rule of
thumb on few events. Every rule that fires is named, and the figures it used are listed, so
the assessor sees why - the rating itself is theirs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from evidens.core import OutcomeKind
from evidens.errors import ValidationError
from evidens.grade.inputs import (
    EffectEstimate,
    Measure,
    OutcomeEvidence,
)
from evidens.grade.model import (
    Domain,
    Rating,
    Suggestion,
    sentence,
)


@dataclass(frozen=True)
class OptimalInformationSize:
    """Participants a single adequately powered trial would need (per arm and in total)."""

    per_arm: float
    total: float
    inputs: tuple[tuple[str, str], ...]

    @property
    def total_needed(self) -> int:
        return math.ceil(self.total)


def _z_sum(alpha: float, power: float) -> float:
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValidationError("alpha and power must lie between 0 and 1", field="ois")
    return float(norm.ppf(1 - alpha / 2) + norm.ppf(power))


def ois_binary(
    control_risk: float, rrr: float, *, alpha: float = 0.05, power: float = 0.8
) -> OptimalInformationSize:
    """Two-proportion sample size for control risk p0 and relative risk reduction RRR."""
    if not 0 < control_risk < 1 or not 0 < rrr < 1:
        raise ValidationError(
            f"OIS needs a control risk and RRR strictly between 0 and 1 "
            f"(got {control_risk}, {rrr})",
            field="ois",
            hint="set ois_control_risk from external data when no comparator had events",
        )
    p0 = control_risk
    p1 = p0 * (1 - rrr)
    per_arm = _z_sum(alpha, power) ** 2 * (p0 * (1 - p0) + p1 * (1 - p1)) / (p0 - p1) ** 2
    inputs = (
        ("control risk", f"{p0:.3g}"),
        ("relative risk reduction", f"{rrr:.0%}"),
        ("alpha (two-sided)", f"{alpha:g}"),
        ("power", f"{power:g}"),
    )
    return OptimalInformationSize(per_arm, 2 * per_arm, inputs)


def ois_continuous(
    delta_sd: float, *, alpha: float = 0.05, power: float = 0.8
) -> OptimalInformationSize:
    """Two-sample sample size to detect a difference of ``delta_sd`` standard deviations."""
    if delta_sd <= 0:
        raise ValidationError("the OIS difference must be above 0 SD", field="ois_delta_sd")
    per_arm = 2 * _z_sum(alpha, power) ** 2 / delta_sd**2
    inputs = (
        ("difference (SD units)", f"{delta_sd:g}"),
        ("alpha (two-sided)", f"{alpha:g}"),
        ("power", f"{power:g}"),
    )
    return OptimalInformationSize(per_arm, 2 * per_arm, inputs)


@dataclass(frozen=True)
class ImprecisionThresholds:
    """The assessor's thresholds; the defaults are GRADE's rough guides.

    ``absolute_per_1000``: decision thresholds on the risk-difference scale (e.g. (-20, 20)
    for the smallest important effect either way); ``relative_benefit``/``relative_harm``:
    appreciable effects on the ratio scale (GRADE 6: 0.75 and 1.25); ``mid``: the minimal
    important difference for MD/SMD; OIS inputs; ``few_events``: GRADE's "< 300 events".
    """

    absolute_per_1000: tuple[float, ...] = ()
    relative_benefit: float = 0.75
    relative_harm: float = 1.25
    mid: float | None = None
    ois_control_risk: float | None = None
    ois_rrr: float = 0.25
    ois_delta_sd: float = 0.2
    alpha: float = 0.05
    power: float = 0.8
    few_events: int = 300


Rule = tuple[str, Rating, str]


def _ci_rules(effect: EffectEstimate, t: ImprecisionThresholds) -> list[Rule]:
    _, low, high = effect.values()
    null = effect.measure.null
    rules: list[Rule] = []
    ci = f"{effect.measure} 95% CI {low:.3g} to {high:.3g}"
    if low < null < high:
        if effect.measure.is_ratio and low < t.relative_benefit and high > t.relative_harm:
            text = f"{ci} spans both appreciable benefit and appreciable harm"
            rules.append(("ci_spans_benefit_and_harm", Rating.VERY_SERIOUS, text))
        else:
            rules.append(("ci_crosses_null", Rating.SERIOUS, f"{ci} includes no effect"))
    if effect.measure is Measure.RD:
        crossed = [x for x in t.absolute_per_1000 if low * 1000 < x < high * 1000]
        if crossed:
            level = Rating.VERY_SERIOUS if len(crossed) > 1 else Rating.SERIOUS
            marks = ", ".join(f"{x:g}" for x in crossed)
            text = f"the CI of the risk difference crosses the threshold(s) {marks} per 1000"
            rules.append(("ci_crosses_threshold", level, text))
    if t.mid is not None and not effect.measure.is_ratio and effect.measure is not Measure.RD:
        crossed_mid = [x for x in (-t.mid, t.mid) if low < x < high]
        if crossed_mid:
            text = f"{ci} crosses the minimal important difference {t.mid:g}"
            rules.append(("ci_crosses_mid", Rating.SERIOUS, text))
    return rules


def _information_rules(ev: OutcomeEvidence, t: ImprecisionThresholds) -> list[Rule]:
    rules: list[Rule] = []
    ois = _ois_for(ev, t)
    n = ev.participants
    if ois is not None and n < ois.total:
        ratio = ois.total / n if n else math.inf
        text = f"{n} participants, below the OIS of {ois.total_needed} ({ratio:.1f} times more)"
        rules.append(("below_ois", Rating.SERIOUS, text))
    if ev.kind is OutcomeKind.BINARY:
        for arm, totals in (("intervention", ev.intervention), ("comparator", ev.comparator)):
            if totals.events == 0:
                text = f"no events in the {arm} group"
                rules.append(("no_events_in_arm", Rating.SERIOUS, text))
        events = ev.events
        if events is not None and events < t.few_events:
            text = f"only {events} events (fewer than {t.few_events})"
            rules.append(("few_events", Rating.SERIOUS, text))
    if ev.studies == 1 and (ois is None or n < ois.total):
        rules.append(("single_small_study", Rating.SERIOUS, f"a single study of {n} participants"))
    return rules


def _ois_for(ev: OutcomeEvidence, t: ImprecisionThresholds) -> OptimalInformationSize | None:
    if ev.kind is OutcomeKind.CONTINUOUS:
        return ois_continuous(t.ois_delta_sd, alpha=t.alpha, power=t.power)
    risk = t.ois_control_risk if t.ois_control_risk is not None else ev.comparator.risk
    if risk is None or not 0 < risk < 1:
        return None
    return ois_binary(risk, t.ois_rrr, alpha=t.alpha, power=t.power)


def _primary_effects(ev: OutcomeEvidence) -> list[EffectEstimate]:
    """The absolute effect first (GRADE 34), then the relative one; estimable ones only."""
    candidates = [ev.risk_difference, ev.relative]
    return [e for e in candidates if e is not None and e.estimable]


def suggest_imprecision(
    ev: OutcomeEvidence, thresholds: ImprecisionThresholds | None = None
) -> Suggestion:
    """Suggested imprecision rating for one outcome, with every rule that fired."""
    t = thresholds or ImprecisionThresholds()
    effects = _primary_effects(ev)
    rules: list[Rule] = []
    if not effects:
        text = "no effect estimate with a CI, so precision cannot be shown"
        rules.append(("not_estimable", Rating.SERIOUS, text))
    for effect in effects:
        rules.extend(r for r in _ci_rules(effect, t) if r[0] not in {x[0] for x in rules})
    rules.extend(_information_rules(ev, t))
    rating = max((r[1] for r in rules), default=Rating.NOT_SERIOUS)
    if rules:
        explanation = sentence("; ".join(r[2] for r in rules))
    else:
        explanation = "The CI excludes no effect and the thresholds, and the OIS is met."
    return Suggestion(
        Domain.IMPRECISION,
        rating,
        explanation,
        tuple(r[0] for r in rules),
        _inputs(ev, effects, t),
    )


def _inputs(
    ev: OutcomeEvidence, effects: list[EffectEstimate], t: ImprecisionThresholds
) -> tuple[tuple[str, str], ...]:
    shown: list[tuple[str, str]] = [
        ("studies", str(ev.studies)),
        ("participants", str(ev.participants)),
    ]
    if ev.events is not None:
        shown.append(("events", str(ev.events)))
    for e in effects:
        shown.append(
            (f"{e.measure} (95% CI)", f"{e.estimate:.3g} ({e.ci_low:.3g} to {e.ci_high:.3g})")
        )
    if t.absolute_per_1000:
        shown.append(("thresholds per 1000", ", ".join(f"{x:g}" for x in t.absolute_per_1000)))
    ois = _ois_for(ev, t)
    if ois is None:
        shown.append(("OIS", "not computable (comparator risk 0 or unknown)"))
    else:
        shown.append(("OIS (total)", str(ois.total_needed)))
        shown.extend(ois.inputs)
    return tuple(shown)
