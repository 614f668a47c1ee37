"""Dual assessment (discrepancies, consensus) and robvis CSV in and out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.errors import FormatError, ValidationError
from evidens.rob import Answer, Assessment, Judgment, assess, load_assessment
from evidens.rob.dual import Resolution, compare, consensus
from evidens.rob.robvis import (
    RobRow,
    RobTable,
    assessments_from_table,
    read_csv,
    table_from_results,
    write_csv,
)


def _sharma(repo_root: Path) -> Assessment:
    text = (repo_root / "examples/riss/rob/sharma2021.toml").read_text(encoding="utf-8")
    return load_assessment(text)


def _with(a: Assessment, assessor: str, domain: str, **changes: str) -> Assessment:
    answers = {k: dict(v) for k, v in a.answers.items()}
    for question, code in changes.items():
        answers[domain][question.replace("_", ".")] = Answer(code)
    return replace(a, assessor=assessor, answers=answers)


def test_discrepancy_report_per_question_and_domain(repo_root: Path) -> None:
    first = _with(_sharma(repo_root), "MV", "D1")
    # second assessor: 4.1 PN (so 4.3-4.5 are asked) and only certainty differs on 1.1
    second = _with(_sharma(repo_root), "RC", "D4", **{"4_1": "PN", "4_3": "Y", "4_4": "PY"})
    second = _with(second, "RC", "D4", **{"4_5": "PN"})
    second = _with(second, "RC", "D1", **{"1_1": "Y"})
    report = compare(assess(first), assess(second))
    found = {(d.domain, d.question): (d.first, d.second) for d in report.questions}
    assert found == {
        ("D1", "1.1"): (Answer.PY, Answer.Y),
        ("D4", "4.1"): (Answer.PY, Answer.PN),
        ("D4", "4.3"): (None, Answer.Y),
        ("D4", "4.4"): (None, Answer.PY),
        ("D4", "4.5"): (None, Answer.PN),
    }
    assert [d.same_class for d in report.questions if d.question == "1.1"] == [True]
    assert [(j.domain, j.first, j.second) for j in report.judgments] == [
        ("D4", Judgment.HIGH, Judgment.SOME_CONCERNS)
    ]
    assert report.compared == 21 + 3  # 21 answers in the example; 4.3-4.5 only in the second
    assert report.agreement == pytest.approx(1 - 5 / 24)

    with pytest.raises(ValidationError, match=r"unresolved disagreements: D1 1\.1, D4 4\.1"):
        consensus(first, second)
    agreed = consensus(
        first,
        second,
        [
            Resolution("D1", "1.1", Answer.PY, "method not described"),
            Resolution("D4", "4.1", Answer.PY, "parental diaries miss night spasms"),
            Resolution("D4", "4.3", Answer.NA, "not asked once 4.1 is PY"),
            Resolution("D4", "4.4", Answer.NA, "not asked"),
            Resolution("D4", "4.5", Answer.NA, "not asked"),
        ],
    )
    assert agreed.result.final_overall is Judgment.HIGH
    assert agreed.result.domain("D4").proposed is Judgment.HIGH
    assert agreed.assessment.assessor == "consensus of MV and RC"
    assert agreed.assessment.justifications["D4"]["4.1"] == "parental diaries miss night spasms"


def test_settings_disagreement_is_reported_and_blocks_consensus(repo_root: Path) -> None:
    a = _sharma(repo_root)
    b = replace(a, assessor="RC", settings={**a.settings, "implementation": "yes"})
    b_answers = {k: dict(v) for k, v in b.answers.items()}
    b_answers["D2-adhering"]["2.4"] = Answer.PN
    b = replace(b, answers=b_answers)
    report = compare(assess(a), assess(b))
    assert report.settings == (("implementation", "no", "yes"),)
    assert not report.agreed
    with pytest.raises(ValidationError, match="different preliminary settings"):
        consensus(a, b, [Resolution("D2-adhering", "2.4", Answer.PN, "agreed")])


def test_compare_refuses_different_results(repo_root: Path) -> None:
    a = _sharma(repo_root)
    with pytest.raises(ValidationError, match="differ in outcome"):
        compare(assess(a), assess(replace(a, outcome="Electroclinical remission")))


ROB2_CSV = """Study,D1,D2,D3,D4,D5,Overall,Weight
Study 1,Low,Some concerns,High,NI,low,High,33.3
"Smith, 2020",L,SC,H,No information,Low,High,12
"""


def test_read_robvis_csv_maps_codes_not_initials() -> None:
    table = read_csv(ROB2_CSV, "ROB2")
    assert table.domains == ("D1", "D2", "D3", "D4", "D5")
    first, second = table.rows
    assert first.judgments[3] is Judgment.NO_INFORMATION  # robvis would say Not applicable
    assert second.study == "Smith, 2020"
    assert second.weight == 12.0
    assert first.overall is Judgment.HIGH


def test_write_robvis_csv_uses_robvis_labels() -> None:
    out = write_csv(read_csv(ROB2_CSV, "ROB2"))
    assert out.splitlines()[1] == "Study 1,Low,Some concerns,High,No information,Low,High,33.3"
    assert out.splitlines()[2].startswith('"Smith, 2020",Low,Some concerns,High')


def test_robvis_csv_errors_name_line_and_column() -> None:
    with pytest.raises(ValidationError, match="Serious is not a level") as info:
        read_csv(ROB2_CSV.replace("Low,Some", "Serious,Some"), "ROB2")
    assert (info.value.line, info.value.field) == (2, "D1")
    with pytest.raises(FormatError, match="needs 5 domain columns"):
        read_csv("Study,D1,D2,Overall\nA,Low,Low,Low\n", "ROB2")


LEVELS = [Judgment.LOW, Judgment.SOME_CONCERNS, Judgment.HIGH, Judgment.NO_INFORMATION]
_label = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1)
_row = st.builds(
    RobRow,
    study=_label.filter(lambda s: s.strip() == s and s.strip()),
    judgments=st.tuples(*[st.sampled_from(LEVELS)] * 5),
    overall=st.sampled_from(LEVELS),
    weight=st.none(),
)


@given(st.lists(_row, min_size=1, max_size=8))
def test_robvis_csv_round_trip(rows: list[RobRow]) -> None:
    table = RobTable(
        "ROB2", ("D1", "D2", "D3", "D4", "D5"), ("D1", "D2", "D3", "D4", "D5"), tuple(rows)
    )
    assert read_csv(write_csv(table), "ROB2").rows == table.rows


def test_results_to_table_and_import_back(repo_root: Path) -> None:
    table = table_from_results([assess(_sharma(repo_root))], weights={"Sharma 2021": 100.0})
    (row,) = table.rows
    # both domain-2 variants share robvis column D2: the more severe (adhering: High) shows
    assert [j.value for j in row.judgments] == ["low", "high", "low", "high", "low"]
    assert (row.overall, row.weight) == (Judgment.HIGH, 100.0)
    (imported,) = assessments_from_table(table, outcome="Spasm freedom", assessor="import")
    result = assess(imported)
    assert [d.final for d in result.domains] == list(row.judgments)
    assert all(d.proposed is None and d.override_reason for d in result.domains)
    assert result.final_overall is Judgment.HIGH
