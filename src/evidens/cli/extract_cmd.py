"""``evidens extract``: forms, spreadsheets, discrepancies and consensus, working on files.

Thin by design: read files, call :mod:`evidens.extraction`, print with rich. The lead wires the
same calls to a review store later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

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

MAX_FILE_BYTES = 20_000_000

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
    first: Annotated[Path, typer.Argument(help="first extractor's workbook")],
    second: Annotated[Path, typer.Argument(help="second extractor's workbook")],
    form: FormOption = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="absolute tolerance for numbers")
    ] = 0.005,
) -> None:
    """Compare two extractors' workbooks of one study field by field."""
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


def _form(path: Path | None) -> Form:
    if path is None:
        return default_form()
    try:
        text = _read(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", path=path, hint="save the form as UTF-8") from exc
    return parse_form(text, path=str(path))


def _extraction(
    path: Path, form: Form, *, extractor: str | None = None, study: str | None = None
) -> Extraction:
    return xlsx_to_extraction(_read(path), form, extractor=extractor, name=str(path), study=study)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError("file is larger than 20 MB", path=path, hint="check the file")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=path) from exc


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
