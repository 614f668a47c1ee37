"""`evidens rob ... --db`: two assessors add their RoB 2 assessments to a store, compare them,
agree, and the outputs come from the consensus, by CLI commands only."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidens.cli import main
from evidens.cli.app import app

SHARMA = Path(__file__).resolve().parents[2] / "examples" / "riss" / "rob" / "sharma2021.toml"
ASSESSOR = 'assessor = "consensus (RISS review, reconstructed)"'


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


class Refused:
    """Runs a command through the console script's error handling (in this process) and
    returns the one line it answers."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys, self.monkeypatch = capsys, monkeypatch

    def __call__(self, *args: str) -> str:
        self.capsys.readouterr()
        self.monkeypatch.setattr(sys, "argv", ["evidens", *args])
        with pytest.raises(SystemExit) as stopped:
            main()
        out, err = self.capsys.readouterr()
        assert stopped.value.code != 0, out
        assert "Traceback" not in out + err
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        return lines[0]


@pytest.fixture
def refused(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Refused:
    monkeypatch.setenv("COLUMNS", "300")
    return Refused(capsys, monkeypatch)


def _assessments(tmp_path: Path) -> tuple[Path, Path]:
    text = SHARMA.read_text(encoding="utf-8")
    assert ASSESSOR in text
    mv, rc = tmp_path / "mv.toml", tmp_path / "rc.toml"
    mv.write_text(text.replace(ASSESSOR, 'assessor = "MV"'), encoding="utf-8")
    changed = text.replace(ASSESSOR, 'assessor = "RC"').replace(
        '"1.3" = { answer = "NI"', '"1.3" = { answer = "N"'
    )
    rc.write_text(changed, encoding="utf-8")
    return mv, rc


def test_two_assessors_agree_inside_a_store(tmp_path: Path, refused: Refused) -> None:
    db = str(tmp_path / "review.db")
    mv, rc = _assessments(tmp_path)
    run("init", "Diets for infantile spasms", "--db", db)
    assert "no risk-of-bias assessments yet" in run("rob", "status", "--db", db)
    assert "no study 'Sharma 2021'" in refused("rob", "add", str(mv), "--as", "MV", "--db", db)
    run("studies", "add", "Sharma 2021", "--as", "MV", "--db", db)
    assert "MV's assessment stored (overall High)" in run(
        "rob", "add", str(mv), "--as", "MV", "--db", db
    )
    run("rob", "add", str(rc), "--as", "RC", "--db", db)

    status = run("rob", "status", "--db", db)
    row = next(line for line in status.splitlines() if "Sharma 2021" in line)
    assert "MV, RC" in row
    assert "│ no " in row  # they do not agree yet, and there is no consensus
    compared = run("rob", "compare", "Sharma 2021", "--db", db)
    differing = [line for line in compared.splitlines() if "│ D" in line]
    assert len(differing) == 1
    assert "1.3" in differing[0]
    assert "NI" in differing[0]

    line = refused("rob", "agree", "Sharma 2021", "--as", "MV", "--db", db)
    assert "unresolved disagreements: D1 1.3" in line
    assert "--resolve" in line
    assert "DOMAIN/QUESTION" in refused(
        "rob", "agree", "Sharma 2021", "--as", "MV", "--resolve", "D1 1.3 NI", "--db", db
    )
    agreed = run(
        "rob", "agree", "Sharma 2021", "--as", "MV", "--resolve", "D1/1.3=NI: no table", "--db", db
    )
    assert "consensus of MV and RC recorded (1 difference settled; overall High)" in agreed
    row = next(line for line in run("rob", "status", "--db", db).splitlines() if "Sharma" in line)
    assert "│ yes " in row

    out = tmp_path / "out"
    run("rob", "outputs", "--out", str(out), "--db", db)
    rob = json.loads((out / "rob.json").read_text(encoding="utf-8"))
    (only,) = rob["assessments"]  # the consensus stands for the two assessors
    assert only["assessor"] == "consensus"
    assert only["domains"][0]["answers"]["1.3"] == {"answer": "NI", "justification": "no table"}
    assert (out / "rob-traffic-light.svg").read_bytes().startswith(b"<?xml")


def test_store_commands_refuse_bad_input_in_one_line(tmp_path: Path, refused: Refused) -> None:
    db = str(tmp_path / "review.db")
    mv, _ = _assessments(tmp_path)
    run("init", "Diets for infantile spasms", "--db", db)
    run("studies", "add", "Sharma 2021", "--as", "MV", "--db", db)
    assert "give one study label" in refused("rob", "compare", "a", "b", "--db", db)
    assert "no risk-of-bias assessment of 'Sharma 2021'" in refused(
        "rob", "compare", "Sharma 2021", "--db", db
    )
    run("rob", "add", str(mv), "--as", "MV", "--db", db)
    assert "1 assessor(s) (MV)" in refused("rob", "agree", "Sharma 2021", "--as", "MV", "--db", db)
    empty = str(tmp_path / "empty.db")
    run("init", "Nothing assessed", "--db", empty)
    assert "no risk-of-bias assessments" in refused(
        "rob", "outputs", "--out", str(tmp_path / "o"), "--db", empty
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('study = "Sharma 2021"\n', encoding="utf-8")
    assert "missing or empty 'outcome'" in refused("rob", "add", str(bad), "--as", "MV", "--db", db)
