"""Translated strategies logged as searches (PRISMA-S item 8): one search per target engine
with the translation and its warnings kept, hits recorded later, an export linked to the
search it came from; and a logged translation surviving searches.toml -> run -> store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
import tomli_w
from sqlalchemy import func, select

from evidens.errors import ConfigError, InputError, NotFoundError, ValidationError
from evidens.search import translate
from evidens.search.logged import LoggedTranslation
from evidens.services.folders.run import run_review
from evidens.services.identification.search_log import (
    list_searches,
    log_translations,
    search_for_import,
    set_hits,
)
from evidens.services.reporting.report_lists import search_logs
from evidens.services.store import ReviewStore, create_review, open_review, transaction
from evidens.store.models import AuditRow, SearchRow

QUERY = 'asthma[mh] AND (inhaler*[tiab] OR "randomized controlled trial"[pt])'
DAY = dt.date(2026, 12, 1)


@pytest.fixture
def store(store_url: str) -> Iterator[ReviewStore]:
    with create_review(store_url, title="Asthma inhalers", actor="owner") as created:
        yield created


def _log(store: ReviewStore, targets: list[str]) -> tuple[int, ...]:
    logged = log_translations(
        store, QUERY, source="pubmed", targets=targets, date_run=DAY, run_by="Ann", actor="Ann"
    )
    return tuple(s.id for s in logged)


def _count(store: ReviewStore) -> int:
    with transaction(store, "test") as uow:
        return int(uow.session.scalar(select(func.count()).select_from(SearchRow)) or 0)


def test_each_target_is_logged_with_its_translation_and_warnings(store: ReviewStore) -> None:
    ids = _log(store, ["embase", "wos"])
    searches = {s.id: s for s in list_searches(store)}
    assert set(searches) == set(ids)
    for search_id, target in zip(ids, ["embase", "wos"], strict=True):
        expected = translate(QUERY, target=target)
        logged = searches[search_id]
        assert logged.strategy == expected.text
        assert (logged.date_run, logged.hits) == (DAY, None)
        assert logged.translation == LoggedTranslation("pubmed", QUERY, target, expected.notes)
    assert searches[ids[0]].source == "Embase"
    assert searches[ids[0]].platform == "Embase.com"
    embase = searches[ids[0]].translation
    assert embase is not None
    assert any("publication type" in w.message and w.part for w in embase.warnings)
    with transaction(store, "test") as uow:
        audited = uow.session.scalars(
            select(AuditRow.after).where(AuditRow.entity == "search", AuditRow.actor == "Ann")
        ).all()
    assert [a["translated"] for a in audited if a] == ["pubmed -> embase", "pubmed -> wos"]


def test_a_bad_target_or_query_logs_nothing(store: ReviewStore) -> None:
    with pytest.raises(ValidationError, match="unknown target database 'embse'"):
        _log(store, ["embase", "embse"])
    with pytest.raises(InputError, match="ends too early"):
        log_translations(
            store,
            "asthma AND (",
            source="pubmed",
            targets=["wos"],
            date_run=None,
            run_by=None,
            actor="Ann",
        )
    assert _count(store) == 0


def test_hits_are_recorded_later_and_audited(store: ReviewStore) -> None:
    (search_id,) = _log(store, ["scopus"])
    set_hits(store, search_id, 412, actor="Ann", date_run=dt.date(2026, 12, 3))
    (logged,) = list_searches(store)
    assert (logged.hits, logged.date_run) == (412, dt.date(2026, 12, 3))
    with pytest.raises(ValidationError, match="0 or more"):
        set_hits(store, search_id, -1, actor="Ann")
    with pytest.raises(NotFoundError, match="search 999 is not a search of this review"):
        set_hits(store, 999, 1, actor="Ann")


def test_an_export_must_name_a_search_of_its_own_source(store: ReviewStore) -> None:
    (search_id,) = _log(store, ["embase"])
    assert search_for_import(store, search_id, None).source == "Embase"
    assert search_for_import(store, search_id, "embase").id == search_id  # case does not matter
    with pytest.raises(ValidationError, match="run in Embase, not PubMed"):
        search_for_import(store, search_id, "PubMed")
    with pytest.raises(NotFoundError):
        search_for_import(store, search_id + 100, None)


def test_a_search_of_another_review_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "two.db"
    with create_review(db, title="First", slug="first", actor="owner") as first:
        (search_id,) = _log(first, ["embase"])
    second = create_review(db, title="Second", slug="second", actor="owner")
    with second, pytest.raises(NotFoundError, match="not a search of this review"):
        search_for_import(second, search_id, None)


def test_the_report_lists_read_the_translation(store: ReviewStore) -> None:
    _log(store, ["cochrane"])
    with transaction(store, "test") as uow:
        (log,) = search_logs(uow)
    assert log.translation is not None
    assert (log.translation.target, log.translation.query) == ("cochrane", QUERY)


def _folder(tmp_path: Path, translation: dict[str, object]) -> Path:
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "review.toml").write_text('[review]\ntitle = "Round trip"\n', encoding="utf-8")
    search = {"source": "Embase", "strategy": "'asthma'/exp", "translation": translation}
    (folder / "searches.toml").write_text(tomli_w.dumps({"search": [search]}), encoding="utf-8")
    return folder


def test_a_logged_translation_survives_folder_and_run(tmp_path: Path) -> None:
    result = translate(QUERY, target="embase")
    logged = LoggedTranslation.of(result, QUERY)
    assert logged.warnings  # the round trip carries at least one warning
    run_review(_folder(tmp_path, logged.to_dict()), tmp_path / "out")
    with open_review(tmp_path / "out" / "review.db") as store:
        (search,) = list_searches(store)
    assert search.translation == logged
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    appendix = lxml.html.fromstring(html).get_element_by_id("search-translations")
    assert logged.warnings[0].message in appendix.text_content()


def test_a_wrong_translation_table_is_refused_naming_the_field(tmp_path: Path) -> None:
    bad = {"from": "pubmed", "to": "embsae", "query": QUERY}
    with pytest.raises(ConfigError, match=r"search\[0\]\.translation\.to") as caught:
        run_review(_folder(tmp_path, bad), tmp_path / "out")
    assert "searches.toml" in str(caught.value)
    assert not (tmp_path / "out" / "review.db").exists()
