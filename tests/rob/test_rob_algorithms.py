"""Every path through every RoB 2 algorithm, by enumerating all answer combinations.

The oracle below is written independently of the engine and its TOML tables: applicability of
each question is coded from the "Cond." column of specs/methods.md §1.2 and the judgments from
the pseudo-code of §1.3 (official flowcharts; 2.4 = N/PN gives Some concerns per §1.6). A
combination whose NA answers do not match the questions reached is "incomplete" (§1.6 item 3).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from evidens.rob.engine import fired_rules, propose
from evidens.rob.instrument import get_instrument
from evidens.rob.model import Answer

Y, N = {"Y", "PY"}, {"N", "PN"}
FULL = ("Y", "PY", "PN", "N", "NI")
COND = ("NA", *FULL)
L, SC, H, INCOMPLETE = "low", "some_concerns", "high", "incomplete"

Oracle = Callable[[dict[str, str], dict[str, str]], str]


def consistent(answers: dict[str, str], asked: dict[str, bool]) -> bool:
    """Asked questions are not NA; questions not asked are NA."""
    return all((answers[q] != "NA") == is_asked for q, is_asked in asked.items())


def d1(a: dict[str, str], s: dict[str, str]) -> str:
    if a["1.2"] in N:
        return H
    if a["1.2"] == "NI":
        return H if a["1.3"] in Y else SC
    if a["1.1"] in N:
        return SC
    return SC if a["1.3"] in Y else L


def d2_assignment(a: dict[str, str], s: dict[str, str]) -> str:
    asked = {"2.3": a["2.1"] in Y | {"NI"} or a["2.2"] in Y | {"NI"}}
    asked["2.4"] = a["2.3"] in Y
    asked["2.5"] = a["2.4"] in Y | {"NI"}
    asked["2.7"] = a["2.6"] in N | {"NI"}
    if not consistent(a, asked):
        return INCOMPLETE
    if (a["2.1"] in N and a["2.2"] in N) or a["2.3"] in N:
        part1 = L
    elif a["2.3"] == "NI" or a["2.4"] in N:
        part1 = SC
    else:
        part1 = SC if a["2.5"] in Y else H
    part2 = L if a["2.6"] in Y else (SC if a["2.7"] in N else H)
    order = [L, SC, H]
    return max(part1, part2, key=order.index)


def d2_adhering(a: dict[str, str], s: dict[str, str]) -> str:
    aware = a["2.1"] in Y | {"NI"} or a["2.2"] in Y | {"NI"}
    asked = {"2.3": s["nonprotocol"] == "yes" and aware}
    asked["2.4"] = s["implementation"] == "yes"
    asked["2.5"] = s["adherence"] == "yes"
    asked["2.6"] = a["2.3"] in N | {"NI"} or a["2.4"] in Y | {"NI"} or a["2.5"] in Y | {"NI"}
    if not consistent(a, asked):
        return INCOMPLETE

    def node_24_25() -> str:
        if a["2.4"] in N | {"NA"} and a["2.5"] in N | {"NA"}:
            return L
        return SC if a["2.6"] in Y else H

    if a["2.1"] in N and a["2.2"] in N:
        return node_24_25()
    if a["2.3"] in Y | {"NA"}:
        return node_24_25()
    return SC if a["2.6"] in Y else H


def d3(a: dict[str, str], s: dict[str, str]) -> str:
    asked = {"3.2": a["3.1"] in N | {"NI"}}
    asked["3.3"] = a["3.2"] in N
    asked["3.4"] = a["3.3"] in Y | {"NI"}
    if not consistent(a, asked):
        return INCOMPLETE
    if a["3.1"] in Y or a["3.2"] in Y:
        return L
    if a["3.3"] in N:
        return L
    return SC if a["3.4"] in N else H


def d4(a: dict[str, str], s: dict[str, str]) -> str:
    asked = {"4.3": a["4.1"] in N | {"NI"} and a["4.2"] in N | {"NI"}}
    asked["4.4"] = a["4.3"] in Y | {"NI"}
    asked["4.5"] = a["4.4"] in Y | {"NI"}
    if not consistent(a, asked):
        return INCOMPLETE
    if a["4.1"] in Y or a["4.2"] in Y:
        return H
    if a["4.2"] in N:
        if a["4.3"] in N or a["4.4"] in N:
            return L
        return SC if a["4.5"] in N else H
    if a["4.3"] in N or a["4.4"] in N or a["4.5"] in N:
        return SC
    return H


def d5(a: dict[str, str], s: dict[str, str]) -> str:
    if a["5.2"] in Y or a["5.3"] in Y:
        return H
    if "NI" in (a["5.2"], a["5.3"]):
        return SC
    return L if a["5.1"] in Y else SC


# domain id -> (question ids and options from methods.md §1.2, oracle)
CASES: dict[str, tuple[dict[str, tuple[str, ...]], Oracle]] = {
    "D1": ({"1.1": FULL, "1.2": FULL, "1.3": FULL}, d1),
    "D2-assignment": (
        {"2.1": FULL, "2.2": FULL, "2.3": COND, "2.4": COND, "2.5": COND, "2.6": FULL, "2.7": COND},
        d2_assignment,
    ),
    "D2-adhering": (
        {"2.1": FULL, "2.2": FULL, "2.3": COND, "2.4": COND, "2.5": COND, "2.6": COND},
        d2_adhering,
    ),
    "D3": ({"3.1": FULL, "3.2": ("NA", "Y", "PY", "PN", "N"), "3.3": COND, "3.4": COND}, d3),
    "D4": ({"4.1": FULL, "4.2": FULL, "4.3": COND, "4.4": COND, "4.5": COND}, d4),
    "D5": ({"5.1": FULL, "5.2": FULL, "5.3": FULL}, d5),
}
ADHERING_SETTINGS = [
    {"nonprotocol": a, "implementation": b, "adherence": c}
    for a, b, c in itertools.product(("yes", "no"), repeat=3)
]


@pytest.mark.parametrize("domain_id", list(CASES))
def test_questions_and_options_match_the_spec(domain_id: str) -> None:
    questions, _ = CASES[domain_id]
    domain = get_instrument("rob2").domain(domain_id)
    declared = {q.id: tuple(o.value for o in q.options) for q in domain.questions}
    assert {k: set(v) for k, v in declared.items()} == {k: set(v) for k, v in questions.items()}


@pytest.mark.parametrize("domain_id", list(CASES))
def test_every_answer_combination_matches_the_oracle(domain_id: str) -> None:
    """Exhaustive: e.g. 162,000 combinations for domain 2 (assignment), 259,200 (adhering)."""
    questions, oracle = CASES[domain_id]
    domain = get_instrument("rob2").domain(domain_id)
    settings_list = ADHERING_SETTINGS if domain_id == "D2-adhering" else [{}]
    ids = list(questions)
    fired: set[tuple[int, int]] = set()
    reached: dict[str, int] = {}
    mismatches = []
    rule_index = {
        id(r): (p, i) for p, rules in enumerate(domain.parts) for i, r in enumerate(rules)
    }
    for settings in settings_list:
        for combo in itertools.product(*questions.values()):
            raw = dict(zip(ids, combo, strict=True))
            answers = {k: Answer(v) for k, v in raw.items()}
            proposed, problems = propose(domain, answers, settings)
            got = INCOMPLETE if proposed is None else proposed.value
            want = oracle(raw, settings)
            reached[want] = reached.get(want, 0) + 1
            if got != want:
                mismatches.append((settings, raw, got, want))
            elif proposed is not None:
                fired.update(rule_index[id(r)] for r in fired_rules(domain, answers, settings))
            assert (proposed is None) == bool(problems)
    assert mismatches[:5] == []
    assert set(reached) >= {L, SC, H}
    # no dead rows: every row of every rule table decides at least one combination
    all_rules = set(rule_index.values())
    assert fired == all_rules, f"rules never used: {sorted(all_rules - fired)}"


def test_y_and_probably_y_are_interchangeable() -> None:
    """PY behaves as Y and PN as N (methods.md §1.1): sampled over complete D4 paths."""
    domain = get_instrument("rob2").domain("D4")
    swap = {"Y": "PY", "PY": "Y", "N": "PN", "PN": "N", "NI": "NI", "NA": "NA"}
    questions, _ = CASES["D4"]
    for combo in itertools.product(*questions.values()):
        answers = {k: Answer(v) for k, v in zip(questions, combo, strict=True)}
        swapped = {k: Answer(swap[v.value]) for k, v in answers.items()}
        assert propose(domain, answers, {})[0] == propose(domain, swapped, {})[0]
