"""The ``evidens`` command: a thin Typer app over the services and domain packages.

Each command module registers itself here. Errors of the :class:`~evidens.errors.EvidensError`
family become one line on stderr and exit code 2 — never a traceback.
"""

from __future__ import annotations

import sys

import click
import typer
from rich.console import Console

from evidens.errors import EvidensError

app = typer.Typer(
    name="evidens",
    help="Run a systematic review end to end: import, de-duplicate, screen, extract, "
    "assess risk of bias, meta-analyse, grade and report - from one store.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _register_commands() -> None:
    """Attach every command module. One line per module; keep it sorted."""
    # --- command modules (each exposes register(app)) ---
    from evidens.cli import review_cmd, screen

    review_cmd.register(app)
    screen.register(app)
    from evidens.cli import extract_cmd

    extract_cmd.register(app)
    from evidens.cli import formats_cmd

    formats_cmd.register(app)
    from evidens.cli import fulltext_cmd

    fulltext_cmd.register(app)
    from evidens.cli import grade_cmd

    grade_cmd.register(app)
    from evidens.cli import rob_cmd

    rob_cmd.register(app)
    from evidens.cli import meta_cmd

    meta_cmd.register(app)
    from evidens.cli import round_cmd

    round_cmd.register(app)
    from evidens.cli import search_cmd

    search_cmd.register(app)
    from evidens.cli import serve_cmd

    serve_cmd.register(app)
    # --- end of command modules ---


_register_commands()


def main() -> None:
    """Console-script entry point: run the app, turning evidens errors into one line."""
    try:
        app(standalone_mode=False)
    except EvidensError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        sys.exit(2)
    except click.exceptions.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
