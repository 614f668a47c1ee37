"""The report's network meta-analysis parts: methods text (PRISMA 13d) and results.

Why a section of its own: a network is not a pooled pairwise effect, so its methods say what
a reader must know to trust it (contrast-based model, how multi-arm trials enter, the shared
heterogeneity, which direction the P-scores rank in, how inconsistency was looked for), and
its results are a graph, a league table, a ranking and the inconsistency tests. Everything
comes from :class:`NetworkSummary`, filled from the analysis as it was run and the figures the
analyses step wrote, so the report shows what the run computed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from evidens.meta.effects import RATIO_MEASURES
from evidens.meta.results import MEASURE_NAMES
from evidens.report.model import Cell, Figure, Table

MODEL_TEXT = {
    "FE": "a fixed-effect model (no heterogeneity between studies)",
    "RE": "a random-effects model with one heterogeneity variance (τ²) shared by every comparison",
    "random_inconsistency": "a random-effects model with one heterogeneity variance (τ²) "
    "and design-level random inconsistency effects (Law et al. 2016)",
}


@dataclass(frozen=True)
class NetworkSummary:
    """One network analysis as run. Effects are on the analysis scale (log for ratios);
    ``league[i][j]`` is (estimate, lower, upper) of treatment i minus treatment j."""

    name: str
    outcome: str
    measure: str
    model: str
    method: str
    level: float
    reference: str
    small_values: str
    treatments: tuple[str, ...]
    studies: tuple[str, ...]
    tau2: float | None
    pscores: tuple[tuple[str, float], ...]
    versus_reference: tuple[tuple[str, float, float, float], ...]
    league: tuple[tuple[tuple[float, float, float] | None, ...], ...]
    inconsistency: tuple[float, int, float]
    """Design-by-treatment interaction test: (Q, df, p)."""
    splits: tuple[tuple[str, str, float], ...] = ()
    """Side-splitting: (second, first, p) of every comparison with direct and indirect evidence."""
    graph_svg: bytes | None = None
    graph_png: bytes | None = None
    forest_svg: bytes | None = None
    forest_png: bytes | None = None

    @property
    def direction(self) -> str:
        return (
            "smaller values are better"
            if self.small_values == "good"
            else "larger values are better"
        )

    def shown(self, value: float) -> str:
        return f"{math.exp(value) if self.measure in RATIO_MEASURES else value:.2f}"


class Numbering(Protocol):
    """The document's running numbers (``evidens.report.document._Numbers``)."""

    def table(self, key: str) -> int: ...

    def figure(self, key: str) -> int: ...


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def network_paragraphs(networks: Sequence[NetworkSummary]) -> list[str]:
    """13d for each network analysis, from its settings as run."""
    out = []
    for n in networks:
        method = "" if n.model == "FE" else f", τ² estimated by {n.method}"
        out.append(
            f"{n.name} ({n.outcome}): a contrast-based network meta-analysis of "
            f"{len(n.studies)} studies comparing {len(n.treatments)} treatments "
            f"({', '.join(n.treatments)}), fitted with {MODEL_TEXT.get(n.model, n.model)}"
            f"{method}; each multi-arm trial entered as correlated contrasts against one of "
            f"its arms. Effects are {MEASURE_NAMES.get(n.measure, n.measure).lower()}s "
            f"with {n.level:g}% confidence intervals, against {n.reference}, and every pair "
            "is shown in a league table. Treatments are ranked by P-scores (Rücker & "
            f"Schwarzer 2015; 1 = best), where {n.direction}. Inconsistency was assessed "
            "globally with the design-by-treatment interaction test (Higgins et al. 2012) "
            "and locally by side-splitting each comparison with direct and indirect evidence."
        )
    return out


