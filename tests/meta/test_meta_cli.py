"""``evidens meta FILE.csv``: CSV layouts, options, figures, and errors that name file:line:field.

Numbers are checked against R metafor 3.8-1 (golden set cases named in each test, rtol 1e-6).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.errors import InputError
from evidens.meta.table import effects_from_csv

RTOL = 1e-6


@pytest.fixture(scope="module")
def golden(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "data" / "meta" / "metafor_reference.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _case(golden: dict[str, Any], case_id: str) -> dict[str, Any]:
    return next(c["result"] for c in golden["cases"] if c["id"] == case_id)


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _bcg_csv(golden: dict[str, Any], tmp_path: Path) -> Path:
    c = golden["datasets"]["bcg"]["columns"]
    rows = [
        [c["study"][i], c["ai"][i], c["n1i"][i], c["ci"][i], c["n2i"][i], c["alloc"][i]]
        for i in range(len(c["ai"]))
    ]
    return _write(
        tmp_path / "bcg.csv", ["study", "events1", "total1", "events2", "total2", "alloc"], rows
    )


def _run(args: list[str]) -> Any:
    return CliRunner().invoke(app, args)


def test_meta_reml_knha_json_matches_metafor(golden: dict[str, Any], tmp_path: Path) -> None:
    res = _run(
        [
            "meta",
            str(_bcg_csv(golden, tmp_path)),
            "--measure",
            "RR",
            "--method",
            "REML",
            "--test",
            "knha",
            "--json",
        ]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    ref = _case(golden, "bcg.uni.RR.REML.knha")
    assert d["random"]["estimate"] == pytest.approx(ref["estimate"], rel=RTOL)
    assert d["random"]["ci_lb"] == pytest.approx(ref["ci_lb"], rel=RTOL)
    assert d["heterogeneity"]["I2"] == pytest.approx(ref["I2"], rel=RTOL)


def test_meta_table_subgroups_and_figures(golden: dict[str, Any], tmp_path: Path) -> None:
    forest, funnel = tmp_path / "forest.svg", tmp_path / "funnel.png"
    res = _run(
        [
            "meta",
            str(_bcg_csv(golden, tmp_path)),
            "--measure",
            "RR",
            "--method",
            "DL",
            "--by",
            "alloc",
            "--forest",
            str(forest),
            "--funnel",
            str(funnel),
            "--contours",
        ]
    )
    assert res.exit_code == 0, res.output
    assert "Test for subgroup differences" in res.output
    assert "Methods: Risk ratio" in res.output
    assert forest.read_bytes().lstrip().startswith(b"<?xml")
    assert funnel.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    q_between = _case(golden, "bcg.subgroup.RR.DL.alloc")["Q_between"]
    assert f"Q = {q_between:.2f}" in res.output


def test_meta_continuous_smd(golden: dict[str, Any], tmp_path: Path) -> None:
    c = golden["datasets"]["normand1999"]["columns"]
    keys = ["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"]
    path = _write(
        tmp_path / "n.csv",
        ["study", "mean1", "sd1", "n1", "mean2", "sd2", "n2"],
        [[c["study"][i], *(c[k][i] for k in keys)] for i in range(len(c["m1i"]))],
    )
    res = _run(["meta", str(path), "--measure", "SMD", "--method", "REML", "--json"])
    assert res.exit_code == 0, res.output
    ref = _case(golden, "normand1999.uni.SMD.REML")
    assert json.loads(res.output)["random"]["estimate"] == pytest.approx(ref["estimate"], rel=RTOL)


def test_meta_generic_yi_vi(golden: dict[str, Any], tmp_path: Path) -> None:
    c = golden["datasets"]["raudenbush1985"]["columns"]
    path = _write(
        tmp_path / "g.csv",
        ["study", "yi", "vi"],
        [[c["study"][i], c["yi"][i], c["vi"][i]] for i in range(len(c["yi"]))],
    )
    res = _run(["meta", str(path), "--measure", "GEN", "--method", "PM", "--json"])
    assert res.exit_code == 0, res.output
    ref = _case(golden, "raudenbush1985.uni.GEN.PM")
    assert json.loads(res.output)["heterogeneity"]["tau2"] == pytest.approx(ref["tau2"], rel=RTOL)


def test_revman_preset_from_cli(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "t.csv", ["study", "ai", "n1i", "ci", "n2i"], [["Sharma 2021", 9, 46, 0, 45]]
    )
    res = _run(["meta", str(path), "--measure", "RR", "--preset", "RevMan 5", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["fixed"]["exp_estimate"] == pytest.approx(18.5957, rel=1e-5)  # metafor, see sparse
    assert d["methods"]["pooling"] == "MH"


def test_bad_cell_is_reported_with_file_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.csv",
        ["study", "ai", "n1i", "ci", "n2i"],
        [["A", 1, 10, 2, 10], ["B", "x", 10, 2, 10]],
    )
    with pytest.raises(InputError) as err:
        effects_from_csv(path.read_text(), "RR", path=str(path))
    assert str(err.value).startswith(f"{path}:3:ai:")


def test_missing_columns_and_unknown_measure_are_explained(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="needs columns"):
        effects_from_csv("study,m1i\nA,1\n", "MD")
    with pytest.raises(InputError, match="unknown measure"):
        effects_from_csv("study,ai,ci,n1i,n2i\nA,1,1,5,5\n", "HR")
    with pytest.raises(InputError, match="no column 'arm'"):
        effects_from_csv("study,ai,ci,n1i,n2i\nA,1,1,5,5\n", "RR", by="arm")
    res = _run(["meta", "/nonexistent.csv"])
    assert res.exit_code != 0


def test_semicolon_csv_and_sei_column() -> None:
    es = effects_from_csv("label;yi;sei\nA;0.1;0.2\nB;0.3;0.1\n", "GEN")
    assert es.labels == ("A", "B")
    assert list(es.vi) == pytest.approx([0.04, 0.01])
