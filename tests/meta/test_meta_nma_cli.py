"""``evidens network FILE.csv``: arm-level CSV to P-scores, figures and league; errors name
file:line. Numbers against R metafor 3.8-1 (rma.mv golden case hasselblad1998.nma.RE.REML)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.errors import InputError
from evidens.meta.nma_table import arms_from_csv


@pytest.fixture(scope="module")
def golden(shared_dir: Path) -> dict[str, Any]:
    path = shared_dir / "data" / "meta" / "metafor_mv_reference.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _smoking_csv(golden: dict[str, Any], path: Path) -> Path:
    c = golden["datasets"]["hasselblad1998"]["columns"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["study", "treatment", "events", "n", "rob"])
        for i in range(len(c["study"])):
            w.writerow([c["study"][i], c["treatment"][i], c["xi"][i], c["ni"][i], "low"])
    return path


def test_network_json_matches_metafor(golden: dict[str, Any], tmp_path: Path) -> None:
    src = _smoking_csv(golden, tmp_path / "smoking.csv")
    out = CliRunner().invoke(
        app,
        ["network", str(src), "--reference", "no_contact", "--small-values", "bad", "--json"],
    )
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    ref = next(c for c in golden["cases"] if c["id"] == "hasselblad1998.nma.RE.REML")["result"]
    for name, value in zip(ref["coef_names"], ref["estimate"], strict=True):
        assert got["basic_parameters"][name] == pytest.approx(value, rel=1e-6)
    for t, p in zip(ref["treatments"], ref["pscore"], strict=True):
        assert got["pscores"][t] == pytest.approx(p, abs=1e-6)
    assert got["pscore_direction"] == "small values are bad"
    assert got["tau2"] == pytest.approx(ref["tau2"][0], rel=1e-5)


def test_network_writes_figures_and_league(golden: dict[str, Any], tmp_path: Path) -> None:
    src = _smoking_csv(golden, tmp_path / "smoking.csv")
    args = ["network", str(src), "--graph", str(tmp_path / "g.svg")]
    args += ["--forest", str(tmp_path / "f.png"), "--league", str(tmp_path / "l.html")]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    assert "Design-by-treatment inconsistency" in out.output
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    assert "ind_counseling" in (tmp_path / "l.html").read_text(encoding="utf-8")
    assert "RoB low" in (tmp_path / "g.svg").read_text(encoding="utf-8")


def test_bad_cell_names_the_line() -> None:
    text = "study,treatment,events,n\n1,A,3,10\n1,B,x,10\n"
    with pytest.raises(InputError, match="events") as err:
        arms_from_csv(text, "arms.csv")
    assert err.value.line == 3
    with pytest.raises(InputError, match="more events than participants"):
        arms_from_csv("study,treatment,events,n\n1,A,30,10\n", "arms.csv")
    with pytest.raises(InputError, match="no 'treatment' column"):
        arms_from_csv("study,events,n\n1,3,10\n", "arms.csv")
