"""The engine against R metafor 3.8-1: every case of the golden set must agree.

Provenance: ../shared/data/meta/metafor_reference.json (572 cases, metafor 3.8-1, R 4.2.2,
tightened convergence). Tolerances are the golden set's own (README: rtol 1e-6, atol 1e-9;
p-values rtol 1e-5; I² atol 1e-6), implemented in evidens.meta.validation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.meta.validation import check_case, validate_reference

GOLDEN_CASES_AT_LEAST = 572  # the golden set must never shrink


@pytest.fixture(scope="module")
def golden(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "data" / "meta" / "metafor_reference.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report(golden: dict[str, Any]) -> Any:
    return validate_reference(golden)


def test_every_golden_case_agrees_with_metafor(report: Any) -> None:
    failures = [f"{o.case_id}: {o.detail}" for o in report.outcomes if o.status == "fail"]
    assert failures == []
    assert report.passed == len(report.outcomes)


def test_number_of_compared_cases_never_shrinks(report: Any) -> None:
    assert len(report.outcomes) >= GOLDEN_CASES_AT_LEAST
    assert sum(o.compared for o in report.outcomes) >= 27_000  # values compared, all keys


def test_refusals_match_metafor(report: Any, golden: dict[str, Any]) -> None:
    refused = {c["id"] for c in golden["cases"] if "error" in c["result"]}
    assert len(refused) == 10
    assert {o.case_id for o in report.outcomes if o.status == "refused_ok"} == refused


@pytest.mark.parametrize(
    "analysis",
    [
        "escalc",
        "rma.uni",
        "rma.mh",
        "rma.peto",
        "revman5.mh",
        "pi_tk2",
        "regtest",
        "ranktest",
        "trimfill",
        "subgroup",
        "metareg",
        "leave1out",
        "influence",
    ],
)
def test_each_analysis_is_covered(report: Any, analysis: str) -> None:
    counts = report.per_analysis[analysis]
    assert counts["pass"] > 0
    assert counts["fail"] == 0


def test_a_wrong_reference_value_is_caught(golden: dict[str, Any]) -> None:
    case = next(c for c in golden["cases"] if c["id"] == "bcg.uni.RR.REML")
    tampered = json.loads(json.dumps(case))
    tampered["result"]["tau2"] *= 1.00001  # beyond rtol 1e-6
    outcome = check_case(tampered, golden["datasets"]["bcg"])
    assert outcome.status == "fail"
    assert "tau2" in outcome.detail


def test_engine_answer_where_metafor_refused_is_a_failure(golden: dict[str, Any]) -> None:
    case = json.loads(json.dumps(next(c for c in golden["cases"] if c["id"] == "bcg.uni.RR.DL")))
    case["result"] = {"error": "pretend metafor refused"}
    assert check_case(case, golden["datasets"]["bcg"]).status == "fail"


def test_validate_cli_on_golden_set(shared_dir: Path) -> None:
    path = shared_dir / "data" / "meta" / "metafor_reference.json"
    res = CliRunner().invoke(app, ["validate", "metafor", str(path)])
    assert res.exit_code == 0, res.output
    last = res.output.strip().splitlines()[-1]
    passed = int(last.split()[0])
    assert passed >= GOLDEN_CASES_AT_LEAST
    assert last.endswith("0 failed")


def test_validate_cli_exits_non_zero_on_failure(golden: dict[str, Any], tmp_path: Path) -> None:
    cases = [json.loads(json.dumps(c)) for c in golden["cases"] if c["dataset"] == "bcg_k2"]
    cases[0]["result"]["yi"] = [0.0, 0.0] if "yi" in cases[0]["result"] else None
    subset = {
        "meta": golden["meta"],
        "datasets": {"bcg_k2": golden["datasets"]["bcg_k2"]},
        "cases": cases,
    }
    path = tmp_path / "golden.json"
    path.write_text(json.dumps(subset), encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", "metafor", str(path)])
    assert res.exit_code == 1
    assert res.output.strip().splitlines()[-1] == f"{len(cases) - 1} passed, 1 failed"


def test_validate_cli_rejects_non_golden_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", "metafor", str(path)])
    assert res.exit_code != 0
