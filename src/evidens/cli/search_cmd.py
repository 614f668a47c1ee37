"""``evidens search translate|run|list|hits``: translate a strategy for each database (and
log the translations as the review's searches); run it where an API exists; list the
review's searches; record a logged search's hits. Thin by design: read the query, call
:mod:`evidens.search` or a service, print or write.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from evidens.cli.review_cmd import DbOption, ReviewOption, parse_date
from evidens.core import Search, SourceKind
from evidens.core.files import TEXT_LIMIT, read_text_bounded
from evidens.errors import InputError
from evidens.search import TARGETS, translate, translate_all
from evidens.search.connectors import SOURCES, SearchResult, run_search
from evidens.search.export import REPORT, translation_files
from evidens.search.translate import Translation
from evidens.search.vocabulary import HeadingMap, read_heading_map

search_app = typer.Typer(
    help="Translate a search strategy for each database, and run it where an API exists.",
    no_args_is_help=True,
)
console = Console(highlight=False, soft_wrap=True)


def _read_text(path: Path, what: str) -> str:
    """A small UTF-8 text file (a strategy, a heading map), with one clear line on failure."""
    return read_text_bounded(path, TEXT_LIMIT, what=f"{what} file")


def _query_text(query: str) -> str:
    """The query itself, or the contents of ``@file``."""
    if not query.startswith("@"):
        return query
    return _read_text(Path(query[1:]), "query")


def _write_files(out: Path, files: dict[str, str]) -> None:
    """Write every file or none: each goes to a temporary name first, then all are renamed."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        temporary = []
        for name, text in files.items():
            part = out / f".{name}.part"
            part.write_text(text, encoding="utf-8")
            temporary.append((part, out / name))
        for part, final in temporary:
            part.replace(final)
    except OSError as exc:
        raise InputError(f"cannot write the translations: {exc.strerror}", path=out) from None


@search_app.command("translate")
def translate_cmd(
    query: Annotated[str, typer.Argument(help="The strategy, or @file holding it.")],
    target: Annotated[str, typer.Option("--to", help=f"{' '.join(TARGETS)} or all.")] = "all",
    source: Annotated[str, typer.Option("--from", help="Syntax of the query: pubmed or ovid.")] = (
        "pubmed"
    ),
    simplify: Annotated[
        bool, typer.Option("--simplify", help="Drop redundancy such as x[tiab] OR x[tw].")
    ] = False,
    headings: Annotated[
        Path | None,
        typer.Option(
            "--headings", help="CSV heading map (header such as mesh,emtree,cinahl) to add."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write <database>.txt per database, warnings.md, JSON."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Log each translation as a search of this review."),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="With --db: date the searches ran, YYYY-MM-DD.")
    ] = None,
    actor: Annotated[str, typer.Option("--as", help="With --db: who ran the searches.")] = (
        "searcher"
    ),
) -> None:
    """Print each translation and every construct the target cannot express, or write them
    to --out DIR: one file per database, warnings.md and translations.json; with --db, log
    each as a search of the review (strategy, where it came from, warnings)."""
    text = _query_text(query)
    table = (
        read_heading_map(_read_text(headings, "heading map"), str(headings)) if headings else None
    )
    if db is not None:
        _log(text, db, source, target, simplify, table, parse_date(date, "--date"), actor)
        return
    if target == "all":
        results = translate_all(text, source=source, simplify=simplify, headings=table)
    else:
        results = {
            target: translate(text, source=source, target=target, simplify=simplify, headings=table)
        }
    if out is not None:
        files = translation_files(results, query=text, source=source)
        _write_files(out, files)
        warned = sum(len(r.notes) for r in results.values())
        console.print(
            f"wrote {len(results)} translations, {warned} warnings ({REPORT}) to {escape(str(out))}"
        )
        return
    _print_translations(results)


def _print_translations(results: dict[str, Translation]) -> None:
    for name, result in results.items():
        if len(results) > 1:
            console.print(f"[bold]== {escape(name)}[/]")
        console.print(escape(result.text))
        for note in result.notes:
            where = f" (line {note.line})" if note.line else ""
            console.print(f"[yellow]warning:[/] {escape(str(note))}{where}")


def _log(
    text: str,
    db: str,
    source: str,
    target: str,
    simplify: bool,
    headings: HeadingMap | None,
    date: dt.date | None,
    actor: str,
) -> None:
    """Log the translations as searches and say which ids they got (for import --search)."""
    from evidens.services.identification.search_log import log_translations
    from evidens.services.store import open_review

    targets = list(TARGETS) if target == "all" else [target]
    with open_review(db) as store:
        logged = log_translations(
            store,
            text,
            source=source,
            targets=targets,
            date_run=date,
            run_by=actor,
            actor=actor,
            simplify=simplify,
            headings=headings,
        )
    for search in logged:
        warned = len(search.translation.warnings) if search.translation else 0
        console.print(
            f"logged search {search.id}: {escape(search.source)}"
            f"{f' via {escape(search.platform)}' if search.platform else ''}"
            f" ({escape(search.translation.target if search.translation else '')}),"
            f" {warned} warnings"
        )
    console.print(
        f"{len(logged)} searches logged; import each export with "
        "`evidens import FILE --search ID`, record its hits with `evidens search hits ID N`"
    )


