"""A living review in rounds: the update's imports are de-duplicated against every earlier
record, only records new to it are screened, and its PRISMA 2020 updated-review diagram
takes the previous version's studies and reports from the earlier round, nothing counted
twice (examples/living-update, and the same by CLI commands)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.errors import ConfigError
from evidens.services.folders.run import run_review

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "living-update"


def test_the_updates_flow_counts_what_is_new_beside_the_previous_version(tmp_path: Path) -> None:
    """Round 2 found 6 records (PubMed 4, Embase 2); 2 are copies of known records (one of
    round 1's Rivera 2020, one Embase copy of Tanaka 2023), so 4 were screened, 2 excluded
    and 2 included: Tanaka 2023 (a new study) and Rivera 2020's follow-up (a new report of a
    study included before). Previous: 2 studies, 2 reports; total: 3 studies, 4 reports."""
    run_review(EXAMPLE, tmp_path)
    flow = json.loads((tmp_path / "prisma.json").read_text(encoding="utf-8"))
    assert flow["records_identified"]["databases"] == {"PubMed": 4, "Embase": 2}
    assert flow["records_removed_before_screening"]["duplicate_records_removed"] == 2
    assert flow["records_screened"] == 4
    assert flow["records_excluded"] == 2
    assert flow["reports_assessed_for_eligibility"] == 2
    assert flow["studies_included_in_review"] == 1
    assert flow["reports_of_included_studies"] == 2
    assert flow["previous_version"] == {"studies": 2, "reports": 2}
    assert flow["total_studies_included"] == 3
    assert flow["reports_of_total_included_studies"] == 4
    assert all(check["ok"] for check in flow["checks"])
    page = (tmp_path / "prisma.html").read_text(encoding="utf-8")
    assert "Studies included in previous version of review" in page


def test_an_undeclared_round_is_an_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "living"
    shutil.copytree(EXAMPLE, folder)
    review = folder / "review.toml"
    text = review.read_text(encoding="utf-8")
    review.write_text(text.split("[[round]]")[0], encoding="utf-8")
    with pytest.raises(ConfigError, match="round 2 is not declared") as raised:
        run_review(folder, tmp_path / "out")
    assert "searches.toml" in str(raised.value)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_an_update_by_cli_screens_only_new_records(tmp_path: Path) -> None:
    db = str(tmp_path / "review.db")
    exports = EXAMPLE / "exports"
    run("init", "Living", "--db", db)
    run("import", str(exports / "round1-pubmed.ris"), "--source", "PubMed", "--db", db)
    run("dedup", "--db", db)
    log = tmp_path / "round1.csv"
    rows = [
        f"doi:10.5555/liv.{key},{who},{'include' if key == 'a' else 'exclude'}"
        for key in "abchi"
        for who in ("alice", "bruno")
    ]
    log.write_text("record,reviewer,decision\n" + "\n".join(rows) + "\n", encoding="utf-8")
    run("screen", "import", str(log), "--db", db)
    assert "round 2 started" in run(
        "round",
        "start",
        "Update 2024",
        "--searched-from",
        "2023-01-10",
        "--as",
        "alice",
        "--db",
        db,
    )
    run("import", str(exports / "round2-pubmed.ris"), "--source", "PubMed", "--db", db)
    run("dedup", "--db", db)
    flow = json.loads(run("prisma", "--db", db))
    assert flow["records_identified"]["databases"] == {"PubMed": 4}
    assert flow["records_removed_before_screening"]["duplicate_records_removed"] == 1
    assert flow["records_screened"] == 0  # the copy of Rivera 2020 kept its round-1 decisions
    assert flow["records_awaiting_screening"] == 3
    assert "2. Update 2024, searched from 2023-01-10" in run("round", "list", "--db", db)
