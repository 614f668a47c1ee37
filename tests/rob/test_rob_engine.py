"""Engine behaviour: methods.md §7 vectors, the overall rule, overrides, validation, ROBINS-I."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.core import RobJudgment
from evidens.errors import ConfigError, ValidationError
from evidens.rob import (
    Answer,
    Assessment,
    Judgment,
    Override,
    assess,
    get_instrument,
    overall,
    parse_instrument,
    propose,
)

L, SC, H = Judgment.LOW, Judgment.SOME_CONCERNS, Judgment.HIGH
ROB2 = get_instrument("rob2")


def _answers(text: str) -> dict[str, Answer]:
    """'1.1 NI, 1.2 Y' -> {'1.1': NI, '1.2': Y}."""
    pairs = (item.split() for item in text.split(","))
    return {q: Answer(a) for q, a in pairs}


# specs/methods.md §7 "RoB 2 domain cases" (answers -> expected), verbatim from the table
SECTION_7 = [
    ("D1", "1.1 NI, 1.2 Y, 1.3 NI", {}, L),
    ("D1", "1.1 N, 1.2 PY, 1.3 Y", {}, SC),
    ("D1", "1.1 Y, 1.2 NI, 1.3 PY", {}, H),
    ("D2-assignment", "2.1 Y, 2.2 Y, 2.3 Y, 2.4 PN, 2.5 NA, 2.6 Y, 2.7 NA", {}, SC),
    ("D2-assignment", "2.1 N, 2.2 N, 2.3 NA, 2.4 NA, 2.5 NA, 2.6 NI, 2.7 PY", {}, H),
    ("D2-adhering", "2.1 N, 2.2 N, 2.3 NA, 2.4 N, 2.5 PY, 2.6 Y", {}, SC),
    ("D3", "3.1 N, 3.2 PN, 3.3 Y, 3.4 NI", {}, H),
    ("D4", "4.1 N, 4.2 NI, 4.3 Y, 4.4 Y, 4.5 PN", {}, SC),
    ("D5", "5.1 Y, 5.2 N, 5.3 NI", {}, SC),
]


@pytest.mark.parametrize(("domain", "answers", "settings", "expected"), SECTION_7)
def test_methods_section_7_vectors(
    domain: str, answers: str, settings: dict[str, str], expected: Judgment
) -> None:
    defaults = ROB2.resolve_settings(settings)
    assert propose(ROB2.domain(domain), _answers(answers), defaults) == (expected, ())


def test_overall_l_sc_l_sc_l_proposes_some_concerns() -> None:
    """§7: L, SC, L, SC, L -> proposed Some concerns; no count rule escalates it."""
    assert overall(ROB2, [L, SC, L, SC, L]) == SC


def _complete(**overrides: Override) -> Assessment:
    answers = {
        "D1": _answers("1.1 Y, 1.2 Y, 1.3 N"),  # L
        "D2-assignment": _answers("2.1 N, 2.2 N, 2.6 Y"),  # L (2.3-2.5, 2.7 left blank)
        "D3": _answers("3.1 N, 3.2 PN, 3.3 Y, 3.4 N"),  # SC
        "D4": _answers("4.1 N, 4.2 N, 4.3 N"),  # L
        "D5": _answers("5.1 N, 5.2 N, 5.3 N"),  # SC
    }
    return Assessment("Trial A", "Mortality", "AB", "rob2", answers, overrides=overrides)


def test_several_some_concerns_escalate_only_by_recorded_override() -> None:
    plain = assess(_complete())
    assert [d.final for d in plain.domains] == [L, L, SC, L, SC]
    assert plain.proposed_overall == plain.final_overall == SC
    reason = "two SC domains both bear on the same mechanism"
    escalated = assess(_complete(overall=Override(H, reason)))
    assert escalated.proposed_overall == SC
    assert escalated.final_overall == H
    assert escalated.overall_override_reason == reason


def test_override_without_reason_is_refused() -> None:
    with pytest.raises(ValidationError, match="needs a reason") as info:
        assess(_complete(D1=Override(H)))
    assert info.value.field == "overrides.D1.reason"


def test_domain_override_keeps_the_proposal_and_moves_overall() -> None:
    result = assess(_complete(D1=Override(H, "allocation was by alternation in one centre")))
    d1 = result.domain("D1")
    assert (d1.proposed, d1.final, d1.overridden) == (L, H, True)
    assert result.proposed_overall == H


def test_incomplete_answers_give_no_proposal() -> None:
    a = _complete()
    answers = {k: dict(v) for k, v in a.answers.items()}
    del answers["D3"]["3.4"]  # on the active path (3.3 is Y)
    answers["D2-assignment"] = _answers("2.1 Y, 2.2 N, 2.3 NA, 2.6 Y")  # 2.3 is asked
    result = assess(Assessment("T", "O", "AB", "rob2", answers))
    assert result.domain("D3").proposed is None
    assert result.domain("D3").problems == ("D3 3.4: unanswered",)
    assert "2.3: answered NA but asked" in result.domain("D2-assignment").problems[0]
    assert result.proposed_overall is None
    assert not result.complete


def test_answer_not_offered_is_refused() -> None:
    """3.2 has no NI option (methods.md §1.1)."""
    answers = {"D3": _answers("3.1 N, 3.2 NI")}
    with pytest.raises(ValidationError, match="not an option") as info:
        assess(Assessment("T", "O", "AB", "rob2", answers))
    assert info.value.field == "answers.D3.3.2"


def test_domain_not_included_by_settings_is_refused() -> None:
    answers = {"D2-adhering": _answers("2.1 N, 2.2 N")}
    with pytest.raises(ValidationError, match="does not include"):
        assess(Assessment("T", "O", "AB", "rob2", answers))  # effect defaults to assignment


def test_unknown_setting_value_is_refused() -> None:
    with pytest.raises(ConfigError, match="not allowed"):
        assess(Assessment("T", "O", "AB", "rob2", {}, settings={"effect": "itt"}))


def test_judgments_map_to_core_for_grade() -> None:
    assert Judgment.SOME_CONCERNS.to_core() is RobJudgment.SOME_CONCERNS
    assert Judgment.SERIOUS.to_core() is None


def test_ni_is_never_read_as_not_applicable() -> None:
    """robvis reads "NI" by initials as Not applicable (robvis #149); we read codes."""
    assert Judgment.parse("NI") is Judgment.NO_INFORMATION
    assert Judgment.parse("Some concerns") is Judgment.SOME_CONCERNS


ROBINS = get_instrument("robins-i")
ROBINS_LEVELS = [Judgment.LOW, Judgment.MODERATE, Judgment.SERIOUS, Judgment.CRITICAL]


def _robins_overall(levels: list[Judgment]) -> Judgment:
    """methods.md §2.1, in the order the rule is written."""
    if Judgment.CRITICAL in levels:
        return Judgment.CRITICAL
    if Judgment.SERIOUS in levels:
        return Judgment.SERIOUS
    if Judgment.NO_INFORMATION in levels:
        return Judgment.NO_INFORMATION
    if Judgment.MODERATE in levels:
        return Judgment.MODERATE
    return Judgment.LOW


@given(st.lists(st.sampled_from([*ROBINS_LEVELS, Judgment.NO_INFORMATION]), min_size=7, max_size=7))
def test_robins_i_overall_rule(levels: list[Judgment]) -> None:
    assert overall(ROBINS, levels) == _robins_overall(levels)


def test_robins_i_domains_are_judged_by_the_assessor() -> None:
    judged = {f"D{i}": Override(Judgment.MODERATE) for i in range(1, 8)}
    judged["D3"] = Override(Judgment.SERIOUS, "exposure classified from records after outcome")
    answers = {"D6": _answers("6.1 PY, 6.2 Y, 6.3 Y, 6.4 PN")}
    result = assess(Assessment("Cohort B", "Death", "AB", "robins-i", answers, overrides=judged))
    assert all(d.proposed is None for d in result.domains)
    assert result.domain("D6").problems == ()
    assert result.final_overall == Judgment.SERIOUS
    assert len(ROBINS.domains) == 7


def test_rule_tables_must_end_unconditionally() -> None:
    text = """
[instrument]
id = "x"
name = "X"
scale = ["low", "high"]
[[domains]]
id = "A"
name = "A"
[[domains.questions]]
id = "a.1"
text = "?"
options = ["Y", "N"]
[[domains.parts]]
rules = [{ when = "a.1 in Y", judge = "low" }]
"""
    with pytest.raises(ConfigError, match="unconditional"):
        parse_instrument(text)
    with pytest.raises(ConfigError, match="cannot read condition"):
        parse_instrument(text.replace('"a.1 in Y"', '"a.1 is Y"'))


@given(st.lists(st.sampled_from([L, SC, H]), min_size=5, max_size=6))
def test_rob2_overall_is_worst_domain_and_never_counts(levels: list[Judgment]) -> None:
    """methods.md §1.4: proposed overall = worst domain; no count of Some concerns makes High."""
    proposed = overall(ROB2, levels)
    assert proposed == (H if H in levels else SC if SC in levels else L)


def test_plain_codes_are_accepted_as_answers() -> None:
    a = Assessment("T", "O", "A", "rob2", {"D1": {"1.1": "Y", "1.2": "PY", "1.3": "N"}})  # type: ignore[dict-item]
    assert assess(a).domain("D1").proposed is L
    assert a.answers["D1"]["1.2"] is Answer.PY
