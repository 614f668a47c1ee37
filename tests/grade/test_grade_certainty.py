"""Certainty arithmetic, judgment rules and the optimal information size.

OIS provenance: methods.md §7 (p0 = 0.20, RRR 25 %, alpha 0.05, power 0.8 -> about 903 per
arm, 1805 in total; 0.2 SD -> about 392 per arm, the "400" rule of thumb).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.core import Certainty, OutcomeKind
from evidens.errors import ValidationError
from evidens.grade import (
    ArmTotals,
    CertaintyAssessment,
    Domain,
    DomainJudgment,
    Importance,
    OutcomeEvidence,
    Rating,
    StudyDesign,
    Suggestion,
    UpgradeFactor,
    UpgradeJudgment,
    accept,
    ois_binary,
    ois_continuous,
    override,
)

OIS_TOL = 0.5  # the spec quotes whole participants


def test_ois_binary_matches_the_spec_vector() -> None:
    ois = ois_binary(0.20, 0.25)
    assert ois.per_arm == pytest.approx(903, abs=OIS_TOL)
    assert ois.total == pytest.approx(1805, abs=2 * OIS_TOL)
    assert dict(ois.inputs)["relative risk reduction"] == "25%"


def test_ois_continuous_gives_the_400_rule_of_thumb() -> None:
    assert ois_continuous(0.2).per_arm == pytest.approx(392, abs=OIS_TOL)


def test_ois_refuses_a_zero_control_risk() -> None:
    with pytest.raises(ValidationError, match="control risk"):
        ois_binary(0.0, 0.25)


def _evidence(design: StudyDesign = StudyDesign.RANDOMIZED) -> OutcomeEvidence:
    return OutcomeEvidence(
        "Mortality", OutcomeKind.BINARY, 3, ArmTotals(300, 30), ArmTotals(300, 45), design=design
    )


def _judgments(*ratings: int) -> tuple[DomainJudgment, ...]:
    return tuple(
        DomainJudgment(d, Rating(r), "reason" if r else "")
        for d, r in zip(Domain, ratings, strict=True)
    )


@pytest.mark.parametrize(
    ("design", "ratings", "expected"),
    [
        (StudyDesign.RANDOMIZED, (0, 0, 0, 0, 0), Certainty.HIGH),
        (StudyDesign.RANDOMIZED, (1, 0, 0, 1, 0), Certainty.LOW),
        (StudyDesign.RANDOMIZED, (1, 0, 0, 1, 1), Certainty.VERY_LOW),  # the RISS pattern
        (StudyDesign.RANDOMIZED, (2, 2, 0, 3, 1), Certainty.VERY_LOW),  # clipped at very low
        (StudyDesign.NON_RANDOMIZED, (0, 0, 0, 0, 0), Certainty.LOW),
        (StudyDesign.NON_RANDOMIZED_ROBINS_I, (2, 0, 0, 0, 0), Certainty.LOW),
    ],
)
def test_certainty_is_start_minus_downgrades(
    design: StudyDesign, ratings: tuple[int, ...], expected: Certainty
) -> None:
    assessment = CertaintyAssessment(_evidence(design), _judgments(*ratings))
    assert assessment.certainty is expected


def test_upgrades_raise_non_randomized_evidence_but_not_past_high() -> None:
    ups = (
        UpgradeJudgment(UpgradeFactor.LARGE_EFFECT, 2, "RR 0.15 (0.10 to 0.22)"),
        UpgradeJudgment(UpgradeFactor.DOSE_RESPONSE, 1, "risk falls with dose"),
    )
    evidence = _evidence(StudyDesign.NON_RANDOMIZED)
    assessment = CertaintyAssessment(evidence, _judgments(0, 0, 0, 0, 0), ups)
    assert assessment.certainty is Certainty.HIGH
    assert Certainty.HIGH.symbol == "⊕⊕⊕⊕"


def test_randomized_evidence_is_not_rated_up() -> None:
    up = (UpgradeJudgment(UpgradeFactor.LARGE_EFFECT, 1, "big"),)
    with pytest.raises(ValidationError, match="non-randomized"):
        CertaintyAssessment(_evidence(), _judgments(0, 0, 0, 0, 0), up)


def test_every_domain_needs_exactly_one_judgment() -> None:
    with pytest.raises(ValidationError, match="publication_bias"):
        CertaintyAssessment(_evidence(), _judgments(0, 0, 0, 0, 0)[:4])


def test_rating_down_needs_a_reason() -> None:
    with pytest.raises(ValidationError, match="needs a written reason"):
        DomainJudgment(Domain.RISK_OF_BIAS, Rating.SERIOUS)
    with pytest.raises(ValidationError, match="cannot be rated extremely serious"):
        DomainJudgment(Domain.INCONSISTENCY, Rating.EXTREMELY_SERIOUS, "x")
    assert DomainJudgment(Domain.IMPRECISION, Rating.EXTREMELY_SERIOUS, "x").rating == 3


def test_overriding_a_suggestion_needs_a_reason() -> None:
    suggestion = Suggestion(Domain.INCONSISTENCY, Rating.SERIOUS, "I² = 80%")
    with pytest.raises(ValidationError, match="changing the suggested rating"):
        DomainJudgment(Domain.INCONSISTENCY, Rating.NOT_SERIOUS, "", suggestion)
    changed = override(suggestion, Rating.NOT_SERIOUS, "explained by dose subgroups")
    assert changed.overrides_suggestion
    taken = accept(suggestion)
    assert not taken.overrides_suggestion
    assert taken.reason == "I² = 80%"


def test_importance_from_the_nine_point_scale() -> None:
    assert Importance.from_score(8) is Importance.CRITICAL
    assert Importance.from_score(5) is Importance.IMPORTANT
    assert Importance.from_score(2) is Importance.NOT_IMPORTANT
    assert Importance.parse("7") is Importance.CRITICAL


def test_rating_words_parse_including_publication_bias_labels() -> None:
    assert Rating.parse("strongly suspected") is Rating.SERIOUS
    assert Rating.parse("Not serious") is Rating.NOT_SERIOUS
    assert Rating.parse("very-serious") is Rating.VERY_SERIOUS
    with pytest.raises(ValidationError, match="unknown rating"):
        Rating.parse("bad")


@given(
    ratings=st.tuples(*(st.integers(0, 2) for _ in range(5))),
    design=st.sampled_from(list(StudyDesign)),
)
def test_certainty_stays_in_range_and_falls_with_each_downgrade(
    ratings: tuple[int, ...], design: StudyDesign
) -> None:
    base = CertaintyAssessment(_evidence(design), _judgments(*ratings)).certainty
    assert Certainty.VERY_LOW <= base <= Certainty.HIGH
    assert base <= design.start
    worse = tuple(min(r + 1, 2) if i == 0 else r for i, r in enumerate(ratings))
    assert CertaintyAssessment(_evidence(design), _judgments(*worse)).certainty <= base
