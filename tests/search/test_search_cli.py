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
    assert "cannot read the query file" in str(result.exception)


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
