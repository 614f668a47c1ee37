"""`evidens extract` inside a store: the RISS study's two workbooks added, compared and
settled by CLI commands only, and bad input answered in one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidens.cli import main
from evidens.cli.app import app
from evidens.extraction import load_review_extraction
from evidens.services.assessment.extraction import consensus_in
from evidens.services.store import open_review, transaction

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss" / "extraction"
SAMPLE = "characteristics.sample_size"
EVENTS = "outcomes.spasm_free.experimental.events"


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def refused(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    """The one line `evidens ARGS` answers on stderr, through the console-script entry point."""
    monkeypatch.setattr(sys, "argv", ["evidens", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    assert exited.value.code not in (0, None)
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error:"), err
    return lines[0]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "200")
    path = str(tmp_path / "review.db")
    run("init", "RISS", "--db", path)
    run("studies", "add", "Sharma 2021", "--as", "mv", "--db", path)
    run("extract", "set-form", str(RISS / "form.toml"), "--as", "mv", "--db", path)
    return path


def test_two_extractions_settled_by_cli_only(db: str) -> None:
    assert "nothing extracted yet" in run("extract", "status", "--db", db)
    for sheet, who in (("mv.xlsx", "mv"), ("rc.xlsx", "rc")):
        added = run("extract", "add", str(RISS / sheet), "--as", who, "--db", db)
        assert "Sharma 2021: extraction by" in added
    assert "Sharma 2021 │ MV, RC     │ 2         │ no" in run("extract", "status", "--db", db)
    compared = run("extract", "discrepancies", "--db", db)
    assert "2 disagreement(s) between MV and RC" in compared
    assert SAMPLE in compared
    settled = run(
        "extract", "settle", "Sharma 2021", SAMPLE, "--take", "MV", "--note", "91 randomised",
        "--as", "mv", "--decided-by", "MV and RC, by discussion", "--db", db,
    )  # fmt: skip
    assert "every disagreement" not in settled
    settled = run(
        "extract", "settle", "Sharma 2021", EVENTS, "--value", "11", "--note", "11/46",
        "--as", "rc", "--db", db,
    )  # fmt: skip
    assert "consensus Sharma 2021: every disagreement is settled" in settled
    assert "Sharma 2021 │ MV, RC     │ 0         │ yes" in run("extract", "status", "--db", db)
    folder = load_review_extraction({p.name: p.read_bytes() for p in RISS.iterdir()})
    with open_review(db) as store, transaction(store, "reader") as uow:
        [agreed] = consensus_in(uow)
    assert (agreed.values, agreed.arms) == (folder.consensus[0].values, folder.consensus[0].arms)
    assert agreed.decided_by == "MV and RC, by discussion"


def test_the_file_comparison_still_works_beside_the_store(db: str) -> None:
    compared = run("extract", "discrepancies", str(RISS / "mv.xlsx"), str(RISS / "rc.xlsx"),
                   "--form", str(RISS / "form.toml"))  # fmt: skip
    assert "2 disagreement(s) between MV and RC" in compared


def test_bad_input_is_one_line(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mv = str(RISS / "mv.xlsx")
    settle = ["extract", "settle", "Sharma 2021", SAMPLE, "--note", "n", "--as", "mv"]
    cases = [
        (["extract", "discrepancies", mv, "--db", db], "give two workbooks"),
        ([*settle, "--db", db], "--take NAME or --value V"),
        ([*settle, "--take", "MV", "--value", "91", "--db", db], "--take NAME or --value V"),
        ([*settle, "--take", "MV", "--db", db], "0 extraction(s)"),
        (["extract", "add", mv, "--as", "mv", "--extractor", "consensus", "--db", db], "agreed"),
        (["extract", "add", str(RISS / "form.toml"), "--as", "mv", "--db", db], "not an .xlsx"),
        (["extract", "set-form", mv, "--as", "mv", "--db", db], "not UTF-8"),
    ]
    for args, expected in cases:
        assert expected in refused(args, capsys, monkeypatch)
    run("extract", "add", mv, "--as", "mv", "--db", db)
    run("extract", "add", str(RISS / "rc.xlsx"), "--as", "rc", "--db", db)
    later = [
        ([*settle, "--take", "ZZ", "--db", db], "did not extract"),
        ([*settle[:3], "nope", *settle[4:], "--value", "3", "--db", db], "names no field"),
        (["extract", "discrepancies", "--study", "Nobody", "--db", db], "no extraction of"),
    ]
    for args, expected in later:
        assert expected in refused(args, capsys, monkeypatch)
    default = str(Path(__file__).resolve().parents[2] / "src/evidens/extraction/default_form.toml")
    line = refused(["extract", "set-form", default, "--as", "mv", "--db", db], capsys, monkeypatch)
    assert "made with the current form" in line
