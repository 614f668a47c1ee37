"""Agreement statistics against methods.md §7 and against irrCAC (Gwet's reference package).

Provenance of the irrCAC figures: the Python port of irrCAC (afergadis/irrCAC, tests
test/unit/irrCAC/table/test_{cohen,gwet,brennan_prediger}.py and the table.py docstring) on
Gwet's ``cont3x3abstractors`` table, reported to 3 decimals (AC1 SE and p_e to 5).
"""

from __future__ import annotations

import pytest

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.errors import EstimationError
from evidens.screening.agreement import (
    agreement_from_table,
    all_pairs,
    landis_koch,
    pair_agreement,
    pilot_sample,
)

SPEC = 5e-5  # methods.md §7 prints 4 significant decimals
IRRCAC = 5e-4  # irrCAC values are rounded to 3 decimals
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def test_methods_section7_vector() -> None:
    result = agreement_from_table([[20, 10], [5, 965]])
    assert result.n == 1000
    assert result.observed == pytest.approx(0.985, abs=SPEC)
    assert result.kappa.chance == pytest.approx(0.9465, abs=SPEC)
    assert result.kappa.value == pytest.approx(0.7196, abs=SPEC)
    assert result.pabak.value == pytest.approx(0.970, abs=SPEC)
    assert result.ac1.chance == pytest.approx(0.0534875, abs=1e-9)
    assert result.ac1.value == pytest.approx(0.9842, abs=SPEC)
    assert result.prevalence_index == pytest.approx(-0.945, abs=1e-12)
    assert result.bias_index == pytest.approx(0.005, abs=1e-12)


def test_kappa_identity_from_pabak_and_indices() -> None:
    """methods.md §6: κ = (PABAK − PI² + BI²)/(1 − PI² + BI²) for a 2×2 table."""
    result = agreement_from_table([[20, 10], [5, 965]])
    pi, bi = result.prevalence_index, result.bias_index
    assert pi is not None
    assert bi is not None
    identity = (result.pabak.value - pi**2 + bi**2) / (1 - pi**2 + bi**2)
    assert identity == pytest.approx(result.kappa.value, abs=1e-12)


def test_simple_kappa_se_of_section6() -> None:
    # sqrt(p_o(1 − p_o) / (n (1 − p_e)²)) = sqrt(0.985·0.015/1000)/0.0535 = 0.0038438/0.0535.
    result = agreement_from_table([[20, 10], [5, 965]])
    assert result.kappa_se_simple == pytest.approx(0.0718471, abs=1e-6)


def test_irrcac_cohen_kappa() -> None:
    kappa = agreement_from_table(ABSTRACTORS).kappa
    assert kappa.value == pytest.approx(0.796, abs=IRRCAC)
    assert kappa.ci_low == pytest.approx(0.680, abs=IRRCAC)
    assert kappa.ci_high == pytest.approx(0.913, abs=IRRCAC)


def test_irrcac_gwet_ac1() -> None:
    ac1 = agreement_from_table(ABSTRACTORS).ac1
    assert ac1.value == pytest.approx(0.84933, abs=5e-6)
    assert ac1.se == pytest.approx(0.04322, abs=5e-6)
    assert ac1.chance == pytest.approx(0.26992, abs=5e-6)
    assert ac1.ci_low == pytest.approx(0.76358, abs=5e-6)
    assert ac1.ci_high == pytest.approx(0.93508, abs=5e-6)


def test_irrcac_brennan_prediger_is_pabak() -> None:
    pabak = agreement_from_table(ABSTRACTORS).pabak
    assert pabak.value == pytest.approx(0.835, abs=IRRCAC)
    assert pabak.ci_low == pytest.approx(0.742, abs=IRRCAC)
    assert pabak.ci_high == pytest.approx(0.928, abs=IRRCAC)


def test_kappa_undefined_when_one_category_only() -> None:
    with pytest.raises(EstimationError, match="undefined"):
        agreement_from_table([[0, 0], [0, 50]])


def test_empty_table_is_an_error() -> None:
    with pytest.raises(EstimationError, match="no record"):
        agreement_from_table([[0, 0], [0, 0]])


def _decisions(
    pairs: list[tuple[str, str]], stage: Stage = Stage.TITLE_ABSTRACT
) -> list[ScreeningDecision]:
    out = []
    for record, (first, second) in enumerate(pairs, start=1):
        out.append(ScreeningDecision(record, stage, "ann", Decision(first)))
        out.append(ScreeningDecision(record, stage, "bob", Decision(second)))
    return out


