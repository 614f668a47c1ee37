"""``evidens extract``: forms, spreadsheets, discrepancies and consensus, on files or in a store.

Thin by design: read files, call :mod:`evidens.extraction` (files) or
:mod:`evidens.services.assessment.extraction_edit` (a review store: ``add``, ``status``, ``settle``,
``set-form``, and ``discrepancies`` without workbooks), print with rich.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evidens.cli.review_cmd import ActorOption, DbOption, ReviewOption
from evidens.core.files import WORKBOOK_LIMIT, read_bounded
from evidens.errors import InputError
from evidens.extraction import (
    DiscrepancyReport,
    Extraction,
    Form,
    characteristics_csv,
    default_form,
    default_form_text,
    discrepancies,
    form_to_xlsx,
    load_review_extraction,
    outcomes_csv,
    parse_form,
    xlsx_to_extraction,
)
from evidens.extraction.outputs import display
from evidens.extraction.serialize import consensus_to_dict, extraction_to_dict, to_json
from evidens.services.assessment import extraction_edit
from evidens.services.store import open_review

extract_app = typer.Typer(
    name="extract",
    help="Data extraction: forms, Excel export/import, discrepancies, consensus.",
    no_args_is_help=True,
)
console = Console(highlight=False, soft_wrap=True)

FormOption = Annotated[
    Path | None, typer.Option("--form", help="form.toml (default: the packaged form)")
]


def register(app: typer.Typer) -> None:
    app.add_typer(extract_app, name="extract")


@extract_app.command("form")
def form_command(
    out: Annotated[Path | None, typer.Option("--out", help="write the form here")] = None,
) -> None:
    """Print (or write) the default form as TOML, to adapt and keep with the review."""
    text = default_form_text()
    if out is None:
        console.print(escape(text), end="")
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {escape(str(out))}")


@extract_app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="the .xlsx to write")],
    form: FormOption = None,
    extractor: Annotated[str, typer.Option("--extractor", help="who will fill it in")] = "",
    study: Annotated[str, typer.Option("--study", help="study label, e.g. Sharma 2021")] = "",
) -> None:
    """Write a blank extraction workbook for one extractor (and study)."""
    blank = Extraction(study=study, extractor=extractor) if (study or extractor) else None
    file.write_bytes(form_to_xlsx(_form(form), blank))
    console.print(f"wrote {escape(str(file))}")


@extract_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="a filled extraction workbook")],
    extractor: Annotated[str, typer.Option("--extractor", help="who filled it in")],
    form: FormOption = None,
    study: Annotated[str | None, typer.Option("--study", help="override the study")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write the extraction as JSON")] = None,
) -> None:
    """Validate a filled workbook and print (or write as JSON) the extraction."""
    extraction = _extraction(file, _form(form), extractor=extractor, study=study)
    if out is not None:
        out.write_text(to_json(extraction_to_dict(extraction)), encoding="utf-8")
        console.print(f"wrote {escape(str(out))}")
        return
    _print_extraction(extraction)


@extract_app.command("discrepancies")
def discrepancies_command(
    first: Annotated[
        Path | None, typer.Argument(help="first extractor's workbook (none: the store's)")
    ] = None,
    second: Annotated[Path | None, typer.Argument(help="second extractor's workbook")] = None,
    form: FormOption = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="absolute tolerance for numbers")
    ] = 0.005,
    study: Annotated[
        str | None, typer.Option("--study", help="only this study (in the store)")
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Compare two workbooks of one study field by field, or (no workbooks) every study's
    two extractions kept in the review store (--db)."""
    if first is None and second is None:
        with open_review(db, review) as store:
            reports = extraction_edit.discrepancies_in(store, study)
        if not reports:
            console.print("no study has two extractions yet: `evidens extract add --db ...`")
        for found in reports:
            _print_report(found)
        return
    if first is None or second is None:
        raise InputError(
            "give two workbooks, or none to compare the extractions in the store (--db)"
        )
    the_form = _form(form)
    report = discrepancies(
        _extraction(first, the_form), _extraction(second, the_form), the_form, abs_tol=tolerance
    )
    _print_report(report)


@extract_app.command("consensus")
def consensus_command(
    folder: Annotated[
        Path, typer.Argument(help="folder with form.toml, the *.xlsx and consensus.toml")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="write characteristics.csv and outcomes.csv here")
    ] = None,
    as_json: Annotated[
        Path | None, typer.Option("--json", help="write the consensus records as JSON")
    ] = None,
) -> None:
    """Apply consensus.toml to the folder's extractions; write the agreed outputs."""
    if not folder.is_dir():
        raise InputError("not a folder", path=folder, hint="give the extraction folder")
    files = {p.name: _read(p) for p in sorted(folder.iterdir()) if p.is_file()}
    review = load_review_extraction(files)
    for report in review.reports:
        _print_report(report)
    for record in review.consensus:
        console.print(
            f"[green]consensus[/] {escape(record.study)}: {len(record.decisions)} decision(s) "
            f"by {escape(record.decided_by)}"
        )
    for study in review.pending:
        console.print(f"[yellow]pending[/] {escape(study)}: disagreements not yet resolved")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "characteristics.csv").write_text(characteristics_csv(review.consensus), "utf-8")
        (out / "outcomes.csv").write_text(outcomes_csv(review.consensus), "utf-8")
        console.print(f"wrote {escape(str(out))}/characteristics.csv and outcomes.csv")
    if as_json is not None:
        records = ",\n".join(to_json(consensus_to_dict(c)).rstrip() for c in review.consensus)
        as_json.write_text(f"[\n{records}\n]\n", encoding="utf-8")


