"""``evidens rob``: assess risk of bias question by question, show, plot, import and export.

Thin by design: read files, call :mod:`evidens.rob` and :mod:`evidens.report.rob_plots`, write
files, print with rich. Assessment files are TOML (format in :mod:`evidens.rob.files`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evidens.cli.review_cmd import DbOption, ReviewOption
from evidens.core.files import TEXT_LIMIT, read_text_bounded
from evidens.errors import InputError
from evidens.report.rob_plots import render, summary, traffic_light
from evidens.rob import (
    Answer,
    Assessment,
    Domain,
    Judgment,
    Override,
    Result,
    assess,
    dump_assessment,
    dump_assessments,
    get_instrument,
    load_assessment,
    load_assessments,
    propose,
)
from evidens.rob.dual import DiscrepancyReport
from evidens.rob.instrument import holds
from evidens.rob.robvis import (
    RobTable,
    assessments_from_table,
    read_csv,
    table_from_results,
    write_csv,
)
from evidens.services.assessment.risk_of_bias_edit import compare_in
from evidens.services.store import open_review

console = Console(highlight=False, soft_wrap=True)
rob_app = typer.Typer(help="Risk of bias: RoB 2 and ROBINS-I assessments, plots, robvis CSV.")


def _read(path: Path) -> str:
    return read_text_bounded(path, TEXT_LIMIT, what="risk-of-bias file")


def _write(path: Path, data: str | bytes) -> None:
    try:
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=path) from None


def _results(files: list[Path]) -> list[Result]:
    return [assess(a) for f in files for a in load_assessments(_read(f), path=str(f))]


def _print(results: list[Result]) -> None:
    for result in results:
        a = result.assessment
        table = Table(title=escape(f"{a.study} - {a.outcome} ({a.assessor})"))
        for column in ("Domain", "Proposed", "Final", "Note"):
            table.add_column(column)
        for d in result.domains:
            note = "; ".join(d.problems) or (
                f"override: {d.override_reason}" if d.overridden else ""
            )
            table.add_row(
                escape(d.name), judgment_label(d.proposed), judgment_label(d.final), escape(note)
            )
        note = result.overall_override_reason
        table.add_row(
            "[b]Overall[/b]",
            judgment_label(result.proposed_overall),
            judgment_label(result.final_overall),
            escape(note),
        )
        console.print(table)


def judgment_label(judgment: Judgment | None) -> str:
    """A judgment as printed; None is an assessment still incomplete."""
    return "incomplete" if judgment is None else judgment.label


@rob_app.command("compare")
def compare_cmd(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="Two assessors' assessment files (TOML); with --db, the study's label."
        ),
    ],
    outcome: Annotated[
        str | None, typer.Option(help="With --db: the outcome, when several were assessed.")
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Discrepancies between two independent assessments, question by question and domain by
    domain: what the assessors must settle before a consensus record."""
    from evidens.rob.dual import compare

    if db is not None or review is not None:
        if len(targets) != 1:
            raise InputError("with --db give one study label", field="STUDY", hint='"Sharma 2021"')
        with open_review(db, review) as store:
            report = compare_in(store, targets[0], outcome)
    else:
        if len(targets) != 2:
            raise InputError(
                "give two assessment files", field="FILES", hint="or one study label with --db"
            )
        (a,), (b,) = _results([Path(targets[0])]), _results([Path(targets[1])])
        report = compare(a, b)
    print_report(report)


def print_report(report: DiscrepancyReport) -> None:
    """The questions and judgments on which two assessors differ."""
    console.print(
        f"{escape(report.study)} - {escape(report.outcome)}: {escape(report.first_assessor)} "
        f"vs {escape(report.second_assessor)}, {report.compared} questions compared"
    )
    table = Table(title="Signalling questions that differ")
    for column in ("Domain", "Question", report.first_assessor, report.second_assessor):
        table.add_column(escape(column))
    for q in report.questions:
        table.add_row(escape(q.domain), escape(q.question), _answer(q.first), _answer(q.second))
    console.print(table)
    for j in report.judgments:
        first, second = judgment_label(j.first), judgment_label(j.second)
        console.print(f"judgment differs in {escape(j.domain)}: {first} vs {second}")
    for key, mine, theirs in report.settings:
        console.print(
            f"setting differs: {escape(key)}: {escape(mine or '(unset)')} "
            f"vs {escape(theirs or '(unset)')}"
        )
    if report.agreed:
        console.print("no discrepancies: the assessments agree")


