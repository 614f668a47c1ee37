"""`evidens fulltext` and `evidens studies` inside a store: from an imported, screened record
to a study with its report, by CLI commands only."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from typer.testing import CliRunner

from evidens.cli.app import app

RIS = (
    "TY  - JOUR\nTI  - Ketogenic diet for infantile spasms\nAU  - Rivera, Ana\nPY  - 2020\n"
    "DO  - 10.1000/ft.1\nER  - \n"
    "TY  - JOUR\nTI  - Vigabatrin in adults\nAU  - Osei, Kwame\nPY  - 2019\n"
    "DO  - 10.1000/ft.2\nER  - \n"
)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_report_from_screening_to_its_study_by_cli_only(tmp_path: Path) -> None:
    db = str(tmp_path / "review.db")
    (tmp_path / "pubmed.ris").write_text(RIS, encoding="utf-8")
    run("init", "Full texts", "--db", db)
    run("import", str(tmp_path / "pubmed.ris"), "--source", "PubMed", "--db", db)
    run("dedup", "--db", db)
    log = tmp_path / "ta.csv"
    rows = [
        f"doi:10.1000/ft.{n},{who},{d}"
        for n, d in ((1, "include"), (2, "exclude"))
        for who in ("alice", "bruno")
    ]
    log.write_text("record,reviewer,decision\n" + "\n".join(rows) + "\n", encoding="utf-8")
    run("screen", "import", str(log), "--db", db)
    listed = run("fulltext", "list", "--db", db)
    assert "Ketogenic" in listed
    assert "Vigabatrin" not in listed  # excluded at title/abstract: not sought
    record = listed.split("Ketogenic")[0].split("\n")[-1].strip(" │|").split()[0]

    figure = plt.figure(figsize=(2, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    plt.close(figure)
    pdf = tmp_path / "rivera.pdf"
    pdf.write_bytes(buffer.getvalue())
    fake = tmp_path / "fake.pdf"
    fake.write_text("<html>paywall</html>", encoding="utf-8")
    command = ["fulltext", "attach", record, str(fake), "--as", "alice", "--db", db]
    refused = subprocess.run(
        [sys.executable, "-m", "evidens.cli", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "not a PDF" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    run("fulltext", "attach", record, str(pdf), "--as", "alice", "--db", db)
    run("fulltext", "get", record, "--out", str(tmp_path / "back.pdf"), "--as", "a", "--db", db)
    assert (tmp_path / "back.pdf").read_bytes() == pdf.read_bytes()

    for who in ("alice", "bruno"):
        run("fulltext", "decide", record, "--decision", "include", "--as", who, "--db", db)
    run("studies", "add", "Rivera 2020", "--as", "alice", "--db", db)
    run("studies", "link", "Rivera 2020", record, "--as", "alice", "--db", db)
    assert "Rivera, Ana" in run("studies", "list", "--db", db)
    prisma = json.loads(run("prisma", "--db", db))
    assert prisma["reports_assessed_for_eligibility"] == 1
    assert prisma["studies_included_in_review"] == 1
