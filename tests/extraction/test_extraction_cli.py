"""``evidens extract`` on files: form, export, import, discrepancies, consensus."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.errors import ValidationError
from evidens.extraction import default_form_text

runner = CliRunner()


def test_form_prints_or_writes_the_default_form(tmp_path: Path) -> None:
    shown = runner.invoke(app, ["extract", "form"])
    assert shown.exit_code == 0
    assert "[[sections.fields]]" in shown.stdout
    target = tmp_path / "form.toml"
    assert runner.invoke(app, ["extract", "form", "--out", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == default_form_text()


def test_export_then_import_a_filled_workbook(tmp_path: Path) -> None:
    sheet = tmp_path / "lee.xlsx"
    result = runner.invoke(
        app, ["extract", "export", str(sheet), "--extractor", "AB", "--study", "Lee 2020"]
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(sheet)
    assert (book["About"]["B3"].value, book["About"]["B4"].value) == ("Lee 2020", "AB")
    book["Study characteristics"]["B3"] = 81
    book.save(sheet)
    out = tmp_path / "lee.json"
    result = runner.invoke(
        app, ["extract", "import", str(sheet), "--extractor", "CD", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["study"], data["extractor"]) == ("Lee 2020", "CD")
    assert data["values"] == {"characteristics.sample_size": 81}
    shown = runner.invoke(app, ["extract", "import", str(sheet), "--extractor", "CD"])
    assert "characteristics.sample_size" in shown.stdout


def test_import_error_is_a_validation_error_naming_the_cell(tmp_path: Path) -> None:
    sheet = tmp_path / "bad.xlsx"
    runner.invoke(app, ["extract", "export", str(sheet), "--study", "Lee 2020"])
    book = load_workbook(sheet)
    book["Study characteristics"]["B3"] = "many"
    book.save(sheet)
    result = runner.invoke(app, ["extract", "import", str(sheet), "--extractor", "AB"])
    assert isinstance(result.exception, ValidationError)
    assert "bad.xlsx#Study characteristics!B3" in str(result.exception)


def test_discrepancies_and_consensus_of_the_riss_example(repo_root: Path, tmp_path: Path) -> None:
    folder = repo_root / "examples" / "riss" / "extraction"
    result = runner.invoke(
        app,
        [
            "extract",
            "discrepancies",
            str(folder / "mv.xlsx"),
            str(folder / "rc.xlsx"),
            "--form",
            str(folder / "form.toml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 disagreement(s) between MV and RC" in result.stdout
    out = tmp_path / "OUT"
    result = runner.invoke(
        app,
        [
            "extract",
            "consensus",
            str(folder),
            "--out",
            str(out),
            "--json",
            str(tmp_path / "c.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "consensus Sharma 2021: 2 decision(s)" in result.stdout
    rows = (out / "characteristics.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith("Sharma et al. (2021),91,India,Randomized controlled trial,")
    assert "30,46,,,,0,45" in (out / "outcomes.csv").read_text(encoding="utf-8")
    [record] = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert record["decisions"][0]["proposals"] == {"MV": 91, "RC": 90}


@pytest.mark.slow
def test_console_script_turns_errors_into_one_line(repo_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ex"
    shutil.copytree(repo_root / "examples" / "riss" / "extraction", folder)
    (folder / "consensus.toml").write_text("[[study]]\nstudy = 3\n[[study]]\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from evidens.cli import main; main()",
            "extract",
            "consensus",
            str(folder),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert "consensus.toml" in done.stderr
    assert "Traceback" not in done.stderr
    assert io.StringIO(done.stderr).read().count("\n") == 1
