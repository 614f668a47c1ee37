"""Every command path, given bad input, answers one line on stderr and a non-zero exit.

The command paths are read from the Typer app itself (the click tree it builds), so a new
command is covered the day it is registered. Each is run through the console-script entry
point :func:`evidens.cli.main` - the one that turns errors into a line - with an unknown
option, with its required parameters missing, and with a file that does not exist.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from typer._click.core import Command

from evidens.cli import app, main


def _paths(command: Command, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every runnable command path: leaves, and groups that run without a subcommand."""
    children = getattr(command, "commands", None)
    runnable = not children or getattr(command, "invoke_without_command", False)
    if runnable and prefix:
        yield prefix
    for name, child in sorted((children or {}).items()):
        yield from _paths(child, (*prefix, name))


ROOT = typer.main.get_command(app)
PATHS = list(_paths(ROOT))


def _command(path: tuple[str, ...]) -> Command:
    command: Command = ROOT
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def _run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["evidens", *args])
    monkeypatch.setattr(sys, "stdin", _ClosedInput())
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


class _ClosedInput:
    """Standard input at its end, as after Ctrl-D: a prompt must not wait for a person."""

    def readline(self, *_: object) -> str:
        return ""

    def read(self, *_: object) -> str:
        return ""

    def isatty(self) -> bool:
        return False


@pytest.fixture(autouse=True)
def _away_from_the_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in an empty folder with no store, so nothing finds a demo review or writes here."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVIDENS_DB", str(tmp_path / "absent" / "review.db"))
    monkeypatch.setenv("COLUMNS", "200")


def _assert_one_line(code: int, out: str, err: str, args: list[str]) -> None:
    assert "Traceback" not in out + err, f"evidens {' '.join(args)} printed a traceback:\n{err}"
    assert code != 0, f"evidens {' '.join(args)} exited 0 on bad input:\n{out}{err}"
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, f"evidens {' '.join(args)} failed without a word"
    assert lines[0].startswith(("error:", "aborted", "stopped")), err
    # One answer: its line, followed at most by the text typed on the command line quoted
    # back with a caret under the column at fault (a search strategy's syntax error).
    quoted = lines[1:]
    assert len(quoted) in (0, 2), f"evidens {' '.join(args)} answered {len(lines)} lines:\n{err}"
    assert all(line.startswith("  ") for line in quoted), err
    assert not quoted or quoted[1].strip() == "^" or quoted[1].strip().startswith("^ "), err


def test_every_registered_command_is_walked() -> None:
    walked = {" ".join(p) for p in PATHS}
    assert {"run", "check", "screen", "screen import", "rob plot", "serve"} <= walked


def test_an_unknown_command_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _run(["no-such-command"], capsys, monkeypatch)
    _assert_one_line(code, out, err, ["no-such-command"])
    assert "no-such-command" in err


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_an_unknown_option_is_one_line(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [*path, "--no-such-option"]
    code, out, err = _run(args, capsys, monkeypatch)
    _assert_one_line(code, out, err, args)
    assert "--no-such-option" in err


@pytest.mark.parametrize(
    "path", [p for p in PATHS if any(q.required for q in _command(p).params)], ids=" ".join
)
def test_a_missing_parameter_is_one_line(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _run(list(path), capsys, monkeypatch)
    _assert_one_line(code, out, err, list(path))
    assert "Missing" in err


def _with_missing_files(path: tuple[str, ...], missing: str) -> list[str]:
    """The command with every required parameter, and every file or store option, given a
    path that does not exist."""
    args = list(path)
    for param in _command(path).params:
        opts = getattr(param, "opts", [])
        is_option = bool(opts) and opts[0].startswith("-")
        annotation = param.type_descriptor.annotation  # type: ignore[attr-defined]
        names_a_file = annotation is Path or param.name in {"db", "store"}
        if not (param.required or names_a_file):
            continue
        if is_option:
            args += [opts[0], missing]
        else:
            args.append(missing)
    return args


# the command paths that read a file or need a parameter (the others have nothing to miss)
READING = [p for p in PATHS if _with_missing_files(p, "absent.ris") != list(p)]


@pytest.mark.parametrize("path", READING, ids=" ".join)
def test_a_file_that_does_not_exist_is_one_line(
    path: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = _with_missing_files(path, str(tmp_path / "absent" / "input.ris"))
    code, out, err = _run(args, capsys, monkeypatch)
    _assert_one_line(code, out, err, args)


RIS = "TY  - JOUR\nTI  - Feathered dinosaurs of Liaoning\nPY  - 2020\nER  - \n"


def test_end_of_input_while_screening_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-D at the decision prompt stops the session with one line, not a traceback."""
    db = str(tmp_path / "review.db")
    export = tmp_path / "pubmed.ris"
    export.write_text(RIS, encoding="utf-8")
    for args in (["init", "Dinosaurs"], ["import", str(export), "--source", "PubMed"]):
        code, _, err = _run([*args, "--db", db], capsys, monkeypatch)
        assert code == 0, err
    args = ["screen", "--reviewer", "alice", "--db", db]
    code, out, err = _run(args, capsys, monkeypatch)
    _assert_one_line(code, out, err, args)
    assert "Feathered dinosaurs" in out  # the record was shown before input ended
    assert "saved" in err
