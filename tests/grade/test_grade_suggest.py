"""Suggestions driven by real meta-analyses: metafor 3.8-1 golden results (I², τ², CI,
prediction interval, Egger test) for BCG (k = 13), Hine 1989 (k = 6), Egger 2001 (k = 16)
and Normand 1999 (k = 3, continuous), from ../shared/data/meta/metafor_reference.json.

The expected ratings follow from the rules documented in evidens.grade.suggest and
evidens.grade.precision applied to those published figures (e.g. BCG: I² 92 % with trials on
both sides of RR 1 whose CIs do not overlap -> very serious).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from evidens.core import OutcomeKind, RobJudgment
from evidens.grade import (
    ArmTotals,
    Domain,
    EffectEstimate,
    ImprecisionThresholds,
    Measure,
    OutcomeEvidence,
    Rating,
    StudyDesign,
    StudyEffect,
    StudyRob,
    judgments_from_mapping,
    suggest_all,
    suggest_inconsistency,
    suggest_large_effect,
    suggest_publication_bias,
    suggest_risk_of_bias,
)
from evidens.grade.precision import suggest_imprecision

Z = 1.959963984540054


@pytest.fixture(scope="module")
def golden(shared_dir: Path) -> dict[str, Any]:
    return json.loads((shared_dir / "data/meta/metafor_reference.json").read_text())


def _case(golden: dict[str, Any], case_id: str) -> dict[str, Any]:
    return next(c["result"] for c in golden["cases"] if c["id"] == case_id)


def _pooled(
    golden: dict[str, Any], dataset: str, measure: str, egger: float | None = None
) -> OutcomeEvidence:
    """What services will do: adapt a meta-analysis (metafor REML) to grade's input types."""
    cols = golden["datasets"][dataset]["columns"]
    fit = _case(golden, f"{dataset}.uni.{measure}.REML")
    per_study = _case(golden, f"{dataset}.escalc.{measure}")
    ratio = measure in ("RR", "OR")
    back = math.exp if ratio else float
    studies = tuple(
        StudyEffect(name, back(y), back(y - Z * math.sqrt(v)), back(y + Z * math.sqrt(v)))
        for name, y, v in zip(cols["study"], per_study["yi"], per_study["vi"], strict=True)
    )
    effect = EffectEstimate(
        Measure(measure),
        back(fit["estimate"]),
        back(fit["ci_lb"]),
        back(fit["ci_ub"]),
        k=len(studies),
        i2=fit["I2"],
        tau2=fit["tau2"],
        pi_low=back(fit["pi_lb"]),
        pi_high=back(fit["pi_ub"]),
        q_p=fit["QEp"],
        small_study_p=egger,
        studies=studies,
    )
    if ratio:
        arm_i = ArmTotals(sum(cols["n1i"]), sum(cols["ai"]))
        arm_c = ArmTotals(sum(cols["n2i"]), sum(cols["ci"]))
        kind = OutcomeKind.BINARY
    else:
        arm_i, arm_c = ArmTotals(sum(cols["n1i"])), ArmTotals(sum(cols["n2i"]))
        kind = OutcomeKind.CONTINUOUS
    return OutcomeEvidence(dataset, kind, len(studies), arm_i, arm_c, relative=effect)


def test_bcg_heterogeneity_suggests_very_serious_inconsistency(golden: dict[str, Any]) -> None:
    ev = _pooled(golden, "bcg", "RR")
    suggestion = suggest_inconsistency(ev.relative)
    assert suggestion.rating is Rating.VERY_SERIOUS
    assert {"i2_substantial", "q_test", "pi_crosses_null", "ci_no_overlap", "both_sides"} <= set(
        suggestion.rules
    )
    inputs = dict(suggestion.inputs)
    assert inputs["I²"] == "92.2%"  # metafor REML I² 92.22 %
    assert inputs["estimates below / above no effect"] == "11 / 2"
    assert "subgroups" in suggestion.explanation


