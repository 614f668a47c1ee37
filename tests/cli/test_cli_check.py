"""`evidens check DIR`: one line per problem and exit 1, or "ok" and exit 0."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO_ROOT
from typer.testing import CliRunner

from evidens.cli import app


def test_check_lists_every_problem_one_line_each(tmp_path: Path) -> None:
    folder = tmp_path / "riss"
    shutil.copytree(REPO_ROOT / "examples" / "riss", folder)
    review = folder / "review.toml"
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("[pico]", "[pcio]").replace('measure = "RD"', 'mesure = "RD"'))
    result = CliRunner().invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{review}:15:pcio: unknown table 'pcio' (did you mean [pico]?)")
    assert ":analysis[1].mesure: unknown key 'mesure' (did you mean measure?)" in lines[1]
    assert "2 problems found" in result.stderr


def test_check_says_ok_for_a_good_folder() -> None:
    result = CliRunner().invoke(app, ["check", str(REPO_ROOT / "examples" / "riss")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")
