"""The dinosaur-records review taken from import to report inside one store, with CLI
commands only (no review folder); its outputs equal those of `evidens run` on the folder
that `evidens folder` writes from that store, and its PRISMA flow equals the example
folder's own.

The decision logs of examples/dinosaur-records are what the two reviewers typed; here they
are entered the way a team without a folder would: `screen import` for each reviewer's log,
`conflicts --resolve` per resolution, `fulltext attach`/`not-retrieved` per report sought.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from typer.testing import CliRunner

from evidens.cli.app import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dinosaur-records"


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def _rows(name: str) -> list[dict[str, str]]:
    with (EXAMPLE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _pdf(path: Path, text: str) -> Path:
    figure = plt.figure(figsize=(2, 1))
    figure.text(0.1, 0.5, text)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf", metadata={"CreationDate": None})
    plt.close(figure)
    path.write_bytes(buffer.getvalue())
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "review.db"}


def _build_store(db: str, tmp_path: Path) -> None:
    config = tomllib.loads((EXAMPLE / "review.toml").read_text(encoding="utf-8"))
    run("init", config["review"]["title"], "--db", db, "--slug", config["review"]["slug"])
    run("protocol", "--load", str(EXAMPLE / "review.toml"), "--as", "alice", "--db", db)
    searches = tomllib.loads((EXAMPLE / "searches.toml").read_text(encoding="utf-8"))["search"]
    for search in searches:
        logged = run(
            "search", "add", "--source", search["source"], "--kind", search["kind"],
            "--platform", search["platform"], "--date", search["date"].isoformat(),
            "--strategy", search["strategy"], "--as", "alice", "--db", db,
        )  # fmt: skip
        search_id = logged.split("logged search ", 1)[1].split(":", 1)[0]
        files = [str((EXAMPLE / f).resolve()) for f in search["files"]]
        run("import", *files, "--search", search_id, "--as", "alice", "--db", db)
    run("dedup", "--db", db)
    run("screen", "import", str(EXAMPLE / "screening" / "title_abstract.csv"), "--db", db)
    for line in _rows("screening/title_abstract_resolutions.csv"):
        run(
            "conflicts", "--resolve", line["record"], "--decision", line["decision"],
            "--as", line["resolver"], "--note", line["note"], "--db", db,
        )  # fmt: skip
    for line in _rows("fulltext/retrieval.csv"):
        if line["retrieved"] == "yes":
            pdf = _pdf(tmp_path / line["file"], line["record"])
            run("fulltext", "attach", line["record"], str(pdf), "--as", "alice", "--db", db)
        else:
            run(
                "fulltext", "not-retrieved", line["record"], "--reason", line["reason"],
                "--as", "alice", "--db", db,
            )  # fmt: skip
    log = EXAMPLE / "screening" / "full_text.csv"
    run("screen", "import", str(log), "--stage", "full_text", "--db", db)
    for line in _rows("screening/full_text_resolutions.csv"):
        run(
            "conflicts", "--stage", "full_text", "--resolve", line["record"],
            "--decision", line["decision"], "--as", line["resolver"], "--note", line["note"],
            "--db", db,
        )  # fmt: skip


def test_dinosaur_records_from_import_to_report_by_cli_only(
    shared_dir: Path, tmp_path: Path
) -> None:
    assert (shared_dir / "data" / "exports").is_dir()
    db = str(tmp_path / "store.db")
    _build_store(db, tmp_path)
    from_store = tmp_path / "from-store"
    run("outputs", str(from_store), "--db", db)
    folder = tmp_path / "folder"
    run("folder", str(folder), "--db", db)
    run("check", str(folder))
    rebuilt = tmp_path / "rebuilt"
    run("run", str(folder), "--out", str(rebuilt))
    written, ran = _files(from_store), _files(rebuilt)
    assert {"prisma.json", "searches.json", "report.html", "report.docx"} <= set(written)
    assert sorted(written) == sorted(ran)
    assert [name for name in written if written[name] != ran[name]] == []

    example = tmp_path / "example"
    run("run", str(EXAMPLE), "--out", str(example))
    flow = json.loads((from_store / "prisma.json").read_text(encoding="utf-8"))
    assert flow == json.loads((example / "prisma.json").read_text(encoding="utf-8"))
    assert all(check["ok"] for check in flow["checks"])
    report = (from_store / "report.html").read_text(encoding="utf-8")
    assert "Paywalled; interlibrary loan request unanswered" in report  # not retrieved, listed


def test_a_protocol_file_with_analyses_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from evidens.cli import main

    db = str(tmp_path / "store.db")
    run("init", "A review", "--db", db)
    protocol = tmp_path / "protocol.toml"
    protocol.write_text(
        '[review]\ntitle = "A review"\n\n[[analysis]]\nname = "x"\noutcome = "y"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr("sys.argv", ["evidens", "protocol", "--load", str(protocol), "--db", db])
    with pytest.raises(SystemExit) as stopped:
        main()
    err = capsys.readouterr().err
    assert stopped.value.code != 0
    assert "analyse add" in err
    assert len(err.strip().splitlines()) == 1
    shown = run("protocol", "--db", db)
    assert "A review" in shown
