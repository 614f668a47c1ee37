"""`evidens sof` on a judgments file, and the loader's error messages (file:line:field)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.errors import FormatError, ValidationError
from evidens.grade import Domain, Rating, load_judgments

RISS = "examples/riss/grade/judgments.toml"


def _evidens(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "from evidens.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_sof_writes_docx_and_prints_a_summary(repo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "sof.docx"
    riss = str(repo_root / RISS)
    done = CliRunner().invoke(app, ["sof", riss, "--format", "docx", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "⊕◯◯◯ Very low" in done.output
    table = Document(str(out)).tables[0]
    assert table.rows[4].cells[4].text == "91 (1 RCT)"


def test_sof_markdown_to_stdout(repo_root: Path) -> None:
    done = CliRunner().invoke(app, ["sof", str(repo_root / RISS), "-f", "md"])
    assert done.exit_code == 0, done.output
    assert "196 more per 1000 (81 to 310 more)" in done.output


def test_sof_errors_are_one_line_with_exit_code_2(repo_root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "t"\n[[outcomes]]\nname = "A"\nintervention = { total = 0 }\n')
    done = _evidens("sof", str(bad), cwd=repo_root)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert f"{bad}:3:outcomes[0].intervention" in done.stderr
    assert "Traceback" not in done.stderr


BASE = """title = "X compared to Y"
[all_outcomes.risk_of_bias]
rating = "not serious"
[all_outcomes.inconsistency]
rating = "accept"
[all_outcomes.indirectness]
rating = "not serious"
[all_outcomes.publication_bias]
rating = "accept"
"""


def test_accept_takes_the_suggestion_and_a_change_needs_a_reason() -> None:
    text = BASE + (
        '[[outcomes]]\nname = "Deaths"\nstudies = 1\n'
        "intervention = { events = 5, total = 100 }\ncomparator = { events = 10, total = 100 }\n"
        '[outcomes.imprecision]\nrating = "accept"\n'
    )
    grade = load_judgments(text)
    assessment = grade.assessments[0]
    assert assessment.judgment(Domain.RISK_OF_BIAS).rating is Rating.NOT_SERIOUS
    imprecision = assessment.judgment(Domain.IMPRECISION)
    assert imprecision.rating is Rating.SERIOUS  # RD CI crosses 0, 15 events, one small trial
    assert not imprecision.overrides_suggestion
    changed = text.replace('rating = "accept"\n', 'rating = "not serious"\n', 3)
    with pytest.raises(ValidationError, match="changing the suggested rating needs a reason"):
        load_judgments(changed, path="j.toml")


def test_pooled_effects_must_come_from_the_analysis() -> None:
    text = BASE + (
        '[[outcomes]]\nname = "Deaths"\nstudies = 3\nrelative = { measure = "RR" }\n'
        "intervention = { events = 5, total = 100 }\ncomparator = { events = 10, total = 100 }\n"
        '[outcomes.imprecision]\nrating = "serious"\nreason = "wide"\n'
    )
    with pytest.raises(ValidationError, match="give estimate, ci_low and ci_high") as info:
        load_judgments(text, path="j.toml")
    assert info.value.location == "j.toml:11:outcomes[0].relative"


def test_broken_toml_names_the_line() -> None:
    with pytest.raises(FormatError) as info:
        load_judgments('title = "x"\n[[outcomes]\n', path="j.toml")
    assert info.value.line == 2