@extract_app.command("add")
def add_command(
    file: Annotated[Path, typer.Argument(help="a filled extraction workbook")],
    actor: ActorOption,
    extractor: Annotated[
        str | None, typer.Option("--extractor", help="who filled it in (default: About sheet)")
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Add an extractor's workbook for a study to the review store (replacing that
    extractor's earlier one for the study)."""
    data = _read(file)
    with open_review(db, review) as store:
        added = extraction_edit.add_extraction(
            store, data, name=file.name, actor=actor, extractor=extractor
        )
    console.print(
        f"{escape(added.study)}: extraction by {escape(added.extractor)} kept "
        f"({len(added.values)} answers, {len(added.arms)} outcome(s))"
    )


@extract_app.command("status")
def status_command(db: DbOption = None, review: ReviewOption = None) -> None:
    """Per study in the review store: its extractors, disagreements to settle, agreed or not."""
    with open_review(db, review) as store:
        rows = extraction_edit.extraction_status(store)
    if not rows:
        console.print("nothing extracted yet: `evidens extract add SHEET.xlsx --db ...`")
        return
    table = Table("Study", "Extractors", "To settle", "Agreed")
    for row in rows:
        table.add_row(
            escape(row.study),
            escape(", ".join(row.extractors)),
            str(len(row.pending)),
            "yes" if row.agreed else "no",
        )
    console.print(table)


@extract_app.command("settle")
def settle_command(
    study: Annotated[str, typer.Argument(help="the study, e.g. Sharma 2021")],
    field: Annotated[str, typer.Argument(help="the field key, as discrepancies lists it")],
    note: Annotated[str, typer.Option("--note", help="why (kept with the decision)")],
    actor: ActorOption,
    take: Annotated[
        str | None, typer.Option("--take", help="the extractor whose answer stands")
    ] = None,
    value: Annotated[str | None, typer.Option("--value", help="the agreed answer")] = None,
    decided_by: Annotated[
        str | None, typer.Option("--decided-by", help="who decided (default: --as)")
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Settle one disagreement of a study in the review store (--take NAME or --value V)."""
    if (take is None) == (value is None):
        raise InputError("give --take NAME or --value V (one of them)")
    with open_review(db, review) as store:
        agreed = extraction_edit.settle_field(
            store,
            study,
            field,
            take=take,
            value=value,
            note=note,
            decided_by=decided_by or actor,
            actor=actor,
        )
    console.print(f"{escape(study)}: {escape(field)} settled")
    if agreed is not None:
        console.print(f"[green]consensus[/] {escape(study)}: every disagreement is settled")


@extract_app.command("set-form")
def set_form_command(
    file: Annotated[Path, typer.Argument(help="the review's form.toml")],
    actor: ActorOption,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Set the review store's extraction form (before anyone extracts)."""
    text = _text(file)
    with open_review(db, review) as store:
        extraction_edit.set_form(store, text, actor=actor)
    console.print(f"form {escape(file.name)} set")


def _form(path: Path | None) -> Form:
    if path is None:
        return default_form()
    return parse_form(_text(path), path=str(path))


def _text(path: Path) -> str:
    try:
        return _read(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", path=path, hint="save the form as UTF-8") from exc


def _extraction(
    path: Path, form: Form, *, extractor: str | None = None, study: str | None = None
) -> Extraction:
    return xlsx_to_extraction(_read(path), form, extractor=extractor, name=str(path), study=study)


def _read(path: Path) -> bytes:
    return read_bounded(path, WORKBOOK_LIMIT, what="file")


def _print_extraction(extraction: Extraction) -> None:
    table = Table(title=f"{escape(extraction.study)} — extracted by {escape(extraction.extractor)}")
    table.add_column("Field")
    table.add_column("Value")
    for key, value in extraction.values:
        table.add_row(escape(key), escape(display(value)))
    for data in extraction.arms:
        for arm in (data.experimental, data.comparator):
            numbers = ", ".join(
                f"{stat}={display(getattr(arm, stat))}"
                for stat in ("events", "total", "mean", "sd", "n")
                if getattr(arm, stat) is not None
            )
            table.add_row(escape(f"outcomes.{data.id}.{arm.arm}"), escape(numbers))
    console.print(table)


def _print_report(report: DiscrepancyReport) -> None:
    names = report.extractors
    console.print(
        f"{escape(report.study)}: {report.compared} answers compared, "
        f"{len(report.discrepancies)} disagreement(s) between {escape(' and '.join(names))}"
    )
    if not report.discrepancies:
        return
    table = Table("Label", *(escape(n) for n in names), "Field")
    for item in report.discrepancies:
        shown = [escape(display(value)) or "[dim](blank)[/]" for _, value in item.values]
        table.add_row(escape(item.label), *shown, escape(item.key))
    console.print(table)
