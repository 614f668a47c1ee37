"""`evidens analyse`, `evidens grade --db` and `evidens outputs` inside a store: the later
steps changed by commands, the outputs rewritten from the store alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidens.cli import main
from evidens.cli.app import app
from evidens.services.folders.run import run_review

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def riss_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("riss")
    run_review(RISS, out)
    return out / "review.db"


@pytest.fixture
def db(riss_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "review.db"
    copy.write_bytes(riss_db.read_bytes())
    return str(copy)


def test_an_analysis_added_by_command_is_fitted_and_written(db: str, tmp_path: Path) -> None:
    run(
        "analyse", "add", "spasm-free-or", "--outcome", "spasm_free", "--measure", "OR",
        "--preset", "metafor", "--labels", "Favours drugs|Favours diet", "--as", "M.V.",
        "--db", db,
    )  # fmt: skip
    listed = run("analyse", "list", "--db", db)
    assert "spasm-free-or" in listed
    assert "spasm-free-rr" in listed
    out = tmp_path / "out"
    run("outputs", str(out), "--db", db)
    fitted = json.loads((out / "analyses.json").read_text(encoding="utf-8"))
    assert fitted["spasm-free-or"]["measure"] == "OR"
    assert (out / "forest-spasm-free-or.svg").read_bytes().startswith(b"<?xml")
    run("analyse", "remove", "spasm-free-or", "--as", "M.V.", "--db", db)
    assert "spasm-free-or" not in run("analyse", "list", "--db", db)


def test_a_grade_judgment_set_by_command_reaches_the_sof_table(db: str, tmp_path: Path) -> None:
    shown = run("grade", "--db", db, "--outcome", "Spasm free")
    assert "smaller or negative trials may exist" in shown  # the reason kept from the file
    run(
        "grade", "--db", db, "--outcome", "Spasm free", "--domain", "publication_bias",
        "--rating", "undetected", "--reason", "a registry search found none", "--as", "R.C.",
    )  # fmt: skip
    shown = run("grade", "--db", db, "--outcome", "Spasm free")
    assert "registry search found none" in shown
    assert "smaller or negative trials may exist" not in shown
    run("sof", "--db", db, "--format", "json", "--out", str(tmp_path / "sof.json"))
    sof = json.loads((tmp_path / "sof.json").read_text(encoding="utf-8"))
    spasm = next(o for o in sof["outcomes"] if o["outcome"] == "Spasm free")
    assert "registry search found none" in json.dumps(spasm)


def test_bad_input_to_the_store_commands_is_one_line(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [
        ["analyse", "add", "x", "--outcome", "nope", "--measure", "RRR", "--as", "a", "--db", db],
        ["analyse", "remove", "nope", "--as", "a", "--db", db],
        ["grade", "--db", db, "--outcome", "Spasm free", "--domain", "luck", "--rating", "x"],
        ["grade"],
    ]
    for args in cases:
        monkeypatch.setattr("sys.argv", ["evidens", *args])
        with pytest.raises(SystemExit) as stopped:
            main()
        err = capsys.readouterr().err
        assert stopped.value.code != 0
        assert "Traceback" not in err
        assert len(err.strip().splitlines()) == 1, err
