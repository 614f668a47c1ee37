"""`evidens run` on the examples: the seed's reported counts, fully derived counts on real
exports, reproducible outputs, and counts that move when one decision changes."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidens.services.folders.run import run_review

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def evidens(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evidens.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_riss_writes_the_seeds_counts_marked_as_reported(tmp_path: Path) -> None:
    result = evidens("run", str(EXAMPLES / "riss"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    prisma = json.loads((tmp_path / "prisma.json").read_text(encoding="utf-8"))
    assert prisma["records_identified"]["total"] == 15197
    assert set(prisma["records_identified"]["databases"]) == {
        "PubMed",
        "Embase",
        "Scopus",
        "Web of Science",
        "Cochrane CENTRAL",
    }
    assert set(prisma["records_identified"]["registers"]) == {"WHO ICTRP", "ClinicalTrials.gov"}
    removed = prisma["records_removed_before_screening"]
    assert removed["duplicate_records_removed"] == 9469
    assert prisma["records_screened"] == 5728
    assert prisma["records_excluded"] == 5376
    assert prisma["reports_assessed_for_eligibility"] == 352
    assert prisma["reports_excluded"]["total"] == 351
    assert prisma["studies_included_in_review"] == 1
    for box in (
        "records_identified",
        "records_screened",
        "reports_excluded",
        "studies_included_in_review",
    ):
        assert prisma["basis"][box] == "reported"
    assert all(check["ok"] for check in prisma["checks"])
    searches = json.loads((tmp_path / "searches.json").read_text(encoding="utf-8"))
    assert len(searches) == 7
    assert searches[0]["strategy"].startswith('("west syndrome"[tiab]')
    assert (tmp_path / "review.db").is_file()


def _real_example(tmp_path: Path, shared: Path) -> Path:
    """A copy of examples/dinosaur-records whose export paths point at ../shared."""
    folder = tmp_path / "dinos"
    shutil.copytree(EXAMPLES / "dinosaur-records", folder)
    searches = folder / "searches.toml"
    text = searches.read_text(encoding="utf-8").replace(
        "../../../shared", str(shared).replace("\\", "/")
    )
    searches.write_text(text, encoding="utf-8")
    for log in folder.rglob("*.csv"):
        log.write_text(
            log.read_text(encoding="utf-8").replace(
                "../../../shared", str(shared).replace("\\", "/")
            ),
            encoding="utf-8",
        )
    return folder


def _prisma(folder: Path, out: Path) -> dict[str, object]:
    run_review(folder, out)
    return json.loads((out / "prisma.json").read_text(encoding="utf-8"))


def test_real_exports_give_derived_counts_that_add_up(tmp_path: Path, shared_dir: Path) -> None:
    prisma = _prisma(_real_example(tmp_path, shared_dir), tmp_path / "out")
    assert prisma["records_identified"] == {
        "total": 89,
        "databases": {"PubMed": 50, "Embase": 10, "Scopus": 10, "Web of Science": 10, "CINAHL": 9},
        "registers": {},
        "other_methods": {},
    }
    assert prisma["records_removed_before_screening"]["duplicate_records_removed"] == 5
    assert prisma["records_screened"] == 84
    assert prisma["records_excluded"] == 77
    assert prisma["reports_sought_for_retrieval"] == 7
    assert prisma["reports_not_retrieved"] == 1
    assert prisma["reports_excluded"] == {
        "total": 1,
        "reasons": {"No integument or soft tissue": 1},
    }
    assert prisma["reports_of_included_studies"] == 5
    assert set(prisma["basis"].values()) == {"derived"}
    assert all(check["ok"] for check in prisma["checks"])


@pytest.mark.parametrize("example", ["riss", "dinosaur-records"])
def test_rerunning_gives_identical_outputs(example: str, tmp_path: Path, shared_dir: Path) -> None:
    folder = _real_example(tmp_path, shared_dir) if example != "riss" else EXAMPLES / "riss"
    run_review(folder, tmp_path / "a")
    run_review(folder, tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir() if p.name != "review.db")
    assert {"prisma.json", "prisma.svg", "report.docx", "report.html"} <= set(names)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def _set_decision(log: Path, record: str, reviewer: str, decision: str, reason: str) -> None:
    with log.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hits = [r for r in rows if r["record"] == record and r.get("reviewer") == reviewer]
    assert len(hits) == 1
    hits[0].update(decision=decision, reason=reason)
    with log.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_changing_one_decision_moves_exactly_the_counts_it_should(
    tmp_path: Path, shared_dir: Path
) -> None:
    folder = _real_example(tmp_path, shared_dir)
    before = _prisma(folder, tmp_path / "before")
    # bruno now excludes a report alice includes: a conflict, so it awaits resolution
    _set_decision(
        folder / "screening" / "full_text.csv",
        "pmid:38773066",
        "bruno",
        "exclude",
        "Not a primary study",
    )
    conflict = _prisma(folder, tmp_path / "conflict")
    assert conflict["reports_of_included_studies"] == before["reports_of_included_studies"] - 1
    assert conflict["reports_awaiting_assessment"] == before["reports_awaiting_assessment"] + 1
    assert conflict["reports_excluded"] == before["reports_excluded"]
    # the resolver sides with bruno: one more exclusion, under bruno's reason
    with (folder / "screening" / "full_text_resolutions.csv").open("a", encoding="utf-8") as f:
        f.write("pmid:38773066,alice,exclude,Not a primary study,\n")
    resolved = _prisma(folder, tmp_path / "resolved")
    assert resolved["reports_awaiting_assessment"] == before["reports_awaiting_assessment"]
    assert resolved["reports_excluded"]["reasons"] == {
        "No integument or soft tissue": 1,
        "Not a primary study": 1,
    }
    for box in ("records_screened", "records_excluded", "reports_sought_for_retrieval"):
        assert resolved[box] == before[box]
    assert all(check["ok"] for check in resolved["checks"])


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    result = evidens("run", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "review.toml" in result.stderr


def test_a_bad_decision_line_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "riss"
    shutil.copytree(EXAMPLES / "riss", folder)
    (folder / "screening").mkdir()
    (folder / "screening" / "title_abstract.csv").write_text(
        "record,reviewer,decision\npmid:1,alice,include\npmid:2,bruno,perhaps\n", encoding="utf-8"
    )
    result = evidens("run", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "title_abstract.csv:3:decision" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_import_contracts_hold(repo_root: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        capture_output=True,
        text=True,
        cwd=repo_root,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_decisions_from_logs_are_audited_under_the_reviewers_who_made_them(
    tmp_path: Path, shared_dir: Path
) -> None:
    from sqlalchemy import create_engine, text

    _prisma(_real_example(tmp_path, shared_dir), tmp_path / "out")
    engine = create_engine(f"sqlite:///{tmp_path / 'out' / 'review.db'}")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, after FROM audit_log WHERE action IN ('decide', 'resolve')")
        ).all()
    engine.dispose()
    assert {actor for actor, _ in rows} == {"alice", "bruno"}
    assert all(json.loads(after)["recorded_by"] == "evidens run" for _, after in rows)
    assert len(rows) == 2 * 84 + 2 * 6 + 5 + 1  # both reviewers' decisions + resolutions


def test_report_command_writes_the_report_and_refuses_unknown_formats(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = evidens("report", str(EXAMPLES / "riss"), "--format", "html", "--out", str(out))
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Table 4" in html
    assert "Sharma et al. (2021)" in html
    bad = evidens("report", str(EXAMPLES / "riss"), "--format", "odt", "--out", str(out))
    assert bad.returncode == 2
    assert "unknown report format 'odt'" in bad.stderr
    assert "Traceback" not in bad.stderr
