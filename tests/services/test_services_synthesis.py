"""`evidens run examples/riss`: extraction, RoB 2 and GRADE files become stored results and the
seed's Tables 2-4 as outputs, through the engines (no typed judgments)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from evidens.services.folders.run import run_review

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"


@pytest.fixture(scope="module")
def riss_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("riss")
    run_review(RISS, out)
    return out


def test_table_2_comes_from_the_consensus_of_two_extractors(riss_out: Path) -> None:
    with (riss_out / "characteristics.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["Sample size"] == "91"  # RC typed 90; the consensus settled on 91
    assert rows[0]["Country"] == "India"
    assert rows[0]["Study Treatment"] == "Modified Atkins diet"
    with (riss_out / "outcomes.csv").open(encoding="utf-8", newline="") as handle:
        outcomes = list(csv.DictReader(handle))
    assert len(outcomes) == 4


def test_table_3_is_reproduced_by_the_rob2_algorithm(riss_out: Path) -> None:
    rob = json.loads((riss_out / "rob.json").read_text(encoding="utf-8"))
    (sharma,) = rob["assessments"]
    assert sharma["study"] == "Sharma 2021"
    finals = [d["final"] for d in sharma["domains"]]
    proposed = [d["proposed"] for d in sharma["domains"]]
    expected = ["low", "some_concerns", "high", "low", "high", "low"]
    assert finals == expected
    assert proposed == expected  # the algorithm, not an override, gave each judgment
    assert (riss_out / "rob-traffic-light.svg").read_bytes().startswith(b"<?xml")


def test_table_4_has_the_seeds_certainty_and_the_effects_it_lacked(riss_out: Path) -> None:
    sof = json.loads((riss_out / "sof.json").read_text(encoding="utf-8"))
    assert [o["certainty"]["level"] for o in sof["outcomes"]] == ["Very low"] * 4
    first = sof["outcomes"][0]
    assert first["participants"] == 91
    assert "196 more per 1000 (81 to 310 more)" in first["absolute_text"]
    assert (riss_out / "sof.docx").read_bytes().startswith(b"PK")


def test_results_are_stored_and_audited(riss_out: Path) -> None:
    engine = create_engine(f"sqlite:///{riss_out / 'review.db'}")
    with engine.connect() as conn:
        overall = conn.execute(text("SELECT overall FROM rob_assessments")).scalars().all()
        arms = conn.execute(
            text(
                "SELECT events, total FROM arm_data a JOIN outcomes o ON o.id = a.outcome_id "
                "WHERE extractor = 'consensus' AND o.name = 'Electroclinical resolution' "
                "ORDER BY role DESC"
            )
        ).all()
        certainty = conn.execute(text("SELECT certainty FROM grade_assessments")).scalars().all()
        actions = set(conn.execute(text("SELECT action FROM audit_log")).scalars().all())
    engine.dispose()
    assert overall == ["high"]
    assert [tuple(a) for a in arms] == [(9, 46), (0, 45)]
    assert certainty == ["Very low"] * 4
    assert {"extract", "assess", "grade", "create"} <= actions


# metafor 3.8-1 on the seed's 9/46 vs 0/45 (shared/data/meta golden cases
# single_9of46_vs_0of45.*): escalc RR with add=0.5/to="only0", and rma.mh RD.
METAFOR_RR = (18.5957, 1.11441, 310.301)
METAFOR_RD_MH = (0.195652, 0.0810129, 0.310291)
RTOL = 1e-5


def test_analyses_estimate_what_the_seed_called_not_estimable(riss_out: Path) -> None:
    analyses = json.loads((riss_out / "analyses.json").read_text(encoding="utf-8"))
    rr = analyses["electroclinical-resolution-rr"]["fixed"]
    assert (rr["exp_estimate"], rr["exp_ci_lb"], rr["exp_ci_ub"]) == pytest.approx(
        METAFOR_RR, rel=RTOL
    )
    rd = analyses["electroclinical-resolution-rd"]["fixed"]
    assert (rd["estimate"], rd["ci_lb"], rd["ci_ub"]) == pytest.approx(METAFOR_RD_MH, rel=RTOL)
    assert "0 events in the control arm" in analyses["electroclinical-resolution-rr"]["warnings"][0]
    forest = (riss_out / "forest-electroclinical-resolution-rr.svg").read_text(encoding="utf-8")
    assert "Favours modified Atkins diet" in forest
    assert "Sharma 2021" in forest


def test_the_report_holds_tables_1_to_4_figure_1_and_the_forest_plots(riss_out: Path) -> None:
    html = (riss_out / "report.html").read_text(encoding="utf-8")
    for text_ in (
        "Table 1",
        "Table 2",
        "Table 3",
        "Table 4",
        "15197",
        "9469",
        "5728",
        "Sharma et al. (2021)",
        "Very low",
        "electroclinical-resolution-rr",
    ):
        assert text_ in html, text_
    assert (riss_out / "report.docx").read_bytes().startswith(b"PK")
    checklist = (riss_out / "prisma-checklist.csv").read_text(encoding="utf-8")
    assert checklist.count("\n") >= 43  # header + 42 items and sub-items
