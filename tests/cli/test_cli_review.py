"""The review commands in a terminal: init, import, dedup, two reviewers screening one
record at a time, a conflict and its resolution, status, prisma and export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from evidens.cli import app

RIS = "".join(
    f"TY  - JOUR\nTI  - {title}\nAU  - Author, A\nPY  - 2021\nDO  - 10.3000/cli.{i}\nER  - \n"
    for i, title in enumerate(
        [
            "Ketogenic diet for refractory infantile spasms",
            "<script>alert('x')</script> Surgery for epileptic spasms",
            "Vigabatrin in adults with focal epilepsy",
        ]
    )
)


def invoke(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_two_reviewers_screen_in_the_terminal_and_a_conflict_is_resolved(tmp_path: Path) -> None:
    db = str(tmp_path / "review.db")
    export = tmp_path / "pubmed.ris"
    export.write_text(RIS, encoding="utf-8")
    invoke("init", "Terminal review", "--db", db)
    assert "3 records (ris)" in invoke("import", str(export), "--source", "PubMed", "--db", db)
    assert "0 duplicates" in invoke("dedup", "--db", db)
    # alice: include (undone while the record is open, then again), include, exclude
    out = invoke("screen", "--reviewer", "alice", "--db", db, input="i\nu\ni\ni\ne\n")
    assert "undid your decision on record" in out
    assert "nothing left to screen" in out
    assert "<script>alert('x')</script>" in out  # shown as text, never interpreted
    # bruno: include, exclude with a note; his undo is refused (the record has both
    # decisions, so they are locked), then exclude
    out = invoke(
        "screen", "--reviewer", "bruno", "--db", db, input="?\ni\nn\nnot spasms\ne\nu\ne\n"
    )
    assert "undid" not in out
    assert "is locked" in out
    assert "a resolver can reopen" in out
    assert "nothing left to screen" in out
    conflicts = invoke("conflicts", "--db", db)
    assert "alice: include" in conflicts
    assert "bruno: exclude" in conflicts
    record_id = conflicts.strip().split()[0]
    invoke(
        "conflicts", "--resolve", record_id, "--decision", "include", "--as", "carol", "--db", db
    )
    assert "no conflicts" in invoke("conflicts", "--db", db)
    report = invoke("screen", "stop-report", "--db", db)
    verdict, _, others = report.partition("Other rules, for comparison only")
    assert ("may stop" in verdict) != ("keep screening" in verdict)  # one verdict
    assert "may stop" not in others
    assert "keep screening" not in others
    assert "final decisions only" in " ".join(verdict.split())
    prisma = json.loads(invoke("prisma", "--db", db))
    assert prisma["records_screened"] == 3
    assert prisma["records_excluded"] == 1
    assert prisma["reports_sought_for_retrieval"] == 2
    assert "records screened" in invoke("status", "--db", db)
    invoke("export", str(tmp_path / "out.csv"), "--db", db)
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["title_abstract_decision"] for r in rows] == ["include", "include", "exclude"]
    assert [r["title_abstract_status"] for r in rows] == [
        "complete-agreed",
        "resolved",
        "complete-agreed",
    ]


def test_decision_log_import_is_all_or_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "review.db")
    export = tmp_path / "pubmed.ris"
    export.write_text(RIS, encoding="utf-8")
    invoke("init", "Log review", "--db", db)
    invoke("import", str(export), "--source", "PubMed", "--db", db)
    log = tmp_path / "ta.csv"
    log.write_text(
        "record,reviewer,decision\ndoi:10.3000/cli.0,alice,include\n"
        "doi:10.3000/nope,alice,exclude\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["screen", "import", str(log), "--db", db])
    assert result.exit_code != 0
    assert "ta.csv:3" in str(result.exception)
    prisma = json.loads(invoke("prisma", "--db", db))
    assert prisma["records_awaiting_screening"] == 3  # the first line was not kept either