@search_app.command("run")
def run_cmd(
    source: Annotated[str, typer.Argument(help=f"One of {', '.join(SOURCES)}.")],
    query: Annotated[str, typer.Argument(help="The query in the source's syntax, or @file.")],
    max_records: Annotated[int | None, typer.Option("--max", help="Fetch at most N.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write FILE.ris or FILE.json.")] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="PubMed or OpenAlex API key.")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="Contact e-mail (polite use).")] = (
        None
    ),
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Another API address (mirrors, tests).")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Log the search in this review and import its records."),
    ] = None,
    actor: Annotated[str, typer.Option("--as", help="Who ran the search.")] = "searcher",
) -> None:
    """Run the query against the source's API; write the records to --out, or log the
    search and import them into the review at --db."""
    if out is not None and out.suffix.lower() not in (".ris", ".json"):
        raise InputError("the output file must end in .ris or .json", path=out)
    text = _query_text(query)
    if source == "pubmed" and len([x for x in text.splitlines() if x.strip()]) > 1:
        # A numbered strategy: esearch takes one query, the one the last line means.
        text = translate(text, source="pubmed", target="pubmed", one_query=True).text
    key = api_key or (os.environ.get("OPENALEX_API_KEY") if source == "openalex" else None)
    result = run_search(
        source, text, max_records=max_records, api_key=key, email=email, base_url=base_url
    )
    run = result.run
    console.print(
        f"{escape(run.platform)}: {run.hits} hits, {run.retrieved} records retrieved"
        f"{'' if run.complete else ' (incomplete: resumable)'}"
    )
    if run.executed_query:
        console.print(f"executed as: {escape(run.executed_query)}")
    for warning in run.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if out is not None:
        out.write_text(_export(result, out), encoding="utf-8")
        console.print(f"wrote {len(result.records)} records to {escape(str(out))}")
    if db is not None and result.records:
        from evidens.services.identification.searching import record_search_run
        from evidens.services.store import open_review

        store = open_review(db)
        try:
            outcome = record_search_run(store, source, result, actor=actor)
        finally:
            store.dispose()
        console.print(f"logged the search and imported {outcome.report.records} records")


@search_app.command("add")
def add_cmd(
    source: Annotated[str, typer.Option(help="The database or register searched.")],
    strategy: Annotated[str, typer.Option(help="The full strategy, as it was run.")],
    actor: Annotated[str, typer.Option("--as", help="Who ran it (for the audit log).")],
    kind: Annotated[SourceKind, typer.Option(help="database, register or other.")] = (
        SourceKind.DATABASE
    ),
    platform: Annotated[str | None, typer.Option(help="Interface, e.g. Ovid.")] = None,
    date: Annotated[str | None, typer.Option(help="Date run (YYYY-MM-DD).")] = None,
    hits: Annotated[int | None, typer.Option(help="Records the database reported.", min=0)] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Log a search as it was run, then import its exports with `evidens import --search ID`."""
    from evidens.services.identification.search_log import log_search
    from evidens.services.store import open_review

    search = Search(source, strategy, parse_date(date, "--date"), hits, platform, None, actor)
    with open_review(db, review) as store:
        logged = log_search(store, search, kind, actor=actor)
    console.print(f"logged search {logged.id}: {escape(source)}")


@search_app.command("list")
def list_cmd(db: DbOption = None, review: ReviewOption = None) -> None:
    """The review's searches with their ids (what `evidens import --search ID` names), date,
    hits, and the translation each strategy came from."""
    from evidens.services.identification.search_log import list_searches
    from evidens.services.store import open_review

    with open_review(db, review) as store:
        searches = list_searches(store)
    if not searches:
        console.print("no searches logged yet")
    for search in searches:
        via = f" via {search.platform}" if search.platform else ""
        date = search.date_run.isoformat() if search.date_run else "date not recorded"
        hits = "hits not recorded" if search.hits is None else f"{search.hits} hits"
        line = f"{search.id}: {search.source}{via}, {date}, {hits}"
        if search.translation is not None:
            t = search.translation
            line += f"; translated from {t.syntax} for {t.target}, {len(t.warnings)} warnings"
        console.print(escape(line))


@search_app.command("hits")
def hits_cmd(
    search_id: Annotated[int, typer.Argument(help="The search's id (`evidens search list`).")],
    hits: Annotated[int, typer.Argument(help="Records the database found.")],
    date: Annotated[
        str | None, typer.Option("--date", help="Date the search ran, YYYY-MM-DD.")
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
    actor: Annotated[str, typer.Option("--as", help="Who ran the search.")] = "searcher",
) -> None:
    """Record the hits a logged search gave when it was run (PRISMA-S item 13)."""
    from evidens.services.identification.search_log import set_hits
    from evidens.services.store import open_review

    with open_review(db, review) as store:
        set_hits(store, search_id, hits, actor=actor, date_run=parse_date(date, "--date"))
    console.print(f"search {search_id}: {hits} hits recorded")


def _export(result: SearchResult, out: Path) -> str:
    if out.suffix.lower() == ".ris":
        from evidens.formats import write_ris

        return write_ris(result.records)
    payload: dict[str, Any] = {
        "run": dataclasses.asdict(result.run),
        "records": [dataclasses.asdict(record) for record in result.records],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def register(app: typer.Typer) -> None:
    """Attach ``evidens search`` to the main app."""
    app.add_typer(search_app, name="search")
