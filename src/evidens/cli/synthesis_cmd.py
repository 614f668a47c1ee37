"""`evidens outputs` (every output straight from a store) and `evidens analyse` (the
review's meta-analyses: define, list, remove, run), inside a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidens.cli.review_cmd import DbOption, ReviewOption, console, progress_bar, progress_of
from evidens.meta import MetaResult
from evidens.meta.nma import NetworkResult
from evidens.services.reporting.review_outputs import write_outputs
from evidens.services.store import open_review, transaction
from evidens.services.synthesis import analyses

analyse_app = typer.Typer(help="The review's meta-analyses, on its agreed (consensus) data.")
Actor = Annotated[str, typer.Option("--as", help="Who is acting (for the audit log).")]


def outputs(
    out: Annotated[Path, typer.Argument(help="Folder for the outputs (created if needed).")],
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Write every output `evidens run` writes (PRISMA, tables, figures, SoF, report),
    straight from a review store."""
    with open_review(db, review) as store, progress_bar() as bar:
        written = write_outputs(store, out, progress=progress_of(bar))
    for path in written:
        console.print(f"  wrote {escape(str(path))}")


@analyse_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A short name, used in file names.")],
    outcome: Annotated[str, typer.Option(help="An outcome id of the extraction form.")],
    actor: Actor,
    measure: Annotated[str, typer.Option(help="RR, OR, RD, MD, SMD...")] = "RR",
    preset: Annotated[str | None, typer.Option(help="metafor or revman defaults.")] = None,
    method: Annotated[
        str | None, typer.Option(help="FE, or a tau² estimator (REML, DL...).")
    ] = None,
    pooling: Annotated[str | None, typer.Option(help="IV, MH or PETO.")] = None,
    test: Annotated[str | None, typer.Option(help="z or knha.")] = None,
    labels: Annotated[
        str | None, typer.Option(help='The forest plot\'s two sides: "left|right".')
    ] = None,
    kind: Annotated[str | None, typer.Option(help="pairwise (default) or network.")] = None,
    model: Annotated[
        str | None, typer.Option(help="Network: FE, RE or random_inconsistency.")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="Network: reference treatment.")] = None,
    small_values: Annotated[
        str | None, typer.Option(help="Network: 'good' or 'bad' (P-score direction).")
    ] = None,
    arms: Annotated[
        list[str] | None,
        typer.Option(
            help="Network: another arm pair, OUTCOME[:EXPERIMENTAL_FIELD[:COMPARATOR_FIELD]]."
        ),
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Define a meta-analysis of one outcome (computed on consensus data)."""
    spec: dict[str, object] = {"name": name, "outcome": outcome, "measure": measure}
    given = {"preset": preset, "method": method, "pooling": pooling, "test": test}
    given |= {"kind": kind, "model": model, "reference": reference, "small_values": small_values}
    spec.update({k: v for k, v in given.items() if v is not None})
    if labels is not None:
        spec["labels"] = [part.strip() for part in labels.split("|")]
    if arms:
        keys = ("outcome", "experimental", "comparator")
        spec["arms"] = [dict(zip(keys, pair.split(":"), strict=False)) for pair in arms]
    with open_review(db, review) as store, transaction(store, actor) as uow:
        analyses.add_analysis(uow, spec)
    console.print(f"analysis {escape(name)} defined")


@analyse_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The analysis to remove.")],
    actor: Actor,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Remove an analysis (its definition stays in the audit log)."""
    with open_review(db, review) as store, transaction(store, actor) as uow:
        analyses.remove_analysis(uow, name)
    console.print(f"analysis {escape(name)} removed")


@analyse_app.command("list")
def list_analyses(db: DbOption = None, review: ReviewOption = None) -> None:
    """Every analysis, fitted now on the agreed data: k, pooled effect, CI, I², tau²."""
    with open_review(db, review) as store, transaction(store, "evidens") as uow:
        specs = analyses.analysis_specs(uow)
        fitted = analyses.fitted_in(uow) if specs else {}
    table = Table("analysis", "outcome", "measure", "k", "estimate [95% CI]", "I²", "tau²")
    for spec in specs:
        result = fitted[spec["name"]][0]
        if isinstance(result, NetworkResult):
            _network_row(table, spec, result)
            continue
        pooled = result.main
        h = result.heterogeneity
        shown = "-"
        if pooled is not None:
            shown = f"{shown_value(result, pooled.estimate)} [{shown_value(result, pooled.ci_lb)}, "
            shown += f"{shown_value(result, pooled.ci_ub)}]"
        table.add_row(
            escape(str(spec["name"])),
            escape(str(spec["outcome"])),
            escape(str(spec.get("measure", "RR"))),
            str(result.k),
            shown,
            "-" if h is None or h.df < 1 else f"{h.I2:.1f}%",
            "-" if h is None or h.df < 1 else f"{h.tau2:.4g}",
        )
    console.print(table if specs else "no analysis defined yet (evidens analyse add)")


def _network_row(table: Table, spec: dict[str, object], result: NetworkResult) -> None:
    """A network has no single pooled effect: its row names the reference and tau²."""
    tau2 = f"{result.fit.theta[0]:.4g}" if result.fit.structures else "-"
    table.add_row(
        escape(str(spec["name"])),
        escape(str(spec["outcome"])),
        escape(str(spec.get("measure", "RR"))),
        str(len(set(result.contrasts.study))),
        f"network of {len(result.treatments)} vs {escape(result.reference)}",
        "-",
        tau2,
    )


def shown_value(result: MetaResult, value: float) -> str:
    """An estimate on the scale people read (ratios back-transformed)."""
    shown = result.display(value)
    return "-" if shown is None else f"{shown:.3f}"


def register(app: typer.Typer) -> None:
    app.command("outputs")(outputs)
    app.add_typer(analyse_app, name="analyse")
