"""Stand-alone screening tools: ``simulate`` (prioritised screening on a labelled set) and
``agreement`` (kappa, PABAK, AC1 from a decisions CSV). No review store is needed.

The lead's ``evidens screen`` group owns the in-review commands; this module only adds its
commands to the group it is given (:func:`register_screen_commands`). Thin by design: read
files, call :mod:`evidens.screening`, print with rich, write run.json and the plot.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evidens.core.files import DATA_LIMIT, read_text_bounded
from evidens.errors import InputError
from evidens.screening.agreement import Agreement, all_pairs, landis_koch, read_decisions_csv
from evidens.screening.ranking import DEFAULT_MODEL
from evidens.screening.simulate import (
    LabelledSet,
    SimulationResult,
    read_labelled_csv,
    simulate,
)

console = Console(highlight=False, soft_wrap=True)


def _read_text(path: Path) -> str:
    return read_text_bounded(path, DATA_LIMIT, what="file")


def _read_labelled(path: Path) -> LabelledSet:
    """The labelled CSV (see :func:`read_labelled_csv`), read bounded."""
    text = read_text_bounded(path, DATA_LIMIT, what="labelled set")
    return read_labelled_csv(io.StringIO(text, newline=""), str(path))


def run_json(
    result: SimulationResult, record_ids: tuple[str, ...], dataset: str
) -> dict[str, object]:
    """The run.json document: settings, the order (record ids and rows) and the metrics."""
    document: dict[str, object] = {
        "dataset": dataset,
        "model": result.model,
        "seed": result.seed,
        "prior_seed": result.prior_seed,
        "n_records": result.n_records,
        "n_relevant": result.n_relevant,
        "priors": [record_ids[i] for i in result.priors],
        "prior_rows": list(result.priors),
        "order": [record_ids[i] for i in result.order],
        "order_rows": list(result.order),
        "labels": list(result.labels_in_order),
    }
    document.update(result.metrics.as_dict())
    document["wall_s"] = round(result.wall_s, 4)
    document["stopping"] = stopping_in_run(result)
    document["metric_conventions"] = (
        "ASReview 3 / insights: priors excluded from N and R; wss95 at recall floor(0.95R)/R; "
        "wss95_classic per Cohen 2006 (recall >= 0.95); recall10 and erf10 at floor(0.1N); "
        "atd in records; n_screened_all_found counts the priors"
    )
    return document


def stopping_in_run(result: SimulationResult) -> list[dict[str, object]]:
    """Where each stopping rule would have stopped this run (checked every 10 records), the
    recall reached there and the share of records saved; the default rule is marked. Null
    means not within the screened records (--beyond-last screens past the last relevant).
    Rules that need a random sample are replayed only on a run screened to the end, with a
    sample drawn from the run's seed."""
    import numpy as np

    from evidens.screening.stopping_rules import replay

    prior_labels = [1, 0][: len(result.priors)]
    labels = prior_labels + list(result.labels_in_order)
    whole = len(labels) == result.n_records
    draw = np.random.default_rng(result.seed).permutation(result.n_records) if whole else None
    order = (
        f"by a machine-learning ranking ({result.model}) refitted after every decision, "
        f"starting from {len(result.priors)} prior records (a simulation on a labelled set)"
    )
    outcomes = replay(labels, result.n_records, draw_order=None if draw is None else draw.tolist())
    return [outcome.as_dict(order) for outcome in outcomes]


def simulate_command(
    data: Annotated[
        Path, typer.Argument(help="Labelled CSV: record_id,title,abstract,label_included")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write run.json.")],
    model: Annotated[
        str,
        typer.Option(
            "--model", help="svm (default), elas_u4 (ASReview's C), svm-mindf2, nb or logistic."
        ),
    ] = DEFAULT_MODEL,
    seed: Annotated[int, typer.Option("--seed", help="Model seed.")] = 0,
    prior_seed: Annotated[int, typer.Option("--prior-seed", help="Seed for the 1+1 priors.")] = 0,
    plot: Annotated[str, typer.Option("--plot", help="svg, png or none.")] = "svg",
    beyond_last: Annotated[
        int,
        typer.Option("--beyond-last", help="Screen this many records after the last relevant one."),
    ] = 0,
) -> None:
    """Simulate prioritised screening to the last relevant record; write metrics and order."""
    labelled = _read_labelled(data)
    result = simulate(
        labelled, model=model, seed=seed, prior_seed=prior_seed, beyond_last=beyond_last
    )
    document = run_json(result, labelled.record_ids, str(data))
    out.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    if plot != "none":
        from evidens.screening.plot import FORMATS, recall_curve

        if plot not in FORMATS:
            raise InputError(
                f"unknown plot format {plot!r}", field="--plot", hint="svg, png or none"
            )
        out.with_suffix(f".{plot}").write_bytes(recall_curve(result, image_format=plot))
    m = result.metrics
    console.print(
        f"{escape(data.name)}: {m.n_screened_all_found} of {result.n_records} screened to find "
        f"all {result.n_relevant}; WSS@95 {m.wss95:.3f} (classic {m.wss95_classic:.3f}), "
        f"recall@10% {m.recall10:.3f}, loss {m.loss:.3f}, ATD {m.atd:.1f}, "
        f"{result.wall_s:.2f} s -> {escape(str(out))}"
    )


def _ci(value: float, low: float, high: float) -> str:
    return f"{value:.3f} ({low:.3f} to {high:.3f})"


def _agreement_row(item: Agreement) -> list[str]:
    table = " ".join("/".join(str(v) for v in row) for row in item.table)
    return [
        escape(f"{item.reviewer_a} vs {item.reviewer_b}"),
        item.stage.value if item.stage else "",
        str(item.n),
        table,
        f"{item.observed:.3f}",
        _ci(item.kappa.value, item.kappa.ci_low, item.kappa.ci_high),
        _ci(item.pabak.value, item.pabak.ci_low, item.pabak.ci_high),
        _ci(item.ac1.value, item.ac1.ci_low, item.ac1.ci_high),
        landis_koch(item.kappa.value),
    ]


def agreement_command(
    decisions: Annotated[Path, typer.Argument(help="CSV: record_id,reviewer,decision[,stage]")],
    three_way: Annotated[
        bool, typer.Option("--three-way", help="Keep maybe as its own category (3x3 table).")
    ] = False,
) -> None:
    """Agreement per reviewer pair and stage: kappa, PABAK and Gwet's AC1 with 95% CIs."""
    parsed = read_decisions_csv(_read_text(decisions), str(decisions))
    results = all_pairs(parsed, maybe_as_include=not three_way)
    if not results:
        raise InputError(
            "no two reviewers screened the same records", path=decisions,
            hint="agreement needs records with decisions from at least two reviewers",
        )  # fmt: skip
    table = Table(title="Inter-rater agreement (95% CI, Gwet 2014 variances)")
    for column in ("pair", "stage", "n", "table (rows: first)", "p_o", "kappa", "PABAK", "AC1"):
        table.add_column(column)
    table.add_column("kappa band*")
    for item in results:
        table.add_row(*_agreement_row(item))
    console.print(table)
    console.print("* Landis & Koch (1977) bands: a convention, not a test.")


def register_screen_commands(screen_app: typer.Typer) -> None:
    """Add ``simulate`` and ``agreement`` to the ``evidens screen`` group the lead passes in."""
    screen_app.command("simulate")(simulate_command)
    screen_app.command("agreement")(agreement_command)
