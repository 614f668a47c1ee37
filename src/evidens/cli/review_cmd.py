"""Review commands: init, import, dedup, status, prisma, export, run."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from evidens.core import SourceKind
from evidens.errors import InputError, ValidationError
from evidens.services.folders.run import run_review
from evidens.services.identification import dedup as dedup_service
from evidens.services.identification import imports
from evidens.services.identification.search_log import search_for_import
from evidens.services.reporting import exports
from evidens.services.reporting import report as report_service
from evidens.services.reporting.prisma import box_values, prisma_counts
from evidens.services.store import create_review, open_review

console = Console(highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="EVIDENS_DB", help="Review file (SQLite) or PostgreSQL URL."),
]
ReviewOption = Annotated[
    str | None, typer.Option("--review", help="Which review, when the store holds several.")
]
ActorOption = Annotated[str, typer.Option("--as", help="Who is acting (for the audit log).")]


def parse_date(text: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option's date, or one line naming the option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a date", field=option, hint="YYYY-MM-DD") from None


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def init(
    title: Annotated[str, typer.Argument(help="The review's title.")],
    db: DbOption = "review.db",
    slug: Annotated[str | None, typer.Option(help="Short name of the review.")] = None,
    actor: ActorOption = "owner",
) -> None:
    """Create a review store (SQLite file by default) with an empty review."""
    store = create_review(db, title=title, slug=slug, actor=actor)
    console.print(f"created review [bold]{store.slug}[/] in {db}")
    store.dispose()


def import_(
    files: Annotated[list[Path], typer.Argument(help="Export files from one source.")],
    source: Annotated[
        str | None,
        typer.Option(help="Database or register the files came from (default: --search's)."),
    ] = None,
    kind: Annotated[SourceKind, typer.Option(help="database, register or other.")] = (
        SourceKind.DATABASE
    ),
    search_date: Annotated[
        str | None, typer.Option(help="Date the search was run (YYYY-MM-DD).")
    ] = None,
    search: Annotated[
        int | None,
        typer.Option("--search", help="The logged search the files came from (search list)."),
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
    actor: ActorOption = "importer",
) -> None:
    """Import export files (format detected from content); each file all or nothing. With
    --search, the files are linked to that logged search (its strategy, date, source)."""
    date = parse_date(search_date, "--search-date")
    store = open_review(db, review)
    try:
        found = None if search is None else search_for_import(store, search, source)
        name = found.source if found else source
        if name is None:
            raise InputError(
                "name the source of the files",
                field="--source",
                hint="--source NAME or --search ID",
            )
        platform = found.platform if found else None
        date = date or (found.date_run if found else None)
        for path in files:
            outcome = imports.import_file(
                store,
                path,
                source=name,
                kind=kind,
                platform=platform,
                search_id=search,
                search_date=date,
                actor=actor,
            )
            r = outcome.report
            console.print(
                f"{path.name}: {r.records} records ({r.format}); missing title {r.missing_title}, "
                f"abstract {r.missing_abstract}, year {r.missing_year}, DOI {r.missing_doi}; "
                f"{len(r.warnings)} warnings"
                + (f"; linked to search {search}" if search is not None else "")
            )
    finally:
        store.dispose()


def dedup(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Standalone: export files or a labelled CSV.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Standalone: clusters CSV to write.")] = None,
    queue: Annotated[
        bool, typer.Option("--queue", help="Show pairs waiting for a person.")
    ] = False,
    merge: Annotated[
        tuple[int, int] | None, typer.Option(help="Two record ids that are the same article.")
    ] = None,
    keep_apart: Annotated[
        tuple[int, int] | None,
        typer.Option(help="Two record ids that are different articles (undoes a merge)."),
    ] = None,
    preprints_same: Annotated[
        bool, typer.Option(help="Standalone: merge a preprint with its journal version.")
    ] = False,
    notices_same: Annotated[
        bool, typer.Option(help="Standalone: merge an erratum or reply into its item.")
    ] = False,
    abstracts_same: Annotated[
        bool, typer.Option(help="Standalone: merge a meeting abstract with its full paper.")
    ] = False,
    db: DbOption = None,
    review: ReviewOption = None,
    actor: ActorOption = "evidens",
) -> None:
    """De-duplicate the review's records, or (with FILEs and --out) files outside a review.

    Uncertain pairs wait in a queue (--queue); a person's --merge or --keep-apart is kept
    for every later run, so new imports never redo a manual decision. Preprints, errata,
    replies and meeting abstracts are linked to their item, not merged, unless the review's
    [dedup] settings (or, standalone, the --*-same flags) say otherwise.
    """
    if files:
        from evidens.cli.dedup_cmd import run_standalone

        if out is None:
            raise typer.BadParameter("--out is required with FILEs", param_hint="--out")
        run_standalone(
            files,
            out,
            preprints_same=preprints_same,
            notices_same=notices_same,
            abstracts_same=abstracts_same,
        )
        return
    store = open_review(db, review)
    try:
        if queue:
            _show_queue(dedup_service.pending_pairs(store))
            return
        for pair, same in ((merge, True), (keep_apart, False)):
            if pair is not None:
                dedup_service.decide_pair(store, pair[0], pair[1], same=same, actor=actor)
        summary = dedup_service.deduplicate(store, actor=actor)
    finally:
        store.dispose()
    console.print(
        f"{summary.records} records -> {summary.records - summary.duplicates_removed} after "
        f"removing {summary.duplicates_removed} duplicates; {summary.uncertain_pairs} pairs "
        f"wait for a person; {summary.linked_reports} related reports linked (registry entry, "
        "preprint, erratum or reply and its item)"
    )


def _show_queue(pairs: list[dedup_service.QueuedPair]) -> None:
    if not pairs:
        console.print("no pairs wait for a person")
    for pair in pairs:
        table = Table(
            title=f"records {pair.record_a} and {pair.record_b} (score {pair.score or 0:.2f})",
            show_header=True,
        )
        table.add_column("field")
        table.add_column(str(pair.record_a))
        table.add_column(str(pair.record_b))
        for field in ("title", "authors", "year", "journal", "volume", "pages", "doi", "pmid"):
            a, b = getattr(pair.a, field), getattr(pair.b, field)
            a_text = escape("; ".join(a) if isinstance(a, tuple) else str(a or ""))
            b_text = escape("; ".join(b) if isinstance(b, tuple) else str(b or ""))
            style = "" if a_text == b_text else "bold yellow"
            table.add_row(field, a_text, b_text, style=style)
        console.print(table)
    console.print("decide with --merge A B or --keep-apart A B")


def status(db: DbOption = None, review: ReviewOption = None) -> None:
    """Where the review stands: records, screening progress per stage, PRISMA so far."""
    store = open_review(db, review)
    try:
        counts = prisma_counts(store)
    finally:
        store.dispose()
    table = Table(title="PRISMA 2020 so far", show_header=True)
    table.add_column("box")
    table.add_column("count", justify="right")
    table.add_column("basis")
    for box, value in box_values(counts).items():
        table.add_row(box.replace("_", " "), str(value), counts.basis.get(box, "derived"))
    console.print(table)


def prisma(
    db: DbOption = None,
    review: ReviewOption = None,
    fmt: Annotated[
        str, typer.Option("--format", help="json, svg, png, pdf, html or csv (PRISMA2020 app).")
    ] = "json",
    template: Annotated[
        str | None, typer.Option(help="new, new-other, updated or updated-other.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """PRISMA 2020 counts (derived from decisions, reported where marked) or the diagram."""
    store = open_review(db, review)
    try:
        if fmt == "json":
            data = (
                json.dumps(
                    exports.prisma_dict(store, check=True), indent=2, ensure_ascii=False
                ).encode()
                + b"\n"
            )
        else:
            exports.prisma_dict(store, check=True)
            data = exports.prisma_figure(store, template=template, fmt=fmt)
    finally:
        store.dispose()
    if out:
        out.write_bytes(data)
        console.print(f"wrote {out}")
    elif fmt in ("png", "pdf"):
        raise typer.BadParameter(f"--format {fmt} needs --out FILE", param_hint="--out")
    else:
        typer.echo(data.decode(), nl=False)


def export(
    out: Annotated[Path, typer.Argument(help="File to write (.ris, .csv or .bib).")],
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Export the de-duplicated records with their screening decisions."""
    store = open_review(db, review)
    try:
        n = exports.export_records(store, out)
    finally:
        store.dispose()
    console.print(f"wrote {n} records to {out}")


