"""Translations logged from the terminal: `search translate --db` prints the ids it logged,
`search list` and `search hits` show and complete them, `import --search ID` links an export
to its strategy; a wrong id or source is one line on stderr, nothing imported."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from evidens.cli import app, main
from evidens.services.identification.search_log import list_searches
from evidens.services.store import open_review, transaction
from evidens.store.models import ImportBatchRow

RIS = "TY  - JOUR\nTI  - Inhalers for asthma\nPY  - 2024\nER  - \n"
QUERY = 'asthma[mh] AND "randomized controlled trial"[pt]'


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def fails(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    """Run through the console entry point; return its one line on stderr."""
    monkeypatch.setattr(sys, "argv", ["evidens", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code != 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.fixture
def logged(tmp_path: Path) -> tuple[str, list[int]]:
    """A review with the query logged for Embase and CENTRAL: (db, the ids printed)."""
    db = str(tmp_path / "review.db")
    invoke("init", "Inhalers", "--db", db)
    ids = []
    for target in ("embase", "cochrane"):
        args = ["--to", target, "--db", db, "--date", "2026-12-01", "--as", "Ann"]
        out = invoke("search", "translate", QUERY, *args)
        ids += [int(x) for x in re.findall(r"logged search (\d+):", out)]
    return db, ids


def test_translate_logs_lists_and_takes_hits(logged: tuple[str, list[int]]) -> None:
    db, ids = logged
    assert len(ids) == 2
    listing = invoke("search", "list", "--db", db)
    assert f"{ids[0]}: Embase via Embase.com, 2026-12-01, hits not recorded" in listing
    assert "translated from pubmed for cochrane" in listing
    invoke("search", "hits", str(ids[0]), "57", "--db", db)
    assert f"{ids[0]}: Embase via Embase.com, 2026-12-01, 57 hits" in invoke(
        "search", "list", "--db", db
    )


def test_import_names_the_logged_strategy(logged: tuple[str, list[int]], tmp_path: Path) -> None:
    db, ids = logged
    export = tmp_path / "embase.ris"
    export.write_text(RIS, encoding="utf-8")
    assert f"linked to search {ids[0]}" in invoke(
        "import", str(export), "--search", str(ids[0]), "--db", db
    )
    with open_review(db) as store:
        with transaction(store, "test") as uow:
            batch = uow.session.scalars(select(ImportBatchRow)).one()
        embase = next(s for s in list_searches(store) if s.id == ids[0])
    assert (batch.search_id, batch.search_date) == (ids[0], embase.date_run)


def test_a_wrong_search_is_one_line_and_imports_nothing(
    logged: tuple[str, list[int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db, ids = logged
    export = tmp_path / "pubmed.ris"
    export.write_text(RIS, encoding="utf-8")
    base = ["import", str(export), "--db", db]
    assert "search 999 is not a search of this review" in fails(
        [*base, "--search", "999"], capsys, monkeypatch
    )
    wrong = fails([*base, "--search", str(ids[0]), "--source", "PubMed"], capsys, monkeypatch)
    assert "was run in Embase, not PubMed" in wrong
    assert "search 999" in fails(["search", "hits", "999", "3", "--db", db], capsys, monkeypatch)
    assert "--date" in fails(
        ["search", "translate", QUERY, "--db", db, "--date", "1 Dec"], capsys, monkeypatch
    )
    with open_review(db) as store, transaction(store, "test") as uow:
        assert uow.session.scalars(select(ImportBatchRow)).first() is None
