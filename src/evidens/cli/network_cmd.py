"""``evidens network FILE.csv``: a network meta-analysis of arm-level data, no review needed.

Thin by design: read the CSV, call :mod:`evidens.meta` (and the figures of
:mod:`evidens.report`), print with rich.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evidens.errors import ConfigError
from evidens.meta.effects import RATIO_MEASURES
from evidens.meta.nma import NetworkMetaAnalysis, NetworkResult
from evidens.meta.nma_data import contrasts_from_arms
from evidens.meta.nma_split import split_all
from evidens.meta.nma_table import arms_from_csv

console = Console(highlight=False, soft_wrap=True)


def network(
    file: Annotated[Path, typer.Argument(help="CSV, one row per arm (see --help).")],
    measure: Annotated[str, typer.Option(help="OR, RR, RD (binary) or MD.")] = "OR",
    model: Annotated[str, typer.Option(help="FE, RE or random_inconsistency.")] = "RE",
    method: Annotated[str, typer.Option(help="REML or ML.")] = "REML",
    reference: Annotated[str | None, typer.Option(help="Reference treatment.")] = None,
    small_values: Annotated[str, typer.Option(help="'good' or 'bad' (P-scores).")] = "good",
    graph: Annotated[Path | None, typer.Option(help="Write the network graph.")] = None,
    forest: Annotated[Path | None, typer.Option(help="Write the forest plot.")] = None,
    league: Annotated[
        Path | None, typer.Option(help="Write the league (.csv/.html/.docx).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Network meta-analysis of a CSV with study, treatment, events, n (or mean, sd, n) and an
    optional rob column; prints effects against the reference, P-scores and inconsistency."""
    from evidens.cli.meta_cmd import _read

    text = _read(file).decode("utf-8-sig", errors="replace")
    table = arms_from_csv(text, str(file))
    if table.binary == (measure.upper() == "MD"):
        raise ConfigError(f"measure {measure} does not fit this data", field="measure")
    con = contrasts_from_arms(table.arms, measure)
    res = NetworkMetaAnalysis(
        model=model, method=method, reference=reference, small_values=small_values
    ).fit(con)
    _outputs(res, table.rob, graph, forest, league)
    if as_json:
        typer.echo(json.dumps(_json(res), ensure_ascii=False, indent=2))
        return
    _print(res)


def _outputs(
    res: NetworkResult,
    rob: dict[str, str],
    graph: Path | None,
    forest: Path | None,
    league: Path | None,
) -> None:
    from evidens.report.league import league_csv, league_docx, league_html, league_table
    from evidens.report.network import network_forest, network_graph

    for target, draw in ((graph, "graph"), (forest, "forest")):
        if target is None:
            continue
        fmt = target.suffix.lstrip(".").lower() or "svg"
        if draw == "graph":
            network_graph(res, rob=rob or None, path=target, format=fmt)
        else:
            network_forest(res, path=target, format=fmt)
        console.print(f"wrote {escape(str(target))}")
    if league is not None:
        lt = league_table(res)
        kind = league.suffix.lower()
        if kind == ".docx":
            league.write_bytes(league_docx(lt))
        elif kind in (".html", ".htm"):
            league.write_text(league_html(lt), encoding="utf-8")
        elif kind == ".csv":
            league.write_text(league_csv(lt), encoding="utf-8")
        else:
            raise ConfigError(
                f"league file {league.name}: use .csv, .html or .docx", field="league"
            )
        console.print(f"wrote {escape(str(league))}")


def _shown(res: NetworkResult, v: float) -> float:
    return math.exp(v) if res.contrasts.measure in RATIO_MEASURES else v


def _print(res: NetworkResult) -> None:
    n_st = len(set(res.contrasts.study))
    t = Table(
        title=f"{res.model} network: {n_st} studies, {len(res.treatments)} treatments, "
        f"vs {escape(res.reference)}",
        title_justify="left",
    )
    for col in ("Treatment", "Effect", "95% CI", "P-score"):
        t.add_column(col, justify="left" if col == "Treatment" else "right")
    scores = dict(zip(res.treatments, res.pscores(), strict=True))
    for name, est, lo, hi in res.versus_reference():
        t.add_row(
            escape(name),
            f"{_shown(res, est):.3f}",
            f"{_shown(res, lo):.3f} to {_shown(res, hi):.3f}",
            f"{scores[name]:.3f}",
        )
    console.print(t)
    better = "smaller" if res.small_values == "good" else "larger"
    console.print(f"P-score: 1 = best; {better} values are better (--small-values)")
    if res.fit.structures:
        console.print(f"τ² = {res.fit.theta[0]:.4g} (REML/ML, shared by every comparison)")
    inc = res.inconsistency()
    console.print(
        f"Design-by-treatment inconsistency: Q = {inc.QM:.2f}, df = {inc.df}, p = {inc.pval:.3g}"
    )
    for s in split_all(res):
        if s.pval < 0.10:
            console.print(
                f"[yellow]direct vs indirect differ[/] for {escape(s.second)} vs "
                f"{escape(s.first)}: p = {s.pval:.3g}"
            )


def _json(res: NetworkResult) -> dict[str, Any]:
    from evidens.meta.nma import league_json

    inc = res.inconsistency()
    return {
        "treatments": list(res.treatments),
        "reference": res.reference,
        "model": res.model,
        "measure": res.contrasts.measure,
        "scale": "log" if res.contrasts.measure in RATIO_MEASURES else "raw",
        "basic_parameters": dict(zip(res.fit.coef_names, res.fit.beta.tolist(), strict=True)),
        "tau2": float(res.fit.theta[0]) if res.fit.structures else None,
        "pscores": dict(zip(res.treatments, res.pscores().tolist(), strict=True)),
        "pscore_direction": f"small values are {res.small_values}",
        "league": league_json(res.league()),
        "inconsistency": {"Q": inc.QM, "df": inc.df, "p": inc.pval},
        "side_split": [s.__dict__ for s in split_all(res)],
    }
