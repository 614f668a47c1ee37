"""``evidens sof`` and ``evidens grade``: a Summary of Findings table and the GRADE
judgments beside what the data suggest, from a judgments file (no store needed) or from a
review store (``--db``), where ``grade --load`` keeps a judgments file and ``grade --outcome
O --domain D --rating R --reason T`` changes one judgment; the numbers are derived from the
store's analyses and risk-of-bias assessments either way.

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

from evidens.cli.review_cmd import DbOption, ReviewOption
from evidens.core.files import read_bounded
from evidens.errors import InputError
from evidens.grade import GradeFile, render
from evidens.grade.judgments import MAX_BYTES, parse_judgments
from evidens.grade.outputs import FORMATS
from evidens.services.store import open_review, transaction
from evidens.services.synthesis import grade_profiles
from evidens.services.synthesis.grading import load_grade

console = Console(highlight=False, soft_wrap=True)


FileArgument = Annotated[
    Path | None, typer.Argument(help="A GRADE judgments file (TOML); or give --db.")
]


def _graded(file: Path | None, db: str | None, review: str | None) -> GradeFile:
    """The judgments of ``file``, else of the store's review."""
    if file is not None:
        return load_grade(file)
    if db is None:
        raise InputError("give a judgments FILE or --db STORE", field="FILE")
    with open_review(db, review) as store, transaction(store, "evidens") as uow:
        graded = grade_profiles.grade_in(uow)
    if graded is None:
        raise InputError(
            "GRADE has not been started in this review",
            field="--db",
            hint="keep a judgments file in it: evidens grade --db STORE --load judgments.toml",
        )
    return graded


def sof(
    file: FileArgument = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")
    ] = "html",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Build the Summary of Findings table (or evidence profile) from a judgments file or
    a review store."""
    grade = _graded(file, db, review)
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
    file: FileArgument = None,
    outcome: Annotated[str | None, typer.Option(help="Only this outcome.")] = None,
    db: DbOption = None,
    review: ReviewOption = None,
    load: Annotated[
        Path | None, typer.Option(help="Keep this judgments file in the store (with --db).")
    ] = None,
    domain: Annotated[
        str | None, typer.Option(help="Set this domain's judgment of --outcome (with --db).")
    ] = None,
    rating: Annotated[str | None, typer.Option(help='The rating, or "accept".')] = None,
    reason: Annotated[str | None, typer.Option(help="Why (shown in footnotes).")] = None,
    actor: Annotated[str, typer.Option("--as", help="Who is judging (audit log).")] = "evidens",
) -> None:
    """What the data suggest for each GRADE domain (with the inputs), beside the judgment
    recorded and its reason. Set a judgment with a rating and a reason (in the file, or
    with --db --outcome --domain --rating --reason), or accept the suggestion with
    rating "accept"."""
    if file is None and db is not None and (load is not None or domain is not None):
        _change(db, review, load, (outcome, domain, rating, reason), actor)
    grade_file = _graded(file, db, review)
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


def _change(
    db: str,
    review: str | None,
    load: Path | None,
    judgment: tuple[str | None, str | None, str | None, str | None],
    actor: str,
) -> None:
    """Keep a judgments file, or change one judgment, in one audited transaction."""
    outcome, domain, rating, reason = judgment
    doc_text = None
    if load is not None:
        raw = read_bounded(load, MAX_BYTES, what="judgments file")
        doc_text = parse_judgments(raw, path=str(load))
    if domain is not None and (outcome is None or rating is None):
        raise InputError("--domain needs --outcome and --rating", field="--domain")
    with open_review(db, review) as store, transaction(store, actor) as uow:
        if doc_text is not None:
            grade_profiles.set_profile(uow, doc_text[0], path=str(load), text=doc_text[1])
        if domain is not None and outcome is not None and rating is not None:
            grade_profiles.set_judgment(uow, outcome, domain, rating, reason)


def register(app: typer.Typer) -> None:
    app.command("sof")(sof)
    app.command("grade")(grade)
