"""``evidens meta FILE.csv`` and ``evidens validate metafor FILE.json``.

Thin by design: read the file, call :mod:`evidens.meta` (and the figures of
:mod:`evidens.report`), print with rich. No review is needed for either command.
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

from evidens.core.files import DATA_LIMIT, read_bounded
from evidens.errors import InputError
from evidens.meta.model import MetaAnalysis
from evidens.meta.results import MetaResult, Summary
from evidens.meta.table import effects_from_csv

console = Console(highlight=False, soft_wrap=True)
validate_app = typer.Typer(help="Check evidens against reference software.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Attach ``meta`` and the ``validate`` group to the main app."""
    from evidens.cli.network_cmd import network

    app.command("meta")(meta)
    app.command("network")(network)
    app.add_typer(validate_app, name="validate")


def _read(path: Path) -> bytes:
    return read_bounded(path, DATA_LIMIT, what="data file")


def _fmt(result: MetaResult, value: float | None) -> str:
    shown = result.display(value)
    return "-" if shown is None else f"{shown:.3f}"


def meta(
    file: Annotated[Path, typer.Argument(help="CSV: one row per study (see --help).")],
    measure: Annotated[str, typer.Option(help="RR, OR, RD, PETO, MD, SMD or GEN.")] = "RR",
    method: Annotated[
        str | None, typer.Option(help="FE, DL, REML, ML, PM, SJ, HE, EB, HS.")
    ] = None,
    test: Annotated[str | None, typer.Option(help="z or knha (Knapp-Hartung).")] = None,
    pooling: Annotated[str | None, typer.Option(help="IV, MH or PETO.")] = None,
    preset: Annotated[str, typer.Option(help="metafor or 'RevMan 5'.")] = "metafor",
    by: Annotated[str | None, typer.Option(help="Column with subgroup labels.")] = None,
    forest: Annotated[
        Path | None, typer.Option(help="Write the forest plot (.svg/.png/.pdf).")
    ] = None,
    funnel: Annotated[
        Path | None, typer.Option(help="Write the funnel plot (.svg/.png/.pdf).")
    ] = None,
    contours: Annotated[bool, typer.Option(help="Contour-enhanced funnel plot.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Meta-analyse a plain CSV (ai,bi,ci,di / events1,total1,events2,total2 /
    mean1,sd1,n1,mean2,sd2,n2 / yi,vi; optional study column), no review needed."""
    text = _read(file).decode("utf-8-sig", errors="replace")
    effects = effects_from_csv(text, measure, path=str(file), by=by)
    result = MetaAnalysis(preset=preset, method=method, pooling=pooling, test=test).fit(effects)
    for target, kind in ((forest, "forest"), (funnel, "funnel")):
        if target is not None:
            _figure(result, target, kind, contours)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print(result)


def _figure(result: MetaResult, target: Path, kind: str, contours: bool) -> None:
    fmt = target.suffix.lstrip(".").lower() or "svg"
    if kind == "forest":
        from evidens.report.forest import forest_plot

        forest_plot(result, path=target, format=fmt)
    else:
        from evidens.report.funnel import funnel_plot

        funnel_plot(result, path=target, format=fmt, contours=contours)
    console.print(f"wrote {escape(str(target))}")


def _print(result: MetaResult) -> None:
    table = Table(title=f"{escape(result.measure)}: {result.k} studies", title_justify="left")
    for col in ("Study", "Effect", "95% CI", "Weight %"):
        table.add_column(col, justify="left" if col == "Study" else "right")
    for s in result.studies:
        w = s.weight_random if result.random is not None else s.weight_fixed
        ci = (
            "not estimable"
            if s.yi is None
            else f"{_fmt(result, s.ci_lb)} to {_fmt(result, s.ci_ub)}"
        )
        table.add_row(escape(s.label), _fmt(result, s.yi), ci, "" if w is None else f"{w:.1f}")
    for summary in (result.fixed, result.random):
        if summary is not None:
            table.add_row(*_summary_cells(result, summary), end_section=False, style="bold")
    console.print(table)
    for name, sub in result.subgroups:
        main = sub.main
        if main is not None:
            console.print(
                f"  subgroup {escape(name)}: {_fmt(sub, main.estimate)} "
                f"({_fmt(sub, main.ci_lb)} to {_fmt(sub, main.ci_ub)}), k = {sub.k}"
            )
    _print_stats(result)


def _summary_cells(result: MetaResult, s: Summary) -> list[str]:
    ci = f"{_fmt(result, s.ci_lb)} to {_fmt(result, s.ci_ub)}"
    return [
        f"{s.model.capitalize()} effect{'s' if s.model == 'random' else ''}",
        _fmt(result, s.estimate),
        ci,
        "100.0",
    ]


def _print_stats(result: MetaResult) -> None:
    h = result.heterogeneity
    main = result.main
    if main is not None and math.isfinite(main.pval):
        stat = f"z = {main.zval:.2f}" if main.df is None else f"t = {main.zval:.2f}, df = {main.df}"
        console.print(f"Test for overall effect: {stat}, p = {main.pval:.3g}")
    if h is not None and h.df > 0:
        line = (
            f"Heterogeneity: Q = {h.Q:.2f}, df = {h.df}, p = {h.pval:.3g}; "
            f"I² = {h.I2:.1f}%; τ² = {h.tau2:.4g}"
        )
        if h.I2_ci is not None:
            line += f" (I² 95% CI {h.I2_ci[0]:.1f} to {h.I2_ci[1]:.1f})"
        console.print(line)
    if result.prediction is not None:
        lo, hi = result.prediction
        console.print(f"Prediction interval: {_fmt(result, lo)} to {_fmt(result, hi)}")
    t = result.subgroup_test
    if t is not None:
        console.print(
            f"Test for subgroup differences: Q = {t.Q:.2f}, df = {t.df}, p = {t.pval:.3g}"
        )
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")
    console.print(f"[dim]Methods: {escape(result.methods.describe())}[/]")


@validate_app.command("metafor")
def validate_metafor(
    file: Annotated[Path, typer.Argument(help="A golden file (metafor_reference.json schema).")],
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Print every failure.")] = False,
) -> None:
    """Run the engine over every case and print pass/fail counts per analysis."""
    from evidens.meta.validation import validate_reference

    try:
        reference: Any = json.loads(_read(file))
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=file, line=exc.lineno) from None
    report = validate_reference(reference)
    table = Table(
        title=f"metafor {escape(report.metafor_version)}: {len(report.outcomes)} cases",
        title_justify="left",
    )
    cols = ["analysis", "passed", "refused as metafor", "failed"]
    if report.documented:
        cols.insert(3, "documented difference")
    for col in cols:
        table.add_column(col, justify="left" if col == "analysis" else "right")
    for analysis, counts in sorted(report.per_analysis.items()):
        row = [analysis, str(counts["pass"]), str(counts["refused_ok"]), str(counts["fail"])]
        if report.documented:
            row.insert(3, str(counts["documented"]))
        table.add_row(*row)
    console.print(table)
    for o in report.outcomes:
        if o.status == "fail" and verbose:
            console.print(f"[red]FAIL[/] {escape(o.case_id)}: {escape(o.detail)}")
        if o.status == "documented":
            console.print(f"[yellow]documented[/] {escape(o.case_id)}: {escape(o.detail)}")
    extra = f", {report.documented} documented differences" if report.documented else ""
    console.print(f"{report.passed} passed{extra}, {report.failed} failed")
    if report.failed:
        raise typer.Exit(1)
