"""The searches page's jobs, for real: an API search run from the page against a local
HTTP server replaying PubMed's recorded answers (../shared/data/api), its address the
server's setting and never the form's; a large upload imported as a job with its report;
and that import's worker killed with SIGKILL mid-way, leaving nothing, then finished by a
live worker from the bytes kept in the queue."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.search.replay_support import Replay, ok, serving

from evidens.services.identification import search_log
from evidens.services.store import ReviewStore, open_review, transaction
from evidens.services.web.jobs import DONE, FAILED, RUNNING, Job, Jobs, queue_at
from evidens.services.web.search_jobs import import_params
from evidens.store.models import ImportBatchRow, RecordRow
from evidens.web.app import create_app
from evidens.web.settings import ServerSettings

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
EUTILS = "/entrez/eutils/"
STALE = 3.0


@pytest.fixture
def api(shared_dir: Path) -> Path:
    return shared_dir / "data" / "api"


@pytest.fixture
def pubmed(api: Path) -> Iterator[Replay]:
    """PubMed's E-utilities replayed: esearch (42,249 hits), efetch (one article)."""
    with serving() as replay:
        replay.add("esearch.fcgi", ok(api / "pubmed_eutils" / "esearch_usehistory.xml"))
        replay.add("efetch.fcgi", ok(api / "pubmed_eutils" / "efetch_pubmed_22663011.xml"))
        yield replay


def _client(site: Site, settings: ServerSettings | Any, name: str = "olga") -> TestClient:
    """A signed-in client of a new app with ``settings``, or of the same app as a client."""
    app = (
        settings.app
        if isinstance(settings, TestClient)
        else create_app(site.store.engine, settings)
    )
    return site.sign_in(TestClient(app, follow_redirects=False), name)