def _league_table(number: int, n: NetworkSummary) -> Table:
    order = [t for t, _ in sorted(n.pscores, key=lambda p: -p[1])]
    index = {t: i for i, t in enumerate(n.treatments)}
    body = []
    for ta in order:
        row = []
        for tb in order:
            cell = n.league[index[ta]][index[tb]]
            if ta == tb or cell is None:
                row.append(Cell(ta if ta == tb else "–", bold=ta == tb))
            else:
                est, lo, hi = cell
                row.append(Cell(f"{n.shown(est)} ({n.shown(lo)} to {n.shown(hi)})"))
        body.append(tuple(row))
    name = MEASURE_NAMES.get(n.measure, n.measure)
    return Table(
        key=f"network-league:{n.name}",
        number=number,
        caption=f"League table: {n.name} ({name}, {n.model} model).",
        header=(tuple(Cell(t, bold=True) for t in order),),
        body=tuple(body),
        widths=tuple(1.0 for _ in order),
        notes=(
            (
                "Each cell: the row's treatment against the column's treatment (network "
                "estimate with its confidence interval); treatments in P-score order."
            ),
        ),
        landscape=len(order) > 6,
    )


def _ranking_table(number: int, n: NetworkSummary) -> Table:
    effects = {t: (e, lo, hi) for t, e, lo, hi in n.versus_reference}
    rows = []
    for t, score in sorted(n.pscores, key=lambda p: -p[1]):
        e = effects.get(t)
        shown = (
            "reference" if e is None else f"{n.shown(e[0])} ({n.shown(e[1])} to {n.shown(e[2])})"
        )
        rows.append((Cell(t), Cell(shown), Cell(f"{score:.2f}")))
    q, df, p = n.inconsistency
    notes = [
        f"P-score: 1 = best, where {n.direction}.",
        f"Global inconsistency (design-by-treatment interaction): Q = {q:.2f}, df = {df}, {_p(p)}.",
    ]
    if n.tau2 is not None:
        notes.append(f"Heterogeneity: τ² = {n.tau2:.4g}.")
    flagged = [f"{a} vs {b} ({_p(pv)})" for a, b, pv in n.splits if pv < 0.10]
    notes.append(
        "Direct and indirect evidence differ (side-splitting, p < 0.10) for: " + "; ".join(flagged)
        if flagged
        else "No comparison's direct and indirect evidence differ at p < 0.10 (side-splitting)."
    )
    return Table(
        key=f"network-ranking:{n.name}",
        number=number,
        caption=f"Network estimates against {n.reference} and P-scores: {n.name}.",
        header=(
            tuple(
                Cell(h, bold=True)
                for h in ("Treatment", f"{MEASURE_NAMES.get(n.measure, n.measure)} (CI)", "P-score")
            ),
        ),
        body=tuple(rows),
        widths=(5.0, 5.0, 2.0),
        notes=tuple(notes),
    )


def network_blocks(networks: Sequence[NetworkSummary], numbers: Numbering) -> list[Table | Figure]:
    """Per network: its graph, the ranking with the inconsistency tests, the league table and
    the forest plot against the reference."""
    blocks: list[Table | Figure] = []
    for n in networks:
        key = f"network-graph:{n.name}"
        blocks.append(
            Figure(
                key=key,
                number=numbers.figure(key),
                caption=f"Network of treatments: {n.name} (node size: participants; edge "
                "width: studies; edge colour: risk of bias).",
                svg=n.graph_svg,
                png=n.graph_png,
                alt=f"Network graph of {', '.join(n.treatments)}",
            )
        )
        blocks.append(_ranking_table(numbers.table(f"network-ranking:{n.name}"), n))
        blocks.append(_league_table(numbers.table(f"network-league:{n.name}"), n))
        key = f"network-forest:{n.name}"
        blocks.append(
            Figure(
                key=key,
                number=numbers.figure(key),
                caption=f"Forest plot against {n.reference}, with P-scores: {n.name}.",
                svg=n.forest_svg,
                png=n.forest_png,
                alt=f"Forest plot of {n.name} against {n.reference}",
            )
        )
    return blocks
