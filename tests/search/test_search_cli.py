"""``evidens search translate``: translation first, then the warnings; @file; errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from evidens.cli.app import app
from evidens.errors import InputError

runner = CliRunner()


def test_translate_prints_text_then_warnings() -> None:
    result = runner.invoke(app, ["search", "translate", "--to", "wos", '"Neoplasms"[Mesh]'])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == 'TS=("Neoplasms")'
    assert lines[1].startswith("warning: Web of Science (advanced search): has no subject")


def test_translate_all_targets_from_an_ovid_file(tmp_path: Path) -> None:
    strategy = tmp_path / "s.txt"
    strategy.write_text("1 exp Neoplasms/\n2 tumo?r*.ti,ab.\n3 or/1-2\n", encoding="utf-8")
    result = runner.invoke(
        app, ["search", "translate", "--from", "ovid", "--to", "all", f"@{strategy}"]
    )
    assert result.exit_code == 0, result.output
    for name in (
        "pubmed",
        "ovid",
        "embase",
        "scopus",
        "wos",
        "cochrane",
        "cinahl",
        "ictrp",
        "ctgov",
    ):
        assert f"== {name}" in result.output
    assert "S3 S1 OR S2" in result.output  # CINAHL history
    assert "#2 TITLE-ABS(tumo*r*)" in result.output  # Scopus: optional char widened
    assert "3 1 or 2" in result.output


def test_bad_query_is_an_input_error_with_a_caret() -> None:
    result = runner.invoke(app, ["search", "translate", "--to", "scopus", "(a OR b"])
    assert isinstance(result.exception, InputError)
    assert "^" in str(result.exception)
    assert "column 8" in str(result.exception)


def test_unreadable_query_file_is_an_input_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["search", "translate", f"@{tmp_path / 'missing.txt'}"])
    assert isinstance(result.exception, InputError)
    assert "no such query file" in str(result.exception)


def test_strategy_table_rows_come_from_the_search_log() -> None:
    import datetime as dt

    from evidens.core import Search
    from evidens.search import translate_all
    from evidens.search.table import planned_table, strategy_table

    run = Search(
        source="pubmed",
        strategy="a[ti]",
        date_run=dt.date(2024, 3, 5),
        hits=12,
        platform="PubMed",
        limits="English or Spanish",
    )
    (row,) = strategy_table([run])
    assert (row.database, row.strategy, row.hits, row.notes) == (
        "pubmed",
        "a[ti]",
        12,
        "English or Spanish",
    )
    planned = planned_table(translate_all('"Neoplasms"[Mesh]'))
    by_name = {r.database: r for r in planned}
    assert by_name["Scopus (advanced search)"].strategy == 'INDEXTERMS("Neoplasms")'
    assert "does not explode" in (by_name["Scopus (advanced search)"].notes or "")
    assert by_name["PubMed"].notes is None


def test_translate_all_to_files_for_the_seed_table1_query(shared_dir: Path, tmp_path: Path) -> None:
    """Issue 19: ``--from pubmed --to all --out DIR`` writes every database's strategy and a
    warnings report for the seed review's Table 1 PubMed strategy."""
    seed = (shared_dir / "seeds" / "000_bb032bccad503e03.txt").read_text(encoding="utf-8")
    pubmed = next(
        line.split("\t", 1)[1] for line in seed.splitlines() if line.startswith("Pubmed\t")
    )
    query = tmp_path / "table1.txt"
    query.write_text(pubmed, encoding="utf-8")
    out = tmp_path / "translations"
    result = runner.invoke(
        app,
        ["search", "translate", "--from", "pubmed", "--to", "all", "--out", str(out), f"@{query}"],
    )
    assert result.exit_code == 0, result.output
    from evidens.search import TARGETS

    for name in TARGETS:
        text = (out / f"{name}.txt").read_text(encoding="utf-8")
        assert text.strip(), name
    # The rows the seed's authors wrote by hand, now generated: spot checks per engine.
    assert "TITLE-ABS-KEY(" in (out / "scopus.txt").read_text(encoding="utf-8")
    assert "'infantile spasm'/exp" in (out / "embase.txt").read_text(encoding="utf-8")
    ctgov = (out / "ctgov.txt").read_text(encoding="utf-8")
    assert ctgov.startswith("Condition/disease:")
    assert "*" not in ctgov
    report = (out / "warnings.md").read_text(encoding="utf-8")
    assert "## Web of Science (advanced search) (`wos.txt`)" in report
    assert "has no subject headings" in report
    assert "ClinicalTrials.gov has no truncation" in report
    assert "## PubMed (`pubmed.txt`)" in report
    import json

    data = json.loads((out / "translations.json").read_text(encoding="utf-8"))
    assert [t["target"] for t in data["translations"]] == list(TARGETS)
    assert data["query"] == pubmed
    assert not list(out.glob(".*.part"))


def test_heading_map_file_is_used(tmp_path: Path) -> None:
    table = tmp_path / "map.csv"
    table.write_text("mesh,cinahl\nRare Syndrome,Rare Syndrome (CINAHL)\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "search",
            "translate",
            "--to",
            "cinahl",
            "--headings",
            str(table),
            '"Rare Syndrome"[Mesh]',
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == '(MH "Rare Syndrome (CINAHL)+")'
    assert "warning" not in result.output
