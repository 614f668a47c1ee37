"""Network figures and the league table render, say what they show, and refuse bad formats."""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import pytest

from evidens.errors import ValidationError
from evidens.meta.golden_nma import dataset_contrasts
from evidens.meta.nma import NetworkMetaAnalysis, NetworkResult
from evidens.report.league import league_csv, league_docx, league_html, league_table
from evidens.report.network import edge_rob, network_forest, network_graph


@pytest.fixture(scope="module")
def smoking(shared_dir: Path) -> NetworkResult:
    path = shared_dir / "data" / "meta" / "metafor_mv_reference.json"
    ds = json.loads(path.read_text(encoding="utf-8"))["datasets"]["hasselblad1998"]
    con = dataset_contrasts(ds, {"measure": "OR"})
    return NetworkMetaAnalysis(model="RE", small_values="bad").fit(con)


def test_network_graph_png_and_svg(smoking: NetworkResult, tmp_path: Path) -> None:
    png = network_graph(smoking, path=tmp_path / "g.png", format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "g.png").read_bytes() == png
    svg = network_graph(smoking, format="svg").decode()
    assert "grp_counseling" in svg
    assert "not assessed" in svg  # no RoB given: edges grey, legend says so
    with pytest.raises(ValidationError, match="figure format"):
        network_graph(smoking, format="gif")


def test_edge_colour_is_the_majority_rob_of_the_comparison(smoking: NetworkResult) -> None:
    studies = list(dict.fromkeys(smoking.contrasts.study))
    rob = dict.fromkeys(studies, "low")
    colours = edge_rob(smoking, rob)
    assert set(colours.values()) == {0}
    rob = dict.fromkeys(studies, "high")
    assert set(edge_rob(smoking, rob).values()) == {2}


def test_forest_against_reference_shows_ratios_and_pscores(smoking: NetworkResult) -> None:
    svg = network_forest(smoking, format="svg").decode()
    est = {t: e for t, e, _, _ in smoking.versus_reference()}
    assert f"{math.exp(est['ind_counseling']):.2f}" in svg
    assert "P-score" in svg
    assert "larger values are better" in svg


def test_league_table_orders_by_pscore_and_reads_row_vs_column(smoking: NetworkResult) -> None:
    table = league_table(smoking)
    assert table.treatments[0] == "grp_counseling"  # highest P-score
    lg = smoking.league()
    ts = list(smoking.treatments)
    a, b = table.treatments.index("no_contact"), table.treatments.index("ind_counseling")
    i, j = ts.index("no_contact"), ts.index("ind_counseling")
    assert table.cells[a][b].startswith(f"{math.exp(lg.estimate[i, j]):.2f} (")
    text = league_csv(table)
    assert "row treatment vs column treatment" in text
    assert "<th" in league_html(table)
    docx = zipfile.ZipFile(io.BytesIO(league_docx(table)))
    assert "self_help" in docx.read("word/document.xml").decode()


def test_league_marks_pairs_without_direct_evidence(golden_senn: Any) -> None:
    table = league_table(golden_senn)
    upper = [c for a, row in enumerate(table.cells) for b, c in enumerate(row) if b > a]
    assert "–" in upper


@pytest.fixture(scope="module")
def golden_senn(shared_dir: Path) -> NetworkResult:
    path = shared_dir / "data" / "meta" / "metafor_mv_reference.json"
    ds = json.loads(path.read_text(encoding="utf-8"))["datasets"]["senn2013"]
    return NetworkMetaAnalysis().fit(dataset_contrasts(ds, {"measure": "MD"}))
