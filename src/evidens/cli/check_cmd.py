"""`evidens check DIR`: every problem of a review folder, one line each, before any run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from evidens.errors import ConfigError
from evidens.services.folders.review_check import check_review_dir

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def check(
    folder: Annotated[Path, typer.Argument(help="A review kept as files (see examples/).")],
    exports: Annotated[
        bool, typer.Option("--exports/--no-exports", help="Also read every export file.")
    ] = True,
) -> None:
    """Check a review folder without building anything: unknown keys, wrong types, bad
    values, misnamed files, unreadable exports - every problem, one line each."""
    if not folder.is_dir():
        raise ConfigError("no such folder", path=folder, hint="name a review folder")
    problems = check_review_dir(folder, read_exports=exports)
    for problem in problems:
        console.print(escape(str(problem)))
    if problems:
        count = len(problems)
        err_console.print(f"[bold red]error:[/] {count} problem{'s' if count > 1 else ''} found")
        raise typer.Exit(1)
    console.print(f"ok: {escape(str(folder))} has no problem evidens can find before a run")


def register(app: typer.Typer) -> None:
    app.command()(check)
