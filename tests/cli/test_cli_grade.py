"""`evidens grade`: each domain's suggestion with its inputs beside the recorded judgment."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from evidens.cli import app


def flat(output: str) -> str:
    """The table's text with borders and wrapping removed (cells wrap at any width)."""
    return " ".join(output.translate(str.maketrans("", "", "│┃┏┓┗┛┡┩└┘├┤┼━─╇╈┳┻┯┷")).split())


JUDGMENTS = Path(__file__).resolve().parents[2] / "examples" / "riss" / "grade" / "judgments.toml"


def test_grade_shows_suggestions_inputs_and_judgments() -> None:
    result = CliRunner().invoke(
        app, ["grade", str(JUDGMENTS), "--outcome", "Spasm free"], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Spasm free: ⊕◯◯◯ Very low" in text
    assert "weight at high risk = 100%" in text  # the RoB suggestion's input
    assert "Neither the families nor the trial staff were blinded" in text  # the reason
    assert "Electroclinical" not in text


def test_grade_marks_a_judgment_that_departs_from_its_suggestion(tmp_path: Path) -> None:
    review = tmp_path / "riss"  # the judgments file derives its numbers from its review
    shutil.copytree(JUDGMENTS.parents[1], review)
    text = JUDGMENTS.read_text(encoding="utf-8")
    changed = text.replace(
        '[all_outcomes.publication_bias]\nrating = "strongly suspected"',
        '[all_outcomes.publication_bias]\nrating = "undetected"',
    )
    assert changed != text
    path = review / "grade" / "judgments.toml"
    path.write_text(changed, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["grade", str(path), "--outcome", "Spasm free"], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "not serious (changed)" in text
    assert text.count("(changed)") == 1
