"""The ``evidens`` command: a thin Typer app over the services and domain packages.

Each command module registers itself here. Errors of the :class:`~evidens.errors.EvidensError`
family, usage errors (unknown command or option, missing or bad parameter), end of input and
Ctrl-C become one line on stderr and a non-zero exit code — never a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape
from typer._click.exceptions import NoArgsIsHelpError, UsageError

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
    from evidens.cli import protocol_cmd

    protocol_cmd.register(app)
    from evidens.cli import synthesis_cmd

    synthesis_cmd.register(app)
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
    from evidens.cli import check_cmd

    check_cmd.register(app)
    from evidens.cli import folder_cmd

    folder_cmd.register(app)
    # --- end of command modules ---


_register_commands()


def main() -> None:
    """Console-script entry point: run the app, turning every expected failure into one line.

    Typer carries its own copy of click, so its exceptions (not ``click``'s) are the ones
    caught here: a usage error exits 2, an abort (Ctrl-C, or Ctrl-D at a prompt) exits 1.
    """
    try:
        code = app(standalone_mode=False)  # a command's typer.Exit(n) comes back as n
    except EvidensError as exc:
        _one_line(f"[bold red]error:[/] {escape(str(exc))}")
        sys.exit(2)
    except NoArgsIsHelpError as exc:
        exc.show()  # a group named alone prints its help: that is what was asked for
        sys.exit(exc.exit_code)
    except UsageError as exc:
        _one_line(f"[bold red]error:[/] {escape(_usage_line(exc))}")
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:
        _one_line(f"[bold red]error:[/] {escape(exc.format_message())}")
        sys.exit(exc.exit_code)
    except OSError as exc:  # a folder that does not exist, a disk full, no permission
        where = f"{exc.filename}: " if exc.filename else ""
        _one_line(f"[bold red]error:[/] {escape(where + (exc.strerror or str(exc)))}")
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        _one_line("aborted: stopped before the end (Ctrl-C or end of input); nothing half-done")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    if isinstance(code, int) and code:
        sys.exit(code)


def _usage_line(exc: UsageError) -> str:
    """The usage error's message and where to read more, on one line."""
    message = " ".join(exc.format_message().split())
    command = exc.ctx.command_path if exc.ctx is not None else "evidens"
    return f"{message} (see '{command} --help')"


def _one_line(text: str) -> None:
    err_console.print(text, markup=True, highlight=False, soft_wrap=True)
