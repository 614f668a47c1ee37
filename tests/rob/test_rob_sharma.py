"""The RISS example reproduces the review's Table 3 through the algorithm, not typed judgments.

Expected values: seed 000_bb032bccad503e03 (RISS review), Table 3 for Sharma et al. 2021.
"""

from __future__ import annotations

import json
from pathlib import Path

from evidens.rob import Judgment, assess, dump_assessment, load_assessment, rob_json

L, SC, H = Judgment.LOW, Judgment.SOME_CONCERNS, Judgment.HIGH
TABLE_3 = {
    "D1": L,
    "D2-assignment": SC,
    "D2-adhering": H,
    "D3": L,
    "D4": H,
    "D5": L,
}


def _example(repo_root: Path) -> str:
    return (repo_root / "examples/riss/rob/sharma2021.toml").read_text(encoding="utf-8")


def test_sharma_2021_reproduces_table_3(repo_root: Path) -> None:
    assessment = load_assessment(_example(repo_root))
    assert assessment.overrides == {}  # nothing typed: every judgment is proposed
    result = assess(assessment)
    assert {d.domain: d.proposed for d in result.domains} == TABLE_3
    assert {d.domain: d.final for d in result.domains} == TABLE_3
    assert result.proposed_overall == H
    assert result.final_overall == H
    assert all(not d.problems for d in result.domains)


def test_every_answer_has_a_justification(repo_root: Path) -> None:
    assessment = load_assessment(_example(repo_root))
    for domain_id, answers in assessment.answers.items():
        for question_id in answers:
            assert assessment.justifications[domain_id][question_id].strip()


def test_sharma_file_round_trips_and_feeds_rob_json(repo_root: Path) -> None:
    assessment = load_assessment(_example(repo_root))
    assert load_assessment(dump_assessment(assessment)) == assessment
    document = rob_json([assess(assessment)])
    text = json.dumps(document)  # must be JSON-serialisable as written to OUT/rob.json
    (entry,) = json.loads(text)["assessments"]
    assert entry["overall"] == {"proposed": "high", "final": "high", "override_reason": ""}
    d4 = next(d for d in entry["domains"] if d["domain"] == "D4")
    assert d4["answers"]["4.1"]["answer"] == "PY"
    assert d4["proposed"] == "high"
