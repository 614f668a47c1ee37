"""A review's related-report choices (``[dedup]`` in review.toml) reach the engine: an erratum
stays apart from its article unless the review asks ``notices_same``; bad options are refused
with the file and field named."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from evidens.errors import ConfigError
from evidens.services.folders.review_files import read_review_dir
from evidens.services.identification import dedup, imports
from evidens.services.store import ReviewStore, create_review

ARTICLE_AND_ERRATUM = """TY  - JOUR
TI  - Neurological involvement in a child with atypical hemolytic uremic syndrome
AU  - Koehl, B.
AU  - Boyer, O.
PY  - 2010
JO  - Pediatric Nephrology
VL  - 25
IS  - 12
SP  - 2539
EP  - 2542
ER  -
TY  - JOUR
TI  - Erratum: Neurological involvement in a child with atypical hemolytic uremic syndrome
AU  - Koehl, B.
AU  - Boyer, O.
PY  - 2010
JO  - Pediatric Nephrology
VL  - 25
IS  - 12
SP  - 2600
ER  -
"""


def _deduplicated(
    store_url: str, tmp_path: Path, settings: dict[str, object]
) -> tuple[int, list[dedup.RelatedReport], list[int]]:
    """Duplicates removed, the links stored, and the record ids (article first)."""
    export = tmp_path / "export.ris"
    export.write_text(ARTICLE_AND_ERRATUM, encoding="utf-8")
    store: ReviewStore = create_review(store_url, title="Options", settings=settings)
    try:
        imports.import_file(store, export, source="Embase", actor="alice")
        removed = dedup.deduplicate(store, actor="alice").duplicates_removed
        dedup.deduplicate(store, actor="alice")  # a second run replaces, never adds, links
        with store.engine.connect() as conn:
            ids = list(conn.execute(text("SELECT id FROM records ORDER BY id")).scalars())
        return removed, dedup.related_reports(store, ids[0]), ids
    finally:
        store.dispose()


def test_an_erratum_stays_apart_from_its_article_by_default_and_is_linked_to_it(
    store_url: str, tmp_path: Path
) -> None:
    removed, links, (article, erratum) = _deduplicated(store_url, tmp_path, {})
    assert removed == 0
    assert links == [dedup.RelatedReport(erratum, "erratum of the article", article)]


def test_notices_same_merges_the_erratum_into_its_article(store_url: str, tmp_path: Path) -> None:
    removed, links, _ = _deduplicated(store_url, tmp_path, {"dedup": {"notices_same": True}})
    assert removed == 1
    assert links == []


def _review_dir(tmp_path: Path, dedup_table: str) -> Path:
    (tmp_path / "review.toml").write_text(
        dedup_table + '\n[review]\nslug = "r"\ntitle = "R"\n',
        encoding="utf-8",
    )
    return tmp_path


def test_review_toml_dedup_options_are_read(tmp_path: Path) -> None:
    files = read_review_dir(_review_dir(tmp_path, "[dedup]\nnotices_same = true\n"))
    assert files.settings["dedup"] == {"notices_same": True}


@pytest.mark.parametrize(
    ("table", "field", "says"),
    [
        ("[dedup]\nerrata_same = true\n", "dedup.errata_same", "unknown de-duplication option"),
        ('[dedup]\nnotices_same = "yes"\n', "dedup.notices_same", "must be true or false"),
        ("dedup = 3\n", "dedup", "must be a table"),
    ],
)
def test_bad_dedup_options_name_the_file_and_field(
    tmp_path: Path, table: str, field: str, says: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        read_review_dir(_review_dir(tmp_path, table))
    assert caught.value.field == field
    assert says in str(caught.value)
    assert "review.toml" in str(caught.value)


def test_standalone_notices_same_flag_changes_the_clusters(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from evidens.cli.app import app

    export = tmp_path / "export.ris"
    export.write_text(ARTICLE_AND_ERRATUM, encoding="utf-8")

    def clusters(*flags: str) -> set[str]:
        out = tmp_path / "clusters.csv"
        args = ["dedup", str(export), "--out", str(out), *flags]
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        rows = out.read_text(encoding="utf-8").splitlines()[1:]
        return {row.split(",")[1] for row in rows}

    assert len(clusters()) == 2
    assert len(clusters("--notices-same")) == 1
