"""``evidens formats inspect FILE [--json]``: what evidens reads from an export, no review needed.

Thin by design: read the bytes, call :mod:`evidens.formats`, print the import report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evidens.errors import InputError
from evidens.formats import read_records, report_as_dict
from evidens.formats.registry import formats

formats_app = typer.Typer(
    help="Inspect bibliographic export files (RIS, MEDLINE, CSV, XML ...).",
    no_args_is_help=True,
)
console = Console(highlight=False, soft_wrap=True)


@formats_app.command("inspect")
def inspect(
    file: Annotated[Path, typer.Argument(help="An export file from a database or register.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    format_id: Annotated[
        str | None, typer.Option("--format", help="Skip detection and read as this format id.")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Decode with this encoding.")
    ] = None,
) -> None:
    """Detect the format, read every record and print the per-file import report."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=file) from None
    result = read_records(data, name=str(file), format=format_id, encoding=encoding)
    report = report_as_dict(result.report())
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    _print_report(report)


@formats_app.command("list")
def list_formats() -> None:
    """The format ids evidens can read (built-in and plugins)."""
    for format_id, plugin in sorted(formats().items()):
        console.print(f"{escape(format_id):18} {escape(plugin.label)}")


def _print_report(report: dict[str, object]) -> None:
    console.print(
        f"[bold]{escape(str(report['name']))}[/]: {escape(str(report['format']))} "
        f"({escape(str(report['encoding']))}), {report['records']} records"
    )
    missing = report["missing"]
    assert isinstance(missing, dict)
    console.print("missing: " + ", ".join(f"{name} {count}" for name, count in missing.items()))
    table = Table("field", "filled", title="fill rate per field")
    fields = report["fields"]
    assert isinstance(fields, dict)
    for name, rate in fields.items():
        table.add_row(name, f"{rate:.0%}")
    console.print(table)
    warnings = report["warnings"]
    assert isinstance(warnings, list)
    for warning in warnings[:50]:
        console.print(f"warning line {warning['line']}: {escape(str(warning['message']))}")
    if len(warnings) > 50:
        console.print(f"... and {len(warnings) - 50} more warnings")


def register(app: typer.Typer) -> None:
    """Attach ``evidens formats`` to the main app."""
    app.add_typer(formats_app, name="formats")
