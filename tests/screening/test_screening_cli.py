"""The stand-alone screening commands, on a Typer app of the test's own."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from evidens.cli.screening_cmd import register_screen_commands
from evidens.errors import FormatError
from evidens.screening.stopping_rules import DEFAULT_RULE, RULE_KEYS


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test group."""

    register_screen_commands(app)
    return app


def _labelled(path: Path) -> None:
    rows = ["record_id,title,abstract,label_included"]
    for i in range(40):
        relevant = i % 8 == 1
        topic = "statins and stroke" if relevant else f"unrelated topic{i % 5}"
        rows.append(f"{i},Trial of {topic},Abstract about {topic},{int(relevant)}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_simulate_writes_run_json_with_asreview_metric_keys_and_a_plot(tmp_path: Path) -> None:
    data, out = tmp_path / "set.csv", tmp_path / "run.json"
    _labelled(data)
    result = CliRunner().invoke(
        _app(), ["simulate", str(data), "--prior-seed", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text(encoding="utf-8"))
    for key in ("wss95", "wss95_classic", "recall10", "erf10", "loss", "atd",
                "n_screened_all_found", "wall_s", "order", "priors"):  # fmt: skip
        assert key in run
    assert len(run["priors"]) == 2
    rules = {s["rule"]: s for s in run["stopping"]}
    assert [s["rule"] for s in run["stopping"] if s["default"]] == [DEFAULT_RULE]
    assert set(rules) >= {"hypergeometric", "knee", "consecutive-50", "target"}
    assert rules["target"]["stopped_at"] is None  # needs a run screened to the end
    assert sum(run["labels"]) == 4  # 5 relevant, one is a prior
    assert (tmp_path / "run.svg").read_bytes().startswith(b"<?xml")


def test_simulate_to_the_end_replays_every_rule_with_its_methods_text(tmp_path: Path) -> None:
    data, out = tmp_path / "set.csv", tmp_path / "run.json"
    _labelled(data)
    args = ["simulate", str(data), "--out", str(out), "--plot", "none", "--beyond-last", "100"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text(encoding="utf-8"))
    assert len(run["labels"]) == 38  # every record but the 2 priors
    rows = {s["rule"]: s for s in run["stopping"]}
    for key in RULE_KEYS:
        row = rows[key]
        assert row["stopped_at"] is not None  # a whole run: the end, if not before
        assert 0 <= row["records_saved"] < 1
        if row["stopped"]:
            text = row["methods_text"]
            assert "machine-learning ranking" in text
            assert "may stop" in text
            assert "continues" not in text
    assert rows["target"]["stopped_at"] == 40  # 5 relevant: never 60 targets, so all of it
    assert rows["target"]["recall"] == 1.0


def test_agreement_prints_the_section7_kappa(tmp_path: Path) -> None:
    lines = ["record_id,reviewer,decision"]
    cells = [("include", "include")] * 20 + [("include", "exclude")] * 10
    cells += [("exclude", "include")] * 5 + [("exclude", "exclude")] * 965
    for record, (first, second) in enumerate(cells, start=1):
        lines += [f"{record},ann,{first}", f"{record},bob,{second}"]
    path = tmp_path / "decisions.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["agreement", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "0.720" in result.output
    assert "0.970" in result.output
    assert "0.984" in result.output


def test_bad_decision_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    path.write_text("record_id,reviewer,decision\n1,ann,perhaps\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["agreement", str(path)])
    assert isinstance(result.exception, FormatError)
    assert result.exception.location.endswith(":2:decision")


def test_simulate_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    data = tmp_path / "latin1.csv"
    data.write_bytes("record_id,title,abstract,label_included\n1,Caf\xe9,x,1\n".encode("latin-1"))
    result = CliRunner().invoke(_app(), ["simulate", str(data), "--out", str(tmp_path / "r.json")])
    assert result.exit_code != 0
    assert "not UTF-8" in str(result.exception) + result.output
