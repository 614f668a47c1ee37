"""``evidens sof FILE --format docx|html|md|csv|json|profile --out PATH``: a Summary of
Findings table from a GRADE judgments file, no review store needed.

Thin by design: read the file, call :mod:`evidens.grade`, write the bytes, print a summary
of each outcome's certainty and where the assessor departed from a suggestion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evidens.errors import InputError
from evidens.grade import GradeFile, render
from evidens.grade.outputs import FORMATS
from evidens.services.grading import load_grade

console = Console(highlight=False, soft_wrap=True)


def sof(
    file: Annotated[Path, typer.Argument(help="A GRADE judgments file (TOML).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")
    ] = "html",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Build the Summary of Findings table (or evidence profile) from a judgments file."""
    grade = load_grade(file)
    data = render(grade.table, fmt)
    if out is None:
        if fmt == "docx":
            raise InputError("a DOCX file is binary", field="--out", hint="give --out FILE.docx")
        typer.echo(data.decode("utf-8"), nl=False)
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=out) from None
    _summary(grade, out)


def _summary(grade: GradeFile, out: Path) -> None:
    table = Table(title=escape(grade.header.title), show_lines=False)
    for column in ("Outcome", "Certainty", "Changed suggestions"):
        table.add_column(column)
    for assessment in grade.assessments:
        changed = [j.domain.label for j in assessment.judgments if j.overrides_suggestion]
        certainty = assessment.certainty
        table.add_row(
            escape(assessment.evidence.outcome),
            f"{certainty.symbol} {certainty.label}",
            escape(", ".join(changed) or "none"),
        )
    console.print(table)
    console.print(f"wrote {escape(str(out))}")


def grade(
    file: Annotated[Path, typer.Argument(help="A GRADE judgments file (TOML).")],
    outcome: Annotated[str | None, typer.Option(help="Only this outcome.")] = None,
) -> None:
    """What the data suggest for each GRADE domain (with the inputs), beside the judgment
    recorded in the file and its reason. Set a judgment in the file with a rating and a
    reason, or accept the suggestion with rating = "accept"."""
    grade_file = load_grade(file)
    out = Console(highlight=False)  # made per call so that the table follows the terminal
    shown = [a for a in grade_file.assessments if outcome in (None, a.evidence.outcome)]
    if not shown:
        raise InputError(f"no outcome named {outcome!r}", path=file, field="outcomes")
    for assessment in shown:
        certainty = assessment.certainty
        table = Table(
            title=escape(f"{assessment.evidence.outcome}: {certainty.symbol} {certainty.label}"),
            show_lines=True,
        )
        for column in ("Domain", "Suggested (inputs)", "Judged", "Reason"):
            table.add_column(column)
        for j in assessment.judgments:
            s = j.suggestion
            suggested = (
                "-"
                if s is None
                else (
                    f"{s.rating.label}: {s.explanation}"
                    + "".join(f"\n  {k} = {v}" for k, v in s.inputs)
                )
            )
            judged = j.rating.label + (" [yellow](changed)[/]" if j.overrides_suggestion else "")
            table.add_row(escape(j.domain.label), escape(suggested), judged, escape(j.reason))
        out.print(table)


def register(app: typer.Typer) -> None:
    app.command("sof")(sof)
    app.command("grade")(grade)
