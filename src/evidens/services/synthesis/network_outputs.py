"""The files a network analysis writes beside analyses.json: OUT/network-<name>-*.

Why these names: the report step reads the figures back by name (as it reads the pairwise
forest plots), so what the report shows is exactly what the run wrote; ``forest-`` stays the
pairwise plots' prefix so the two kinds never mix.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from evidens.meta.nma import NetworkResult
from evidens.report.league import league_csv, league_html, league_table
from evidens.report.network import network_forest, network_graph
from evidens.services.reporting.outputs import write_output

FIGURES = ("graph", "forest")
"""network-<name>-graph.svg/.png and network-<name>-forest.svg/.png."""


def write_network_outputs(
    out: Path, name: str, result: NetworkResult, rob: Mapping[str, Mapping[str, str]]
) -> list[Path]:
    """Graph (edges coloured by the studies' overall RoB), forest against the reference (with
    P-scores) and the league table as HTML and CSV. ``rob``: study -> {"Overall": level...}."""
    overall = {study: row["Overall"] for study, row in rob.items() if "Overall" in row}
    overall = {s: v for s, v in overall.items() if s in set(result.contrasts.study)}
    written = []
    for fmt in ("svg", "png"):
        graph = network_graph(result, rob=overall or None, format=fmt)
        written.append(write_output(out / f"network-{name}-graph.{fmt}", graph))
        forest = network_forest(result, format=fmt)
        written.append(write_output(out / f"network-{name}-forest.{fmt}", forest))
    table = league_table(result)
    written.append(write_output(out / f"network-{name}-league.html", league_html(table).encode()))
    written.append(write_output(out / f"network-{name}-league.csv", league_csv(table).encode()))
    return written