def test_bcg_precise_but_egger_negative(golden: dict[str, Any]) -> None:
    egger = _case(golden, "bcg.regtest.RR.lm.sei")["pval"]  # classic Egger, p = 0.189
    ev = _pooled(golden, "bcg", "RR", egger=egger)
    found = suggest_all(ev)
    assert found[Domain.PUBLICATION_BIAS].rating is Rating.NOT_SERIOUS
    assert found[Domain.PUBLICATION_BIAS].rules == ("small_study_test",)
    # RR 0.49 (0.34 to 0.70) excludes 1 and 191 064 participants exceed the OIS
    assert found[Domain.IMPRECISION].rating is Rating.NOT_SERIOUS
    assert Domain.RISK_OF_BIAS not in found  # no RoB judgments given: no suggestion


def test_egger_2001_asymmetry_suggests_publication_bias(golden: dict[str, Any]) -> None:
    egger = _case(golden, "egger2001.regtest.OR.lm.sei")["pval"]  # 4.7e-5
    ev = _pooled(golden, "egger2001", "OR", egger=egger)
    suggestion = suggest_all(ev)[Domain.PUBLICATION_BIAS]
    assert suggestion.rating is Rating.SERIOUS
    assert dict(suggestion.inputs)["studies"] == "16"


def test_hine_consistent_but_few_events(golden: dict[str, Any]) -> None:
    ev = _pooled(golden, "hine1989", "RR")
    found = suggest_all(ev)
    assert found[Domain.INCONSISTENCY].rating is Rating.NOT_SERIOUS  # I² = 0
    imprecision = found[Domain.IMPRECISION]
    assert imprecision.rating is Rating.SERIOUS
    assert "ci_crosses_null" not in imprecision.rules  # RR CI 1.001 to 2.88 excludes 1
    assert {"few_events", "below_ois"} <= set(imprecision.rules)  # 58 events, 1164 people


def test_normand_continuous_ci_crosses_null(golden: dict[str, Any]) -> None:
    ev = _pooled(golden, "normand1999", "MD")
    imprecision = suggest_imprecision(ev, ImprecisionThresholds(mid=10))
    assert imprecision.rating is Rating.SERIOUS
    assert {"ci_crosses_null", "ci_crosses_mid"} <= set(imprecision.rules)
    # I² 99 %, six stays shorter and three longer, CIs apart: very serious
    assert suggest_inconsistency(ev.relative).rating is Rating.VERY_SERIOUS


def test_normand_two_trials_same_direction_is_serious_only(golden: dict[str, Any]) -> None:
    ev = _pooled(golden, "normand1999_k2", "MD")
    inconsistency = suggest_inconsistency(ev.relative)
    # I² 87 %, Q p = 0.006, CIs apart - but both trials favour specialist care
    assert inconsistency.rating is Rating.SERIOUS
    assert set(inconsistency.rules) == {"i2_substantial", "q_test", "ci_no_overlap"}


def test_risk_of_bias_is_weighted_by_contribution() -> None:
    mostly_low = [
        StudyRob("A", RobJudgment.LOW, 60),
        StudyRob("B", RobJudgment.HIGH, 25),
        StudyRob("C", RobJudgment.SOME_CONCERNS, 15),
    ]
    assert suggest_risk_of_bias(mostly_low).rating is Rating.NOT_SERIOUS  # type: ignore[union-attr]
    heavy_high = [StudyRob("A", RobJudgment.LOW, 30), StudyRob("B", RobJudgment.HIGH, 70)]
    result = suggest_risk_of_bias(heavy_high)
    assert result is not None
    assert result.rating is Rating.SERIOUS
    assert result.rules == ("mostly_high",)
    assert dict(result.inputs)["weight at high risk"] == "70%"
    assert suggest_risk_of_bias([]) is None


def test_publication_bias_without_test_asks_for_one() -> None:
    suggestion = suggest_publication_bias(12, 5000)
    assert suggestion.rating is Rating.NOT_SERIOUS
    assert suggestion.rules == ("test_missing",)
    assert suggest_publication_bias(1, 91).rating is Rating.SERIOUS