def _finished(client: TestClient, url: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(url, headers=JSON).json()
        job = job.get("job", job)
        if job["state"] in (DONE, FAILED) or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def _counts(store: ReviewStore) -> tuple[int, int]:
    with transaction(store, "test") as uow:
        records = uow.session.scalar(
            select(func.count()).where(RecordRow.review_id == uow.review_id)
        )
        batches = uow.session.scalar(
            select(func.count()).where(ImportBatchRow.review_id == uow.review_id)
        )
    return int(records or 0), int(batches or 0)


def test_an_api_search_runs_as_a_job_and_imports_into_one_logged_search(
    site: Site, pubmed: Replay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENS_JOBS", "memory")
    settings = ServerSettings(api_urls=(("pubmed", pubmed.url + EUTILS),))
    olga = _client(site, settings)
    records, batches = _counts(site.store)
    form = {
        "source": "pubmed",
        "query": "infantile spasms AND ketogenic diet",
        "max": "3",
        "base_url": "http://169.254.169.254/latest/",  # a form cannot choose the address
        "csrf": site.csrf_of(olga),
    }
    started = olga.post("/r/main/searches/run", data=form)
    assert started.status_code == 303
    job_page = started.headers["location"]
    assert "<progress" in olga.get(job_page).text
    job = _finished(olga, job_page + ".json")
    assert job["state"] == DONE, job
    assert "base_url" not in job["params"]  # the server's address is not shown
    terms = [p["term"] for _, path, p in pubmed.log if path.endswith("esearch.fcgi")]
    assert terms == ["infantile spasms AND ketogenic diet"]  # sent to the setting's server
    (search,) = [s for s in search_log.list_searches(site.store) if s.source == "PubMed"]
    assert (search.hits, search.strategy) == (42249, "infantile spasms AND ketogenic diet")
    assert _counts(site.store) == (records + 1, batches + 1)  # one import, one record
    with transaction(site.store, "test") as uow:
        tied = uow.session.scalar(select(func.count()).where(ImportBatchRow.search_id == search.id))
    assert tied == 1
    twin = olga.get("/r/main/searches.json").json()
    (entry,) = [s for s in twin["searches"] if s["id"] == search.id]
    assert (entry["imported"], entry["run_by"]) == (1, "olga")
    assert (twin["api_search"]["state"], twin["api_search"]["result"]["imported"]) == (DONE, 1)
    assert "42249 hits; records imported: 1." in olga.get("/r/main/searches").text


def test_an_api_search_that_fails_logs_nothing(
    site: Site, api: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENS_JOBS", "memory")
    with serving() as replay:  # esearch answers, efetch is not there (404: not retried)
        replay.add("esearch.fcgi", ok(api / "pubmed_eutils" / "esearch_usehistory.xml"))
        settings = ServerSettings(api_urls=(("pubmed", replay.url + EUTILS),))
        olga = _client(site, settings)
        before = (_counts(site.store), len(search_log.list_searches(site.store)))
        form = {"source": "pubmed", "query": "spasms", "max": "2", "csrf": site.csrf_of(olga)}
        started = olga.post("/r/main/searches/run", data=form, headers=JSON)
        assert started.status_code == 202
        job = _finished(olga, started.json()["page"] + ".json")
    assert job["state"] == FAILED
    assert "HTTP 404" in job["error"]
    assert "\n" not in job["error"]
    assert (_counts(site.store), len(search_log.list_searches(site.store))) == before


def test_a_settings_api_address_must_be_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Exception, match="not a database API address"):
        ServerSettings(api_urls=(("pubmed", "file:///etc/passwd"),))
    with pytest.raises(Exception, match="not a database API address"):
        ServerSettings(api_urls=(("gopher", "http://127.0.0.1/"),))
    from evidens.web.settings import from_environment

    monkeypatch.setenv("EVIDENS_API_URLS", "pubmed=http://127.0.0.1:9/eutils/, ctgov=https://m/")
    monkeypatch.setenv("EVIDENS_IMPORT_JOB_BYTES", "4096")
    settings = from_environment()
    assert settings.api_url("pubmed") == "http://127.0.0.1:9/eutils/"
    assert settings.api_url("europepmc") is None
    assert settings.import_job_bytes == 4096


def _ris(count: int, prefix: str = "Trial") -> bytes:
    entry = (
        "TY  - JOUR\nTI  - {p} {n} of a ketogenic diet in infantile spasms\nAU  - Rivera, Ana\n"
        "PY  - 2020\nJO  - Journal of Child Neurology\nDO  - 10.5000/{p}.{n}\nER  - \n"
    )
    return "".join(entry.format(p=prefix, n=n) for n in range(count)).encode()


def test_a_large_upload_is_imported_as_a_job_with_its_report(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENS_JOBS", "memory")
    settings = ServerSettings(import_job_bytes=4096, max_upload_bytes=1024 * 1024)
    olga = _client(site, settings)
    records, batches = _counts(site.store)
    data = _ris(60) + b"XX  - not a tag of a record\n"
    started = olga.post(
        "/r/main/imports",
        data={"source": "Embase", "csrf": site.csrf_of(olga)},
        files={"file": ("../../big export.ris", data, "application/x-research-info-systems")},
    )
    assert started.status_code == 303, started.text
    job_page = started.headers["location"]
    assert job_page.startswith("/r/main/imports/jobs/")
    job = _finished(olga, job_page + ".json")
    assert job["state"] == DONE, job
    report = olga.get(job_page)
    assert report.status_code == 200
    assert "Imported big export.ris" in report.text
    assert "<td>60</td>" in report.text
    twin = olga.get(job_page + ".json").json()
    assert (twin["source"], twin["report"]["records"]) == ("Embase", 60)
    assert _counts(site.store) == (records + 60, batches + 1)
    # a small file is still imported at once; an oversize one refused before its body
    small = olga.post(
        "/r/main/imports",
        data={"source": "Embase", "csrf": site.csrf_of(olga)},
        files={"file": ("small.ris", _ris(2, "Small"), "application/x-research-info-systems")},
    )
    assert small.status_code == 200
    assert "Imported small.ris" in small.text
    huge = olga.post(
        "/r/main/imports",
        data={"source": "Embase", "csrf": site.csrf_of(olga)},
        files={"file": ("huge.ris", b"x" * (2 * 1024 * 1024), "text/plain")},
    )
    assert huge.status_code == 413
    vera = _client(site, olga, "vera")  # a viewer may follow the job, not upload
    assert vera.get(job_page + ".json").status_code == 200
    zed = _client(site, olga, "zed")  # another review's member: as absent as no job
    assert zed.get(job_page + ".json").status_code == 404
    assert zed.get("/r/other/imports/jobs/" + job_page.rsplit("/", 1)[1]).status_code == 404
    anonymous = TestClient(olga.app, follow_redirects=False)
    assert anonymous.get(job_page + ".json").status_code == 401


@pytest.fixture(params=["sqlite", "redis"])
def queue_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A SQLite queue file, and the Redis a team's hosts share (the upload's bytes travel
    in the queue's storage, so a worker elsewhere reads them)."""
    name = f"evidens_test_{uuid.uuid4().hex[:8]}"
    where = str(tmp_path / "jobs.db")
    if request.param == "redis":
        where = os.environ.get("EVIDENS_TEST_REDIS", "redis://127.0.0.1:6379/15")
    try:
        probe = queue_at(where, name=name)
        probe.put("probe", 1)
    except (OSError, redis.RedisError) as exc:  # no server: say so, not fail
        pytest.skip(f"no {request.param} job queue at {where}: {exc}")
    yield where, name
    probe.flush()
    probe.storage.close()


def _worker(where: str, name: str, db: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EVIDENS_JOBS": where,
        "EVIDENS_JOBS_NAME": name,
        "EVIDENS_SERVE_STORE": str(db),
        "EVIDENS_JOBS_STALE": str(STALE),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "evidens.web.jobs"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _until(jobs: Jobs, job: Job, ready: Any, timeout: float = 120) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = jobs._load(job.id)
        assert found is not None
        if ready(found):
            return found
        time.sleep(0.02)
    raise AssertionError(f"the job never got there: {jobs._load(job.id)}")


@pytest.mark.slow
def test_a_killed_import_worker_leaves_nothing_and_the_retry_imports_once(
    review_file: Path, queue_location: tuple[str, str]
) -> None:
    where, name = queue_location
    store = open_review(review_file, "main")
    jobs = Jobs(queue_at(where, name=name), stale=STALE)
    records, batches = _counts(store)
    count = 25_000  # more than one insert batch (10,000), so the kill lands between two
    job = jobs.submit(
        "import",
        store,
        actor="olga",
        store=str(review_file),
        given=import_params("big.ris", "PubMed", _ris(count)),
    )
    worker = _worker(where, name, review_file)
    try:
        running = _until(jobs, job, lambda j: j.state == RUNNING and j.done >= 1)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert running.done < count  # killed before the end: some rows sent, none committed
    with sqlite3.connect(review_file) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _counts(store) == (records, batches)
    time.sleep(STALE + 0.5)
    assert jobs.job(job.id, "main").state == "queued"  # retried from the kept bytes
    worker = _worker(where, name, review_file)
    try:
        done = _until(jobs, job, lambda j: j.state in (DONE, FAILED))
        kept = f"evidens:input:{job.id}"
        deadline = time.monotonic() + 10  # the worker lets the bytes go just after "done"
        while jobs.huey.get(kept, peek=True) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert done.state == DONE, done.error
    assert _counts(store) == (records + count, batches + 1)  # imported once, whole
    result = jobs.result(done)
    assert result is not None
    assert json.loads(result)["report"]["records"] == count
    assert jobs.huey.get(kept, peek=True) is None  # the upload's bytes are let go
    jobs.close()
    store.dispose()
