"""`evidens screen label` on a store built from examples/living-update: labels put on,
listed and taken off from the command line (refusals in one line), then kept through
store -> `evidens folder` (screening/labels.csv) -> `evidens check` -> `evidens run`, whose
outputs stay byte for byte those of the store without labels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.services.folders.review_check import check_review_dir
from evidens.services.folders.run import run_review

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "living-update"


def ok(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The one line ``evidens`` prints when it refuses ``args``."""
    from evidens.cli import main

    monkeypatch.setattr("sys.argv", ["evidens", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err


def _outputs(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith("review.db")
    }


def test_labels_from_the_command_line_survive_folder_and_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "out1"
    run_review(EXAMPLE, first)
    db = str(first / "review.db")
    said = ok("screen", "label", "doi:10.5555/liv.f", "background", "--as", "alice", "--db", db)
    assert "label 'background' put on record doi:10.5555/liv.f" in said
    ok("screen", "label", "doi:10.5555/liv.f", "Background", "--as", "alice", "--db", db)
    ok("screen", "label", "doi:10.5555/liv.f", "wrong comparator", "--as", "alice", "--db", db)
    ok(
        "screen", "label", "doi:10.5555/liv.a", "check protocol", "--stage", "full_text",
        "--as", "bruno", "--db", db,
    )  # fmt: skip
    said = ok(
        "screen", "label", "doi:10.5555/liv.f", "wrong comparator", "--remove",
        "--as", "alice", "--db", db,
    )  # fmt: skip
    assert "removed from record" in said
    # the record is final (both excluded it): bruno sees alice's label
    listed = ok("screen", "label", "doi:10.5555/liv.f", "--as", "bruno", "--db", db)
    assert listed.strip() == "title_abstract: background (alice)"

    for args, says in (
        (("doi:10.5555/liv.f", "", "--as", "alice"), "a label cannot be empty"),
        (("doi:10.5555/liv.f", "x" * 61, "--as", "alice"), "at most 60 characters"),
        (("doi:10.5555/liv.f", "mine", "--as", "mallory"), "'mallory' is not a member"),
    ):
        assert says in refused(monkeypatch, capsys, "screen", "label", *args, "--db", db)

    folder = tmp_path / "folder"
    ok("folder", str(folder), "--db", db)
    assert (folder / "screening" / "labels.csv").read_text(encoding="utf-8") == (
        "record,stage,reviewer,label\n"
        "doi:10.5555/liv.f,title_abstract,alice,background\n"
        "doi:10.5555/liv.a,full_text,bruno,check protocol\n"
    )
    assert check_review_dir(folder) == []
    second = tmp_path / "out2"
    run_review(folder, second)
    assert _outputs(second) == _outputs(first)  # labels change no output
    again = tmp_path / "folder2"
    ok("folder", str(again), "--db", str(second / "review.db"))
    assert (again / "screening" / "labels.csv").read_bytes() == (
        folder / "screening" / "labels.csv"
    ).read_bytes()


def test_a_bad_label_log_is_found_by_check_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    shutil.copytree(EXAMPLE, folder)
    (folder / "screening" / "labels.csv").write_text(
        "record,stage,reviewer,label\n"
        "doi:10.5555/liv.a,title_abstract,alice,fine\n"
        "doi:10.5555/liv.a,abstract,alice,bad stage\n"
        "doi:10.5555/liv.b,full_text,bruno,\n",
        encoding="utf-8",
    )
    found = [str(p) for p in check_review_dir(folder, read_exports=False)]
    assert len(found) == 2, found
    assert "labels.csv:3" in found[0]
    assert "not title_abstract or full_text" in found[0]
    assert "labels.csv:4" in found[1]
    assert "a label cannot be empty" in found[1]