def run(
    folder: Annotated[Path, typer.Argument(help="A review kept as files (see examples/).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for review.db and outputs.")],
) -> None:
    """Rebuild a review from its files into OUT/review.db and write every output to OUT/."""
    with progress_bar() as bar:
        summary = run_review(folder, out, progress=progress_of(bar))
    console.print(f"{folder}: {summary.records} records imported -> {summary.store}")
    for path in summary.outputs:
        console.print(f"  wrote {path}")


def progress_of(bar: Progress) -> Callable[[str, int, int], None]:
    """A service's (task, done, total) progress calls drawn as one bar per task."""
    tasks: dict[str, TaskID] = {}

    def on_progress(task: str, done: int, total: int) -> None:
        if task not in tasks:
            tasks[task] = bar.add_task(task, total=total)
        bar.update(tasks[task], completed=done, total=total)

    return on_progress


def report(
    folder: Annotated[Path, typer.Argument(help="A review kept as files (see examples/).")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[
        str, typer.Option("--format", help="html, docx or pdf (needs LibreOffice).")
    ] = "html",
) -> None:
    """The review report (Tables 1-4, Figure 1, forest plots, PRISMA 2020 checklist),
    rebuilt from the review's files."""
    out.write_bytes(report_service.report_file(folder, fmt))
    console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(init)
    app.command("import")(import_)
    app.command()(dedup)
    app.command()(status)
    app.command()(prisma)
    app.command()(export)
    app.command()(run)