def _answer(answer: object) -> str:
    return "(blank)" if answer is None else escape(str(getattr(answer, "value", answer)))


@rob_app.command("show")
def show(files: Annotated[list[Path], typer.Argument(help="Assessment files (TOML).")]) -> None:
    """Print each domain's proposed and final judgment and the overall judgment."""
    _print(_results(files))


def _table(files: list[Path], tool: str) -> RobTable:
    if all(f.suffix.lower() == ".csv" for f in files):
        if len(files) != 1:
            raise InputError("give one robvis CSV file at a time", field="FILE")
        return read_csv(_read(files[0]), tool, path=str(files[0]))
    return table_from_results(_results(files))


@rob_app.command("plot")
def plot(
    files: Annotated[list[Path], typer.Argument(help="Assessment files (TOML) or a robvis CSV.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="X.svg, X.png or X.pdf.")],
    kind: Annotated[
        str, typer.Option("--kind", help="traffic-light or summary.")
    ] = "traffic-light",
    no_overall: Annotated[bool, typer.Option("--no-overall", help="Leave out Overall.")] = False,
    weighted: Annotated[bool, typer.Option("--weighted", help="Summary by Weight column.")] = False,
    colours: Annotated[str, typer.Option(help="cochrane or colourblind.")] = "cochrane",
    tool: Annotated[str, typer.Option(help="robvis tool of a CSV input.")] = "ROB2",
) -> None:
    """Draw a traffic-light plot (studies x domains) or summary bars."""
    table = _table(files, tool)
    if kind == "traffic-light":
        fig = traffic_light(table, overall=not no_overall, colours=colours)
    elif kind == "summary":
        fig = summary(table, overall=not no_overall, weighted=weighted, colours=colours)
    else:
        raise InputError(
            f"unknown plot kind {kind!r}", field="--kind", hint="traffic-light or summary"
        )
    _write(out, render(fig, out.suffix or "svg"))
    n = len(table.rows)
    console.print(f"wrote {escape(str(out))} ({n} {'study' if n == 1 else 'studies'})")


@rob_app.command("export")
def export(
    files: Annotated[list[Path], typer.Argument(help="Assessment files (TOML).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="robvis CSV file.")] = None,
) -> None:
    """Write final judgments as a robvis CSV (Study, D1..Dn, Overall)."""
    text = write_csv(table_from_results(_results(files)))
    if out is None:
        typer.echo(text, nl=False)
        return
    _write(out, text)
    console.print(f"wrote {escape(str(out))}")


@rob_app.command("import")
def import_csv(
    file: Annotated[Path, typer.Argument(help="A robvis CSV.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Assessment file to write (TOML).")],
    outcome: Annotated[str, typer.Option(help="The result the judgments are about.")],
    assessor: Annotated[str, typer.Option(help="Who made the judgments.")] = "robvis import",
    tool: Annotated[str, typer.Option(help="ROB2 or ROBINS-I.")] = "ROB2",
) -> None:
    """Turn a robvis CSV into assessments whose judgments are recorded overrides."""
    table = read_csv(_read(file), tool, path=str(file))
    found = assessments_from_table(table, outcome=outcome, assessor=assessor)
    _write(out, dump_assessments(found))
    console.print(f"wrote {len(found)} assessments to {escape(str(out))}")


@rob_app.command("assess")
def assess_cmd(
    file: Annotated[Path, typer.Argument(help="Assessment file to continue or create (TOML).")],
    study: Annotated[str, typer.Option(help="Study label (new files).")] = "",
    outcome: Annotated[str, typer.Option(help="Result assessed (new files).")] = "",
    assessor: Annotated[str, typer.Option(help="Your name or initials (new files).")] = "",
    instrument: Annotated[str, typer.Option(help="rob2 or robins-i (new files).")] = "rob2",
) -> None:
    """Answer the signalling questions one by one; the file is written after every domain."""
    if file.exists():
        current = load_assessment(_read(file), path=str(file))
    else:
        current = Assessment(
            study or typer.prompt("Study"),
            outcome or typer.prompt("Outcome / result"),
            assessor or typer.prompt("Assessor"),
            instrument,
            {},
        )
    tool = get_instrument(current.instrument)
    settings = dict(current.settings)
    for setting in tool.settings:
        if setting.id not in settings and holds(setting.asked_if, {}, settings):
            settings[setting.id] = typer.prompt(
                f"{setting.label} [{'/'.join(setting.options)}]", default=setting.default
            )
    settings = tool.resolve_settings(settings)
    answers = {k: dict(v) for k, v in current.answers.items()}
    why = {k: dict(v) for k, v in current.justifications.items()}
    overrides = dict(current.overrides)
    for domain in tool.domains_for(settings):
        console.print(f"\n[b]{escape(domain.name)}[/b]")
        _ask_domain(
            domain, answers.setdefault(domain.id, {}), why.setdefault(domain.id, {}), settings
        )
        if domain.has_algorithm:
            proposed, problems = propose(domain, answers[domain.id], settings)
            extra = f" ({'; '.join(problems)})" if problems else ""
            console.print(f"proposed: [b]{judgment_label(proposed)}[/b]{escape(extra)}")
            if typer.confirm(f"Override the {domain.id} judgment?", default=False):
                overrides[domain.id] = _ask_judgment(domain.scale, reason_required=True)
        elif domain.id not in overrides:  # no algorithm: the assessor judges
            overrides[domain.id] = _ask_judgment(domain.scale, reason_required=False)
        current = replace(
            current, answers=answers, justifications=why, overrides=overrides, settings=settings
        )
        _write(file, dump_assessment(current))
    result = assess(current)
    console.print(f"\nproposed overall: [b]{judgment_label(result.proposed_overall)}[/b]")
    if typer.confirm("Override the overall judgment?", default=False):
        levels = tool.scale + ((Judgment.NO_INFORMATION,) if tool.no_information_below else ())
        overrides["overall"] = _ask_judgment(levels, reason_required=True)
        current = replace(current, overrides=overrides)
        _write(file, dump_assessment(current))
    _print([assess(current)])


def _ask_domain(
    domain: Domain, answers: dict[str, Answer], why: dict[str, str], settings: dict[str, str]
) -> None:
    seen: dict[str, str] = {}
    for question in domain.questions:
        if not holds(question.asked_if, seen, settings):
            answers[question.id] = Answer.NA
        elif question.id not in answers or answers[question.id] is Answer.NA:
            options = [o.value for o in question.options if o is not Answer.NA]
            while True:
                raw = typer.prompt(f"{question.id} {question.text} [{'/'.join(options)}]")
                if raw.strip().upper() in options:
                    break
                console.print(f"answer one of {'/'.join(options)}")
            answers[question.id] = Answer(raw.strip().upper())
            note = typer.prompt("  why (one line, Enter to skip)", default="", show_default=False)
            if note:
                why[question.id] = note
        seen[question.id] = answers[question.id].value


def _ask_judgment(scale: tuple[Judgment, ...], *, reason_required: bool) -> Override:
    levels = {j.value: j for j in scale}
    while True:
        choice = typer.prompt(f"judgment [{'/'.join(levels)}]").strip().lower()
        if choice in levels:
            break
        console.print(f"answer one of {'/'.join(levels)}")
    if reason_required:
        return Override(levels[choice], typer.prompt("reason (required)"))
    note = typer.prompt("reason (Enter to skip)", default="", show_default=False)
    return Override(levels[choice], note)


def register(app: typer.Typer) -> None:
    """Attach ``evidens rob ...`` to the main app (with the commands working in a store)."""
    from evidens.cli import rob_store_cmd  # noqa: F401 - its commands join rob_app

    app.add_typer(rob_app, name="rob")
