"""``evidens rob``: assess question by question, show, plot, export and import."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.rob import Judgment, assess, load_assessment, load_assessments

runner = CliRunner()


def test_assess_asks_only_questions_on_the_path(tmp_path: Path) -> None:
    target = tmp_path / "trial.toml"
    settings = "\n"  # effect: default (assignment), so the adhering ticks are not asked
    d1 = "Y\n\nY\n\nN\n\nn\n"  # 1.1-1.3 with empty justifications, no override
    d2 = "N\n\nN\ncarers blinded\nY\n\nn\n"  # 2.3-2.5 and 2.7 are skipped (NA)
    d3 = "Y\n\nn\n"
    d4 = "N\n\nN\n\nN\n\nn\n"  # 4.4, 4.5 skipped
    d5 = "Y\n\nN\n\nN\n\nn\n"
    overall = "y\nhigh\nwhole trial stopped early for benefit\n"
    result = runner.invoke(
        app,
        [
            "rob",
            "assess",
            str(target),
            "--study",
            "Trial A",
            "--outcome",
            "Death",
            "--assessor",
            "AB",
        ],
        input=settings + d1 + d2 + d3 + d4 + d5 + overall,
    )
    assert result.exit_code == 0, result.output
    saved = load_assessment(target.read_text(encoding="utf-8"))
    assert saved.answers["D2-assignment"]["2.3"].value == "NA"
    assert saved.justifications["D2-assignment"]["2.2"] == "carers blinded"
    outcome = assess(saved)
    assert [d.final for d in outcome.domains] == [Judgment.LOW] * 5
    assert outcome.proposed_overall is Judgment.LOW
    assert outcome.final_overall is Judgment.HIGH
    assert outcome.overall_override_reason == "whole trial stopped early for benefit"


def test_plot_export_import(repo_root: Path, tmp_path: Path) -> None:
    example = str(repo_root / "examples/riss/rob/sharma2021.toml")
    svg = tmp_path / "tl.svg"
    assert runner.invoke(app, ["rob", "plot", example, "--out", str(svg)]).exit_code == 0
    assert "Sharma 2021" in svg.read_text(encoding="utf-8")
    summary_png = tmp_path / "summary.png"
    args = ["rob", "plot", example, "--kind", "summary", "--out", str(summary_png)]
    assert runner.invoke(app, args).exit_code == 0
    assert summary_png.read_bytes()[:4] == b"\x89PNG"
    csv_file = tmp_path / "rob.csv"
    assert runner.invoke(app, ["rob", "export", example, "-o", str(csv_file)]).exit_code == 0
    assert csv_file.read_text(encoding="utf-8").splitlines() == [
        "Study,D1,D2,D3,D4,D5,Overall",
        "Sharma 2021,Low,High,Low,High,Low,High",
    ]
    imported = tmp_path / "imported.toml"
    args = ["rob", "import", str(csv_file), "-o", str(imported), "--outcome", "Spasm freedom"]
    assert runner.invoke(app, args).exit_code == 0
    (again,) = load_assessments(imported.read_text(encoding="utf-8"))
    assert assess(again).final_overall is Judgment.HIGH


def test_bad_csv_level_is_one_line_with_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Study,D1,D2,D3,D4,D5,Overall\nA,Low,Low,Serious,Low,Low,Low\n")
    result = runner.invoke(app, ["rob", "plot", str(bad), "--out", str(tmp_path / "x.svg")])
    assert result.exit_code != 0
    assert "bad.csv:2:D3: Serious is not a level" in str(result.exception)


def test_assess_robins_i_asks_the_assessor_for_each_domain(tmp_path: Path) -> None:
    target = tmp_path / "cohort.toml"
    steps = [
        "\n",  # effect: assignment
        "N\n\nlow\n\n",  # D1: 1.1 N ends the domain; judgment low
        "N\n\nY\n\nlow\n\n",  # D2: 2.1 N skips 2.2, 2.3, 2.5
        "Y\n\nY\n\nN\n\nmoderate\n\n",  # D3
        "N\n\nlow\n\n",  # D4: 4.1 N; 4.3-4.6 belong to the adhering effect
        "Y\n\nN\n\nN\n\nlow\n\n",  # D5
        "Y\n\nY\n\nY\n\nN\n\nserious\nassessors knew the exposure\n",  # D6
        "N\n\nN\n\nN\n\nlow\n\n",  # D7
        "n\n",  # no overall override
    ]
    args = [
        "rob",
        "assess",
        str(target),
        "--instrument",
        "robins-i",
        "--study",
        "Cohort B",
        "--outcome",
        "Death",
        "--assessor",
        "AB",
    ]
    result = runner.invoke(app, args, input="".join(steps))
    assert result.exit_code == 0, result.output
    outcome = assess(load_assessment(target.read_text(encoding="utf-8")))
    assert outcome.domain("D6").final is Judgment.SERIOUS
    assert outcome.domain("D6").override_reason == "assessors knew the exposure"
    assert outcome.final_overall is Judgment.SERIOUS
    assert all(not d.problems for d in outcome.domains)
