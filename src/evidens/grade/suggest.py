"""Suggested ratings for risk of bias, inconsistency and publication bias (and large effects).

Suggestions, never silent decisions: each returns a :class:`Suggestion` naming the rules
that fired and the figures it looked at; the assessor accepts it or changes it with a
reason (:func:`evidens.grade.model.accept` / :func:`~evidens.grade.model.override`).
Indirectness has no suggestion: it compares the studies' PICO with the review question,
which no number in the analysis can do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from evidens.core import RobJudgment
from evidens.grade.inputs import (
    EffectEstimate,
    OutcomeEvidence,
    StudyDesign,
    StudyEffect,
    StudyRob,
)
from evidens.grade.model import (
    Domain,
    Rating,
    Suggestion,
    UpgradeFactor,
    sentence,
)
from evidens.grade.precision import ImprecisionThresholds, suggest_imprecision


def suggest_risk_of_bias(studies: Sequence[StudyRob]) -> Suggestion | None:
    """Weight-share of high / some-concerns studies, as GRADE weighs limitations by their
    contribution: most weight from high-risk studies, or from studies not at low risk,
    suggests serious. ``None`` without any judgments to weigh."""
    total = sum(max(s.weight, 0.0) for s in studies)
    if not studies or total <= 0:
        return None
    share = {
        level: sum(s.weight for s in studies if s.overall is level) / total for level in RobJudgment
    }
    high, some = share[RobJudgment.HIGH], share[RobJudgment.SOME_CONCERNS]
    inputs = (
        ("studies", str(len(studies))),
        ("weight at high risk", f"{high:.0%}"),
        ("weight with some concerns", f"{some:.0%}"),
        ("weight at low risk", f"{share[RobJudgment.LOW]:.0%}"),
    )
    if high >= 0.5:
        text = (
            f"{high:.0%} of the weight comes from studies at high risk of bias "
            "(rate down twice if their limitations are crucial)"
        )
        return Suggestion(Domain.RISK_OF_BIAS, Rating.SERIOUS, text, ("mostly_high",), inputs)
    if high + some >= 0.5:
        text = f"{high + some:.0%} of the weight comes from studies not at low risk of bias"
        return Suggestion(Domain.RISK_OF_BIAS, Rating.SERIOUS, text, ("mostly_not_low",), inputs)
    text = f"{share[RobJudgment.LOW]:.0%} of the weight comes from studies at low risk of bias"
    return Suggestion(Domain.RISK_OF_BIAS, Rating.NOT_SERIOUS, text, ("mostly_low",), inputs)


def _non_overlapping_pairs(studies: Sequence[StudyEffect]) -> int:
    return sum(
        1 for a, b in combinations(studies, 2) if a.ci_high < b.ci_low or b.ci_high < a.ci_low
    )


@dataclass(frozen=True)
class _Spread:
    below: int
    above: int
    non_overlapping: int


def _spread(effect: EffectEstimate) -> _Spread:
    null = effect.measure.null
    return _Spread(
        sum(1 for s in effect.studies if s.estimate < null),
        sum(1 for s in effect.studies if s.estimate > null),
        _non_overlapping_pairs(effect.studies),
    )


def _inconsistency_signals(effect: EffectEstimate, spread: _Spread) -> list[tuple[str, str]]:
    signals: list[tuple[str, str]] = []
    if effect.i2 is not None and effect.i2 >= 50:
        signals.append(("i2_substantial", f"I² = {effect.i2:.0f}% (substantial or considerable)"))
    if effect.q_p is not None and effect.q_p < 0.10:
        signals.append(("q_test", f"heterogeneity test p = {effect.q_p:.2g}"))
    null = effect.measure.null
    ci_excludes = effect.estimable and not effect.values()[1] < null < effect.values()[2]
    pi_low, pi_high = effect.pi_low, effect.pi_high
    if pi_low is not None and pi_high is not None and ci_excludes and pi_low < null < pi_high:
        text = (
            f"prediction interval {pi_low:.3g} to {pi_high:.3g} includes no "
            "effect although the CI does not"
        )
        signals.append(("pi_crosses_null", text))
    if spread.non_overlapping:
        text = f"{spread.non_overlapping} pair(s) of studies with non-overlapping CIs"
        signals.append(("ci_no_overlap", text))
    if spread.below and spread.above:
        text = f"point estimates on both sides of no effect ({spread.below} vs {spread.above})"
        signals.append(("both_sides", text))
    return signals


def suggest_inconsistency(effect: EffectEstimate | None) -> Suggestion:
    """I², τ², the prediction interval, the Q test and CI overlap, per GRADE 7 and the
    Handbook's overlapping I² bands. Two or more signals, or I² >= 75%, suggest serious;
    considerable I² with studies on both sides of no effect and CIs that do not overlap
    suggests very serious. A single study cannot be inconsistent."""
    if effect is None or effect.k < 2:
        text = "A single study: inconsistency cannot be assessed."
        inputs = (("studies", "1" if effect is None else str(effect.k)),)
        return Suggestion(Domain.INCONSISTENCY, Rating.NOT_SERIOUS, text, ("single_study",), inputs)
    spread = _spread(effect)
    signals = _inconsistency_signals(effect, spread)
    i2 = effect.i2 or 0.0
    if i2 >= 75 and spread.below and spread.above and spread.non_overlapping:
        rating = Rating.VERY_SERIOUS
    elif len(signals) >= 2 or i2 >= 75:
        rating = Rating.SERIOUS
    else:
        rating = Rating.NOT_SERIOUS
    if signals:
        explanation = sentence("; ".join(s[1] for s in signals))
    else:
        explanation = f"I² = {i2:.0f}% and the study estimates agree."
    if rating:
        explanation += " Look for an explanation (subgroups) before rating down."
    return Suggestion(
        Domain.INCONSISTENCY,
        rating,
        explanation,
        tuple(s[0] for s in signals),
        _het_inputs(effect, spread),
    )


def _het_inputs(effect: EffectEstimate, spread: _Spread) -> tuple[tuple[str, str], ...]:
    shown = [("studies", str(effect.k))]
    if effect.i2 is not None:
        shown.append(("I²", f"{effect.i2:.1f}%"))
    if effect.tau2 is not None:
        shown.append(("τ²", f"{effect.tau2:.4g}"))
    if effect.q_p is not None:
        shown.append(("Q test p", f"{effect.q_p:.3g}"))
    if effect.pi_low is not None and effect.pi_high is not None:
        shown.append(("prediction interval", f"{effect.pi_low:.3g} to {effect.pi_high:.3g}"))
    if effect.studies:
        shown.append(("estimates below / above no effect", f"{spread.below} / {spread.above}"))
        shown.append(("pairs with non-overlapping CIs", str(spread.non_overlapping)))
    return tuple(shown)


def suggest_publication_bias(
    k: int,
    participants: int,
    small_study_p: float | None = None,
    *,
    small_body: int = 400,
    alpha: float = 0.10,
) -> Suggestion:
    """Small-study test when k >= 10 (Sterne et al. 2011: p < 0.10); below that, a body of
    evidence of few small studies (fewer than ``small_body`` participants in all) is
    suspected, as unpublished small negative studies would change it most."""
    p = small_study_p
    inputs: list[tuple[str, str]] = [("studies", str(k)), ("participants", str(participants))]
    if p is not None:
        inputs.append(("small-study test p", f"{p:.3g}"))
    if k >= 10:
        if p is not None and p < alpha:
            text = f"A small-study test finds funnel-plot asymmetry (p = {p:.2g} < {alpha:g})."
            return _pb(Rating.SERIOUS, text, "small_study_test", inputs)
        if p is None:
            text = f"{k} studies allow a small-study test, but none was run: run Egger's test."
            return _pb(Rating.NOT_SERIOUS, text, "test_missing", inputs)
        text = f"No funnel-plot asymmetry found (p = {p:.2g})."
        return _pb(Rating.NOT_SERIOUS, text, "small_study_test", inputs)
    if participants < small_body:
        text = (
            f"Only {k} small {'study' if k == 1 else 'studies'} ({participants} participants): "
            "too few for a small-study test, and the kind of evidence unpublished studies "
            "would change most."
        )
        return _pb(Rating.SERIOUS, text, "few_small_studies", inputs)
    text = f"{k} studies are too few for a small-study test; nothing else suggests bias."
    return _pb(Rating.NOT_SERIOUS, text, "too_few_for_test", inputs)


def _pb(rating: Rating, text: str, rule: str, inputs: list[tuple[str, str]]) -> Suggestion:
    return Suggestion(Domain.PUBLICATION_BIAS, rating, text, (rule,), tuple(inputs))


@dataclass(frozen=True)
class UpgradeSuggestion:
    factor: UpgradeFactor
    levels: int
    explanation: str
    inputs: tuple[tuple[str, str], ...] = ()


def suggest_large_effect(ev: OutcomeEvidence) -> UpgradeSuggestion | None:
    """GRADE's rule of thumb for non-randomized evidence: RR > 2 or < 0.5 rates up once,
    > 5 or < 0.2 twice - only when the CI agrees (its nearer limit is past the cut-off)."""
    effect = ev.relative
    if ev.design is StudyDesign.RANDOMIZED or effect is None or not effect.estimable:
        return None
    if not effect.measure.is_ratio:
        return None
    estimate, low, high = effect.values()
    near = low if estimate > 1 else 1 / high
    levels = 2 if near > 5 else 1 if near > 2 else 0
    inputs = (
        (
            f"{effect.measure} (95% CI)",
            f"{effect.estimate:.3g} ({effect.ci_low:.3g} to {effect.ci_high:.3g})",
        ),
    )
    text = f"{effect.measure} {estimate:.2f}: CI limit nearest no effect is {near:.2f}-fold"
    return UpgradeSuggestion(UpgradeFactor.LARGE_EFFECT, levels, text, inputs)


def suggest_all(
    ev: OutcomeEvidence,
    rob: Sequence[StudyRob] = (),
    thresholds: ImprecisionThresholds | None = None,
) -> dict[Domain, Suggestion]:
    """Every suggestion the data support, keyed by domain (indirectness never appears)."""
    found: dict[Domain, Suggestion] = {}
    rob_suggestion = suggest_risk_of_bias(rob)
    if rob_suggestion is not None:
        found[Domain.RISK_OF_BIAS] = rob_suggestion
    found[Domain.INCONSISTENCY] = suggest_inconsistency(_inconsistency_basis(ev))
    found[Domain.IMPRECISION] = suggest_imprecision(ev, thresholds)
    pooled = ev.relative or ev.risk_difference
    found[Domain.PUBLICATION_BIAS] = suggest_publication_bias(
        ev.studies, ev.participants, pooled.small_study_p if pooled else None
    )
    return found


def _inconsistency_basis(ev: OutcomeEvidence) -> EffectEstimate | None:
    for effect in (ev.relative, ev.risk_difference):
        if effect is not None and effect.k >= 2:
            return effect
    return ev.relative or ev.risk_difference