def test_pair_agreement_builds_the_table_from_decisions() -> None:
    pairs = [("include", "include")] * 20 + [("include", "exclude")] * 10
    pairs += [("exclude", "include")] * 5 + [("exclude", "exclude")] * 965
    result = pair_agreement(_decisions(pairs), "ann", "bob", Stage.TITLE_ABSTRACT)
    assert result.table == ((20, 10), (5, 965))
    assert result.kappa.value == pytest.approx(0.7196, abs=SPEC)


def test_maybe_counts_as_include_by_default_and_separately_on_request() -> None:
    pairs = [("maybe", "include"), ("exclude", "exclude"), ("maybe", "exclude")]
    binary = pair_agreement(_decisions(pairs), "ann", "bob", Stage.TITLE_ABSTRACT)
    assert binary.table == ((1, 1), (0, 1))
    three = pair_agreement(
        _decisions(pairs), "ann", "bob", Stage.TITLE_ABSTRACT, maybe_as_include=False
    )
    assert three.categories == ("include", "maybe", "exclude")
    assert three.table == ((0, 0, 0), (1, 0, 1), (0, 0, 1))


def test_all_pairs_separates_stages_and_skips_pairs_without_overlap() -> None:
    decisions = _decisions([("include", "include"), ("exclude", "exclude"), ("include", "exclude")])
    decisions.append(ScreeningDecision(99, Stage.FULL_TEXT, "cy", Decision.INCLUDE))
    results = all_pairs(decisions)
    assert [(r.reviewer_a, r.reviewer_b, r.stage) for r in results] == [
        ("ann", "bob", Stage.TITLE_ABSTRACT)
    ]


def test_landis_koch_bands() -> None:
    assert [landis_koch(v) for v in (-0.1, 0.1, 0.3, 0.5, 0.7, 0.9)] == [
        "poor", "slight", "fair", "moderate", "substantial", "almost perfect",
    ]  # fmt: skip


def test_pilot_sample_is_reproducible_and_order_free() -> None:
    ids = list(range(1, 501))
    first = pilot_sample(ids, 50, seed=7)
    assert first == pilot_sample(list(reversed(ids)), 50, seed=7)
    assert len(set(first)) == 50
    assert set(first) <= set(ids)
    assert first != pilot_sample(ids, 50, seed=8)
    assert pilot_sample([3, 1, 2], 10, seed=1) == (1, 2, 3)


def _team_decisions(reviewers: int, records: int) -> list[ScreeningDecision]:
    """Two of ``reviewers`` per record (some changing their mind later), at both stages."""
    import datetime as dt
    import random

    rng = random.Random(5)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    names = [f"r{i:02d}" for i in range(reviewers)]
    out = []
    for record in range(records):
        stage = Stage.TITLE_ABSTRACT if record % 4 else Stage.FULL_TEXT
        for who in rng.sample(names, 2):
            for again in range(rng.choice([1, 1, 2])):
                choice = Decision(rng.choice(["include", "exclude", "maybe"]))
                when = start + dt.timedelta(minutes=record, seconds=again)
                out.append(ScreeningDecision(record, stage, who, choice, decided_at=when))
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("maybe_as_include", [True, False])
def test_all_pairs_equals_each_pair_on_its_own(maybe_as_include: bool) -> None:
    decisions = _team_decisions(6, 300)
    expected = []
    for stage in Stage:
        names = sorted({d.reviewer for d in decisions if d.stage is stage})
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                try:
                    expected.append(
                        pair_agreement(decisions, a, b, stage, maybe_as_include=maybe_as_include)
                    )
                except EstimationError:
                    continue
    assert all_pairs(decisions, maybe_as_include=maybe_as_include) == tuple(expected)


def test_all_pairs_reads_the_decisions_once_however_many_reviewers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """20 reviewers are 190 pairs: one pass over every decision per pair made a large
    review's dashboard take seconds (benchmarks/web.py --phase pages)."""
    from evidens.screening import agreement

    calls = []
    original = agreement.group_by_record

    def counted(decisions):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(decisions)

    monkeypatch.setattr(agreement, "group_by_record", counted)
    assert len(all_pairs(_team_decisions(20, 400))) > 100
    assert len(calls) == 1
