"""GRADE's numbers come from the analysis an outcome names: studies, participants, events,
the pooled effect, heterogeneity and the contributing studies' risk of bias weighted as the
analysis weighted them; a number typed beside it is refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from evidens.core import ArmData
from evidens.errors import ConfigError
from evidens.grade import Domain
from evidens.grade.judgments import judgments_from_mapping
from evidens.meta import MetaAnalysis, effects_from_arms
from evidens.rob import Result
from evidens.services.folders import step_files
from evidens.services.synthesis import grading

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"
TWO = [
    ("Rivera 2020", ArmData("diet", events=12, total=40), ArmData("drugs", events=6, total=42)),
    ("Osei 2019", ArmData("diet", events=20, total=61), ArmData("drugs", events=9, total=60)),
]
DOC = {
    "title": "Diet compared to drugs",
    "all_outcomes": {
        **{d: {"rating": "accept"} for d in ("risk_of_bias", "inconsistency", "imprecision")},
        "indirectness": {"rating": "not serious"},
        "publication_bias": {"rating": "accept"},
    },
    "outcomes": [{"name": "Spasm free", "analysis": "spasm-free-rr", "importance": "critical"}],
}


def _fitted() -> dict[str, tuple[object, dict[str, object]]]:
    result = MetaAnalysis(preset="metafor").fit(effects_from_arms("RR", TWO))
    return {"spasm-free-rr": (result, {"outcome": "spasm_free", **result.to_dict()})}


def _rob(levels: dict[str, str]) -> list[Result]:
    """The RISS assessment, relabelled for each study here with the overall level given."""
    (template,) = step_files.folder_rob_results(RISS)
    found = []
    for study, level in levels.items():
        overall = type(template.final_overall).parse(level) if template.final_overall else None
        found.append(
            replace(
                template,
                assessment=replace(template.assessment, study=study),
                final_overall=overall,
            )
        )
    return found


def test_a_two_study_analysis_gives_every_number_of_its_outcome() -> None:
    fitted = _fitted()
    doc = grading.derive(
        DOC, fitted, {}, _rob({"Rivera 2020": "high", "Osei 2019": "low"}), path="j"
    )
    (outcome,) = doc["outcomes"]
    assert outcome["studies"] == 2
    assert outcome["intervention"] == {"total": 101, "events": 32}
    assert outcome["comparator"] == {"total": 102, "events": 15}
    data = fitted["spasm-free-rr"][1]
    weights = {s["label"]: s["weight_random"] / 100 for s in data["studies"]}
    assert {r["study"]: r["weight"] for r in outcome["rob"]} == weights
    assert {r["study"]: r["overall"] for r in outcome["rob"]} == {
        "Rivera 2020": "high",
        "Osei 2019": "low",
    }
    table = judgments_from_mapping(doc).table
    evidence = table.rows[0].assessment.evidence
    assert evidence.studies == 2
    assert evidence.relative is not None
    assert evidence.relative.k == 2
    assert evidence.relative.i2 is not None  # two studies: inconsistency can be assessed
    inconsistency = table.rows[0].assessment.judgment(Domain.INCONSISTENCY)
    assert inconsistency.suggestion is not None
    assert "single study" not in inconsistency.suggestion.explanation.casefold()


def test_a_number_typed_beside_its_analysis_is_refused() -> None:
    typed = {**DOC, "outcomes": [{**DOC["outcomes"][0], "studies": 2}]}
    with pytest.raises(ConfigError, match="come from analysis") as raised:
        grading.derive(typed, _fitted(), {}, [], path="grade/judgments.toml")
    assert "outcomes[0].studies" in str(raised.value)


def test_an_unknown_analysis_names_the_ones_there_are() -> None:
    wrong = {**DOC, "outcomes": [{**DOC["outcomes"][0], "analysis": "spasm-fre-rr"}]}
    with pytest.raises(ConfigError, match="spasm-free-rr"):
        grading.derive(wrong, _fitted(), {}, [], path="grade/judgments.toml")


def test_the_example_judgments_hold_judgments_and_reasons_only() -> None:
    for path in (RISS.parent).glob("*/grade/*.toml"):
        doc, _ = grading.parse_judgments(path.read_bytes())
        assert "rob" not in doc, path
        for outcome in doc["outcomes"]:
            typed = [k for k in grading.DERIVED if k in outcome]
            assert typed == [], (path, outcome["name"])
