"""Connectors against a real HTTP server on 127.0.0.1 replaying the recorded API bodies in
../shared/data/api (paging, a 429 with Retry-After, 5xx) - the httpx client is not mocked.

Only the waiting is recorded instead of slept (``HttpClient.sleep``), so the retries are checked
without making the suite slow.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.search.replay_support import Replay, Reply, ok, serving

from evidens.errors import ConfigError
from evidens.search import translate
from evidens.search.connectors import (
    ClinicalTrialsGovConnector,
    CrossrefConnector,
    EuropePmcConnector,
    HttpClient,
    OpenAlexConnector,
    PubMedConnector,
    SearchServiceError,
    ctgov_params,
)


@pytest.fixture
def replay() -> Iterator[Replay]:
    with serving() as state:
        yield state


def fast_client() -> HttpClient:
    """A real client whose waits are recorded, not slept."""
    return HttpClient(min_interval=0.0, backoff=0.5, sleep=lambda _: None)


@pytest.fixture
def api(shared_dir: Path) -> Path:
    return shared_dir / "data" / "api"


# --- PubMed ---------------------------------------------------------------------------------


def pubmed_routes(replay: Replay, api: Path) -> None:
    replay.add(
        "esearch.fcgi",
        (429, {"Retry-After": "2"}, b"slow down"),
        ok(api / "pubmed_eutils" / "esearch_usehistory.xml"),
    )
    replay.add(
        "efetch.fcgi", (503, {}, b"busy"), ok(api / "pubmed_eutils" / "efetch_pubmed_22663011.xml")
    )


def test_pubmed_history_server_batches_retries_and_log(replay: Replay, api: Path) -> None:
    pubmed_routes(replay, api)
    client = fast_client()
    connector = PubMedConnector(
        base_url=replay.url + "/entrez/eutils/", batch_size=2, email="a@b.org", http=client
    )
    result = connector.search("cancer", max_records=5)
    assert client.waits[:2] == [2.0, 0.5]  # Retry-After honoured, then backoff for the 503
    esearch = [p for _, path, p in replay.log if path.endswith("esearch.fcgi")]
    assert esearch[-1]["usehistory"] == "y"
    assert esearch[-1]["term"] == "cancer"
    efetch = [p for _, path, p in replay.log if path.endswith("efetch.fcgi")]
    ok_calls = efetch[1:]  # the first efetch was answered 503 and retried
    assert [(p["retstart"], p["retmax"]) for p in ok_calls] == [("0", "2"), ("2", "2"), ("4", "1")]
    assert {p["WebEnv"] for p in efetch} == {"MCID_6927d6e7fee3e90f880ec190"}
    assert {p["query_key"] for p in efetch} == {"1"}
    run = result.run
    assert run.hits == 42249
    assert run.retrieved == 3
    assert run.complete
    assert run.executed_query is not None
    assert run.executed_query.startswith('("cancer s"[All Fields]')
    assert run.limits == "first 5 records"
    record = result.records[0]
    assert record.pmid == "22663011"
    assert record.title == "Improved survival with MEK inhibition in BRAF-mutated melanoma."
    assert record.doi == "10.1056/NEJMoa1203421"
    assert record.authors[0] == "Flaherty, Keith T"
    assert record.authors[-1] == "METRIC Study Group"
    assert record.authors[17] == "Becker, Jürgen C"
    assert (record.year, record.volume, record.issue, record.pages) == (2012, "367", "2", "107-14")
    assert record.registry_ids == ("NCT01245062",)
    assert record.abstract is not None
    assert record.abstract.startswith("BACKGROUND: Activating")
    assert "Melanoma/*drug therapy/genetics/mortality" in record.subject_headings
    assert "Randomized Controlled Trial" in record.publication_types
    search = run.to_search(run_by="MV")
    assert (search.source, search.hits, search.run_by) == ("pubmed", 42249, "MV")


def test_pubmed_resumes_from_a_saved_run(replay: Replay, api: Path) -> None:
    pubmed_routes(replay, api)
    connector = PubMedConnector(base_url=replay.url, batch_size=2, http=fast_client())
    pages = connector.pages("cancer", max_records=5)
    next(pages)  # esearch
    saved = next(pages).run  # first batch fetched, then the program stops
    assert saved.cursor_value("retstart") == "2"
    assert not saved.complete
    before = len(replay.log)
    resumed = PubMedConnector(base_url=replay.url, batch_size=2, http=fast_client()).search(
        "cancer", max_records=5, resume=saved
    )
    starts = [p["retstart"] for _, path, p in replay.log[before:] if path.endswith("efetch.fcgi")]
    assert starts == ["2", "4"]
    assert resumed.run.retrieved == 3
    assert resumed.run.complete


def test_pubmed_warns_beyond_its_10000_record_window(replay: Replay, api: Path) -> None:
    pubmed_routes(replay, api)
    first = next(PubMedConnector(base_url=replay.url, http=fast_client()).pages("cancer"))
    assert first.run.hits == 42249
    assert any("first 10000 of 42249" in w for w in first.run.warnings)


# --- ClinicalTrials.gov ---------------------------------------------------------------------

TOKEN1 = "ZVt07cGHkvI2wRk2CJf6_LLq14bEL8swd7KrgP4dnDeTsPkw"


def test_ctgov_pages_with_page_token_from_a_translated_query(replay: Replay, api: Path) -> None:
    folder = api / "clinicaltrials_v2"
    replay.add(
        "/studies",
        ok(folder / "search_page2_next.json"),
        when=lambda p: p.get("pageToken") == TOKEN1,
    )
    replay.add("/studies", (500, {}, b"oops"), ok(folder / "search_page1_pageSize5.json"))
    query = translate('"Phelan-McDermid syndrome"[tiab] AND oxytocin[tiab]', target="ctgov").text
    connector = ClinicalTrialsGovConnector(
        base_url=replay.url + "/api/v2", page_size=5, http=fast_client()
    )
    result = connector.search(query, max_records=10)
    calls = [p for _, path, p in replay.log if path.endswith("/studies")]
    assert calls[0]["query.cond"] == '"Phelan-McDermid syndrome"'
    assert calls[0]["query.intr"] == "oxytocin"
    assert calls[0]["countTotal"] == "true"
    assert "pageToken" not in calls[0]
    assert calls[-1]["pageToken"] == TOKEN1
    assert result.run.hits == 21
    assert result.run.retrieved == 10
    assert not result.run.complete  # page 2 still had a nextPageToken: resumable
    assert (
        result.run.cursor_value("pageToken") == "ZVt07cGHkvI2wRk2CJf6_LLq14bEL8swd7KrgP4bmjeauvk_IQ"
    )
    first = result.records[0]
    assert first.registry_ids[0] == "NCT02710084"
    assert first.title == "Piloting Treatment With Intranasal Oxytocin in Phelan-McDermid Syndrome"
    assert first.journal == "ClinicalTrials.gov"
    assert first.year == 2016
    assert first.authors == ("Alexander Kolevzon",)


def test_ctgov_single_study(replay: Replay, api: Path) -> None:
    replay.add("/studies/NCT02576665", ok(api / "clinicaltrials_v2" / "study_NCT02576665.json"))
    record = ClinicalTrialsGovConnector(base_url=replay.url, http=fast_client()).study(
        "NCT02576665"
    )
    assert record.registry_ids[0] == "NCT02576665"
    assert record.urls == ("https://clinicaltrials.gov/study/NCT02576665",)


def test_a_record_fetched_by_api_maps_as_the_same_record_in_a_file_export(
    replay: Replay, api: Path, tmp_path: Path
) -> None:
    """One mapping per format (issue 19): what a connector fetches and what a person exports
    to a file and imports are the same records, field for field (abstract sections, initials,
    page ranges, major topics, study type)."""
    from evidens.formats import read_records

    pubmed_routes(replay, api)
    fetched = PubMedConnector(
        base_url=replay.url + "/entrez/eutils/", batch_size=5, http=fast_client()
    ).search("cancer", max_records=1)
    exported = read_records(
        (api / "pubmed_eutils" / "efetch_pubmed_22663011.xml").read_bytes(), name="pubmed.xml"
    )
    assert exported.format == "pubmed_xml"
    assert fetched.records[0] == exported.records[0]
    assert "Melanoma/*drug therapy/genetics/mortality" in fetched.records[0].subject_headings

    study = api / "clinicaltrials_v2" / "study_NCT02576665.json"
    replay.add("/studies/NCT02576665", ok(study))
    from_api = ClinicalTrialsGovConnector(base_url=replay.url, http=fast_client()).study(
        "NCT02576665"
    )
    download = tmp_path / "ctg-studies.json"  # the website's "Download > JSON": an array
    download.write_text("[" + study.read_text(encoding="utf-8") + "]", encoding="utf-8")
    from_file = read_records(download.read_bytes(), name=download.name)
    assert from_file.format == "ctgov_json"
    assert from_api == from_file.records[0]
    assert from_api.publication_types == from_file.records[0].publication_types != ()


def test_ctgov_params_reads_the_translation_boxes() -> None:
    assert ctgov_params("Condition/disease: a OR b\nIntervention/treatment: c\nOther terms: d") == {
        "query.cond": "a OR b",
        "query.intr": "c",
        "query.term": "d",
    }
    assert ctgov_params("plain words") == {"query.term": "plain words"}


# --- Europe PMC -----------------------------------------------------------------------------


def test_europepmc_follows_cursor_mark_until_it_is_missing(replay: Replay, api: Path) -> None:
    folder = api / "europepmc"
    replay.add(
        "/search", ok(folder / "search_cancer_lite.json"), when=lambda p: p["cursorMark"] == "*"
    )
    replay.add(
        "/search",
        ok(folder / "search_cancer_page2.json"),
        when=lambda p: p["cursorMark"] == "AoIIP4ZawSg1MzEyODI1MA==",
    )
    replay.add("/search", (502, {}, b""), ok(folder / "search_no_results.json"))
    result = EuropePmcConnector(base_url=replay.url, http=fast_client()).search("cancer")
    marks = [p["cursorMark"] for _, _, p in replay.log]
    assert marks == [
        "*",
        "AoIIP4ZawSg1MzEyODI1MA==",
        "AoIIP4lkIig1MzE0NTMwOA==",
        "AoIIP4lkIig1MzE0NTMwOA==",
    ]  # the 502 was retried
    assert result.run.hits == 5059039
    assert result.run.retrieved == 30
    assert result.run.complete
    first = result.records[0]
    assert (first.pmid, first.doi, first.year) == (
        "39709209",
        "10.1016/s0140-6736(24)02600-x",
        2025,
    )
    assert first.authors == ("Schoenfeld JD", "Haas-Kogan DA", "O'Neill AF")
    assert first.journal == "Lancet"
    assert first.pages == "2603-2604"


def test_europepmc_core_results_and_max_records(replay: Replay, api: Path) -> None:
    replay.add("/search", ok(api / "europepmc" / "search_cancer_core.json"))
    result = EuropePmcConnector(base_url=replay.url, http=fast_client()).search(
        "cancer", max_records=3
    )
    assert len(result.records) == 3
    assert not result.run.complete
    assert result.run.cursor_value("cursorMark") == "AoIIP4ZawSg1MzEyODI1MA=="
    assert result.records[0].authors[0] == "Schoenfeld JD"
    assert result.records[0].journal == "Lancet (London, England)"


# --- Crossref -------------------------------------------------------------------------------


def test_crossref_doi_lookup_and_reference_chasing(replay: Replay, api: Path) -> None:
    replay.add("/works/10.1371/journal.pone.0033693", ok(api / "crossref" / "work_by_doi.json"))
    connector = CrossrefConnector(base_url=replay.url, mailto="a@b.org", http=fast_client())
    record = connector.work("https://doi.org/10.1371/journal.pone.0033693")
    assert record.doi == "10.1371/journal.pone.0033693"
    assert record.title is not None
    assert record.title.startswith("Methylphenidate Exposure")
    assert (record.journal, record.year, record.volume, record.pages) == (
        "PLoS ONE",
        2012,
        "7",
        "e33693",
    )
    assert record.authors[:2] == ("Sadasivan, Shankar", "Pond, Brooks B.")
    refs = connector.references("10.1371/journal.pone.0033693")
    body = json.loads((api / "crossref" / "work_by_doi.json").read_text())
    expected = {r["DOI"] for r in body["message"]["reference"] if "DOI" in r}
    assert set(refs) == expected
    assert refs[:2] == (
        "10.1038/sj.npp.1301164",
        "10.1586/14737175.5.3.325",
    )
    assert replay.log[0][2]["mailto"] == "a@b.org"


def test_crossref_cursor_paging_and_429(replay: Replay, api: Path) -> None:
    page1 = api / "crossref" / "works_query_cursor_page1.json"
    following = json.loads(page1.read_text())["message"]["next-cursor"]
    replay.add(
        "/works",
        ok(api / "crossref" / "works_select.json"),
        when=lambda p: p["cursor"] == following,
    )
    replay.add("/works", (429, {"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"}, b""), ok(page1))
    client = fast_client()
    result = CrossrefConnector(base_url=replay.url, rows=20, http=client).search(
        "widget", max_records=30
    )
    assert client.waits == [0.0]  # a Retry-After date in the past means "now"
    assert [p["cursor"] for _, _, p in replay.log] == ["*", "*", following]
    assert result.run.hits == 586628
    assert result.run.retrieved == 30
    assert len(result.records) == 30
    assert result.records[20].title is not None


def test_retries_give_up_with_a_clear_error(replay: Replay) -> None:
    replay.add("/works", (503, {}, b"down"))
    client = HttpClient(min_interval=0.0, max_retries=2, sleep=lambda _: None)
    with pytest.raises(SearchServiceError, match="HTTP 503") as caught:
        CrossrefConnector(base_url=replay.url, http=client).search("x")
    assert caught.value.status == 503
    assert len(replay.log) == 3
    assert client.waits == [1.0, 2.0]


# --- OpenAlex -------------------------------------------------------------------------------


def test_openalex_without_a_key_is_refused_with_a_hint() -> None:
    with pytest.raises(ConfigError, match="requires an API key") as caught:
        OpenAlexConnector(api_key=None)
    assert caught.value.field == "api_key"
    assert "openalex.org" in str(caught.value)


def _openalex_page(cursor: str | None, title: str) -> Reply:
    """Our own fixture in the documented shape (formats.md section 13; no recorded body)."""
    work = {
        "id": "https://openalex.org/W1",
        "doi": "https://doi.org/10.1000/XYZ",
        "title": title,
        "publication_year": 2021,
        "type": "article",
        "language": "en",
        "authorships": [{"author": {"display_name": "Ada Lovelace"}}],
        "primary_location": {"source": {"display_name": "J Tests", "issn_l": "1234-5678"}},
        "biblio": {"volume": "3", "issue": "1", "first_page": "10", "last_page": "12"},
        "ids": {"pmid": "https://pubmed.ncbi.nlm.nih.gov/123"},
        "abstract_inverted_index": {"Ketogenic": [0], "diets": [1], "help.": [3], "may": [2]},
    }
    body = {"meta": {"count": 2, "per_page": 1, "next_cursor": cursor}, "results": [work]}
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def test_openalex_cursor_paging_and_record_mapping(replay: Replay) -> None:
    replay.add("/works", _openalex_page(None, "Second"), when=lambda p: p["cursor"] == "c2")
    replay.add("/works", _openalex_page("c2", "First"))
    result = OpenAlexConnector(
        api_key="k", base_url=replay.url, per_page=1, http=fast_client()
    ).search("ketogenic diet")
    assert [p["cursor"] for _, _, p in replay.log] == ["*", "c2"]
    assert {p["api_key"] for _, _, p in replay.log} == {"k"}
    assert [r.title for r in result.records] == ["First", "Second"]
    record = result.records[0]
    assert record.abstract == "Ketogenic diets may help."
    assert (record.doi, record.pmid, record.pages) == ("10.1000/XYZ", "123", "10-12")
    assert result.run.complete
    assert result.run.hits == 2
    assert ("api_key", "k") not in result.run.parameters


# --- CLI: evidens search run (standalone) ---------------------------------------------------


def test_cli_run_writes_json_and_ris(replay: Replay, api: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from evidens.cli.app import app

    replay.add("esearch.fcgi", ok(api / "pubmed_eutils" / "esearch_translation.xml"))
    replay.add("/studies", ok(api / "clinicaltrials_v2" / "search_page2_next.json"))
    runner = CliRunner()
    out_json = tmp_path / "trials.json"
    result = runner.invoke(
        app,
        [
            "search",
            "run",
            "ctgov",
            "Condition/disease: oxytocin",
            "--max",
            "3",
            "--out",
            str(out_json),
            "--base-url",
            replay.url,
        ],
    )
    assert result.exit_code == 0, result.output
    saved = json.loads(out_json.read_text())
    assert saved["run"]["retrieved"] == 3
    assert len(saved["records"]) == 3
    assert saved["run"]["source"] == "ctgov"
    assert replay.log[-1][2]["query.cond"] == "oxytocin"
    # esearch_translation.xml has no WebEnv: the run logs the count and translation only.
    result = runner.invoke(
        app,
        [
            "search",
            "run",
            "pubmed",
            "stem cells AND hasabstract",
            "--base-url",
            replay.url,
            "--out",
            str(tmp_path / "p.ris"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "5 hits" in result.output
    assert 'executed as: ("stem cells"[MeSH Terms]' in result.output


def test_cli_run_logs_the_search_and_imports_into_a_review(
    replay: Replay, api: Path, tmp_path: Path
) -> None:
    """PRISMA-S: the run is in the search log, its records are imported under it, and the
    per-register count follows."""
    from sqlalchemy import create_engine, text
    from typer.testing import CliRunner

    from evidens.cli.app import app

    replay.add("/studies", ok(api / "clinicaltrials_v2" / "search_page2_next.json"))
    db = str(tmp_path / "review.db")
    runner = CliRunner()
    assert runner.invoke(app, ["init", "Oxytocin trials", "--db", db]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "search",
            "run",
            "ctgov",
            "Condition/disease: oxytocin",
            "--max",
            "3",
            "--base-url",
            replay.url,
            "--db",
            db,
            "--as",
            "librarian",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "imported 3 records" in result.output
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        search = conn.execute(
            text(
                "SELECT s.name, s.kind, q.strategy, q.run_by, q.date_run FROM searches q "
                "JOIN sources s ON s.id = q.source_id"
            )
        ).one()
        batch = conn.execute(
            text("SELECT b.records_read, b.search_id IS NOT NULL FROM import_batches b")
        ).one()
    engine.dispose()
    assert tuple(search[:4]) == (
        "ClinicalTrials.gov",
        "register",
        "Condition/disease: oxytocin",
        "librarian",
    )
    assert search[4] is not None
    assert tuple(batch) == (3, 1)
    prisma = json.loads(runner.invoke(app, ["prisma", "--db", db]).output)
    assert prisma["records_identified"]["registers"] == {"ClinicalTrials.gov": 3}


def test_run_search_dispatches_and_refuses_unknown_sources(replay: Replay, api: Path) -> None:
    from evidens.errors import InputError
    from evidens.search.connectors import run_search

    replay.add("/search", ok(api / "europepmc" / "search_pmid_22663011.json"))
    result = run_search("europepmc", "EXT_ID:22663011 AND SRC:MED", base_url=replay.url)
    assert result.ids == ("22663011",)
    assert result.run.source == "europepmc"
    with pytest.raises(InputError, match="no connector for 'embase'"):
        run_search("embase", "x")
