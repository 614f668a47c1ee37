"""`evidens rob compare`: two assessors' RoB 2 answers, discrepancies per question and domain."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from evidens.cli import app

SHARMA = Path(__file__).resolve().parents[2] / "examples" / "riss" / "rob" / "sharma2021.toml"


def test_compare_lists_exactly_the_questions_and_judgments_that_differ(tmp_path: Path) -> None:
    text = SHARMA.read_text(encoding="utf-8")
    second = tmp_path / "rc.toml"
    changed = text.replace('"4.1" = { answer = "PY",', '"4.1" = { answer = "N",')
    assert changed != text
    second.write_text(changed, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["rob", "compare", str(SHARMA), str(second)], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "│ D" in line]
    assert len(rows) == 1
    assert "4.1" in rows[0]
    assert "PY" in rows[0]
    assert "│ N " in rows[0]
    assert "judgment differs in D4" in result.output
    same = CliRunner().invoke(app, ["rob", "compare", str(SHARMA), str(SHARMA)])
    assert "no discrepancies" in same.output