def test_user_threshold_crossing_is_flagged() -> None:
    rd = EffectEstimate(Measure.RD, 0.03, -0.03, 0.07, k=4)
    ev = OutcomeEvidence(
        "x", OutcomeKind.BINARY, 4, ArmTotals(4000, 800), ArmTotals(4000, 680), risk_difference=rd
    )
    found = suggest_imprecision(ev, ImprecisionThresholds(absolute_per_1000=(-20.0, 20.0)))
    assert "ci_crosses_threshold" in found.rules
    assert found.rating is Rating.VERY_SERIOUS  # crosses both -20 and +20 per 1000
    assert dict(found.inputs)["thresholds per 1000"] == "-20, 20"


def test_large_effect_upgrade_only_for_non_randomized() -> None:
    rr = EffectEstimate(Measure.RR, 0.15, 0.10, 0.22, k=3)
    arms = (ArmTotals(500, 10), ArmTotals(500, 70))
    rct = OutcomeEvidence("x", OutcomeKind.BINARY, 3, *arms, relative=rr)
    assert suggest_large_effect(rct) is None
    nrs = OutcomeEvidence(
        "x", OutcomeKind.BINARY, 3, *arms, design=StudyDesign.NON_RANDOMIZED, relative=rr
    )
    upgrade = suggest_large_effect(nrs)
    assert upgrade is not None
    assert upgrade.levels == 1  # CI limit nearest 1 is 0.22: > 2-fold but not > 5-fold


def test_bcg_summary_of_findings_from_accepted_suggestions(golden: dict[str, Any]) -> None:
    """The multi-study example: a SoF row built from BCG's real REML result and Egger test,
    every numeric domain taken from its suggestion."""
    egger = _case(golden, "bcg.regtest.RR.lm.sei")["pval"]
    ev = _pooled(golden, "bcg", "RR", egger=egger)
    rr = ev.relative
    assert rr is not None
    doc = {
        "title": "BCG vaccine compared to no vaccine for tuberculosis",
        "all_outcomes": {
            "risk_of_bias": {"rating": "not serious"},
            "indirectness": {"rating": "not serious"},
            "inconsistency": {"rating": "accept"},
            "imprecision": {"rating": "accept"},
            "publication_bias": {"rating": "accept"},
        },
        "outcomes": [
            {
                "name": "Tuberculosis",
                "studies": ev.studies,
                "intervention": {"events": ev.intervention.events, "total": ev.intervention.total},
                "comparator": {"events": ev.comparator.events, "total": ev.comparator.total},
                "relative": {
                    "measure": "RR",
                    "estimate": rr.estimate,
                    "ci_low": rr.ci_low,
                    "ci_high": rr.ci_high,
                    "k": rr.k,
                    "i2": rr.i2,
                    "tau2": rr.tau2,
                    "pi_low": rr.pi_low,
                    "pi_high": rr.pi_high,
                    "q_p": rr.q_p,
                    "small_study_p": egger,
                    "method": "REML random effects (metafor 3.8-1)",
                    "study_effects": [
                        {
                            "study": s.study,
                            "estimate": s.estimate,
                            "ci_low": s.ci_low,
                            "ci_high": s.ci_high,
                        }
                        for s in rr.studies
                    ],
                },
            }
        ],
    }
    grade = judgments_from_mapping(doc)
    row = grade.table.rows[0]
    assessment = row.assessment
    assert assessment.judgment(Domain.INCONSISTENCY).rating is Rating.VERY_SERIOUS
    assert assessment.judgment(Domain.IMPRECISION).rating is Rating.NOT_SERIOUS
    assert assessment.certainty.label == "Low"
    assert row.relative_text == "RR 0.49 (0.34 to 0.70)"  # exp of metafor's -0.7145 (-1.07, -0.36)
    # pooled control risk 1510 / 166 283 = 9 per 1000; x RR 0.489 -> 5 fewer per 1000
    control = ev.comparator.risk
    assert control is not None
    assert row.absolute[0].comparator_risk == 9
    assert row.absolute[0].difference == -5
    assert row.absolute[0].text == "5 fewer per 1000 (6 to 3 fewer)"
