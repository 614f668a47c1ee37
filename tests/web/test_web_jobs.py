"""Long work as jobs, for real: a worker process (huey's consumer, ``python -m
evidens.web.jobs``) building the RISS review's outputs is killed with SIGKILL mid-way. Its job
is never half-applied (no result, the store intact), is retried once, is marked failed when
killed again, and a live worker finishes a job with every output in its result."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.run import load_review
from evidens.services.store import ReviewStore, open_review, transaction
from evidens.services.web.jobs import (
    DONE,
    FAILED,
    KILLED,
    QUEUED,
    RUNNING,
    Job,
    Jobs,
    database_of,
    queue_at,
)

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"
STALE = 3.0
JSON = {"accept": "application/json"}
REDIS_URL = os.environ.get("EVIDENS_TEST_REDIS", "redis://127.0.0.1:6379/15")
PG_URL = os.environ.get("EVIDENS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Queue:
    location: str
    name: str
    jobs: Jobs


@pytest.fixture(params=["sqlite", "redis", "postgres"])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Queue]:
    """The single-user SQLite file, and the two queues a team's hosts can share."""
    name = f"evidens_test_{uuid.uuid4().hex[:8]}"
    location = {"sqlite": str(tmp_path / "jobs.db"), "redis": REDIS_URL, "postgres": PG_URL}
    where = location[request.param]
    try:
        jobs = Jobs(queue_at(where, name=name), stale=STALE)
        jobs.huey.put("probe", 1)
    except (OSError, redis.RedisError, psycopg.Error) as exc:  # no server: say so, not fail
        pytest.skip(f"no {request.param} job queue at {where}: {exc}")
    yield Queue(where, name, jobs)
    jobs.huey.flush()
    jobs.close()


@pytest.fixture
def riss(tmp_path: Path) -> Iterator[tuple[ReviewStore, Path]]:
    db = tmp_path / "riss.db"
    with load_review(read_review_dir(RISS), db):
        pass
    store = open_review(db, "riss")
    yield store, db
    store.dispose()


def _worker(queue: Queue, db: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EVIDENS_JOBS": queue.location,
        "EVIDENS_JOBS_NAME": queue.name,
        "EVIDENS_SERVE_STORE": str(db),
        "EVIDENS_JOBS_STALE": str(STALE),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "evidens.web.jobs"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _until(jobs: Jobs, job: Job, ready: object, timeout: float = 90) -> Job:
    """The job's record (read without reaping) once ``ready(job)`` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = jobs._load(job.id)
        assert found is not None
        if ready(found):  # type: ignore[operator]
            return found
        time.sleep(0.05)
    raise AssertionError(f"the job never got there: {jobs._load(job.id)}")


def _kill_mid_way(jobs: Jobs, job: Job, queue: Queue, db: Path, attempt: int) -> Job:
    """Start a worker, let it run the job past its first step, SIGKILL it."""
    worker = _worker(queue, db)
    try:
        running = _until(
            jobs, job, lambda j: j.state == RUNNING and j.attempts == attempt and j.done >= 1
        )
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    return running


def _store_intact(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_killed_worker_is_retried_then_failed_never_half_applied(
    riss: tuple[ReviewStore, Path], queue: Queue
) -> None:
    store, db = riss
    jobs = queue.jobs
    job = jobs.submit("outputs", store, actor="olga", store=str(db))
    assert jobs.job(job.id, "riss").state == QUEUED

    _kill_mid_way(jobs, job, queue, db, attempt=1)
    assert jobs.result(jobs.job(job.id, "riss")) is None  # nothing of its work is kept
    assert jobs.huey.get(f"evidens:result:{job.id}", peek=True) is None
    _store_intact(db)
    time.sleep(STALE + 0.5)  # the heartbeat has stopped: the next reader retries it
    retried = jobs.job(job.id, "riss")
    assert (retried.state, retried.attempts) == (QUEUED, 1)
    assert retried.step.startswith("retrying")
    assert jobs.job(job.id, "riss").state == QUEUED  # one re-queue, however many readers

    _kill_mid_way(jobs, job, queue, db, attempt=2)
    time.sleep(STALE + 0.5)
    failed = jobs.job(job.id, "riss")
    assert (failed.state, failed.error) == (FAILED, KILLED)
    assert jobs.result(failed) is None
    _store_intact(db)
    with pytest.raises(Exception, match="no such job"):
        jobs.job(job.id, "another-review")


def test_a_live_worker_finishes_the_job(riss: tuple[ReviewStore, Path], queue: Queue) -> None:
    store, db = riss
    jobs = queue.jobs
    job = jobs.submit("outputs", store, actor="olga", store=str(db))
    worker = _worker(queue, db)
    try:
        done = _until(jobs, job, lambda j: j.state in (DONE, FAILED))
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert done.state == DONE, done.error
    assert done.percent == 100
    data = jobs.result(done)
    assert data is not None
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {"report.html", "report.docx", "sof.docx", "prisma.svg"} <= set(names)
    assert jobs.latest("outputs", slug="riss", store=str(db)) == done


def test_a_queue_that_is_not_one_is_refused() -> None:
    with pytest.raises(Exception, match="is not a job queue"):
        queue_at("ftp://example.invalid/queue")


TWIN = (
    "TY  - JOUR\nTI  - Ketogenic diet for refractory infantile spasms: a randomised trial\n"
    "AU  - Rivera, Ana\nPY  - 2020\nJO  - Journal of Child Neurology\nDO  - 10.4000/web.1\n"
    "ER  - \n"
)


def test_de_duplication_runs_as_a_job_from_the_page(
    site: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import leaves a copy of record 1 (same DOI) un-de-duplicated; the job merges it,
    and its page shows the progress bar until it is done."""
    from evidens.services.identification import imports

    monkeypatch.setenv("EVIDENS_JOBS", "memory")
    path = tmp_path / "twin.ris"
    path.write_text(TWIN, encoding="utf-8")
    imports.import_file(site.store, path, source="Embase", actor="olga")
    before = _clusters(site.store)
    olga = site.login("olga")
    started = olga.post("/r/main/dedup-job", data={"csrf": site.csrf_of(olga)})
    assert started.status_code == 303
    job_page = started.headers["location"]
    assert "<progress" in olga.get(job_page).text
    deadline = time.monotonic() + 60
    job = olga.get(job_page + ".json").json()
    while job["state"] not in (DONE, FAILED) and time.monotonic() < deadline:
        time.sleep(0.1)
        job = olga.get(job_page + ".json").json()
    assert job["state"] == DONE, job
    assert _clusters(site.store) == before - 1  # the copy joined record 1's cluster
    vera = site.login("vera")  # a viewer may follow it, not start one
    assert vera.get(job_page + ".json").status_code == 200
    denied = vera.post("/r/main/dedup-job", data={"csrf": site.csrf_of(vera)}, headers=JSON)
    assert denied.status_code == 403


def _clusters(store: ReviewStore) -> int:
    from evidens.services.review.records import canonical_ids

    with transaction(store, "test") as uow:
        return len(canonical_ids(uow.session, uow.review_id))


def test_the_latest_build_is_found_whatever_host_name_reaches_the_store(
    riss: tuple[ReviewStore, Path],
) -> None:
    """Two web hosts of one team may name one PostgreSQL server differently; each must find
    the build the other started (the password is never part of the name either way)."""
    store, _ = riss
    jobs = Jobs(queue_at("memory", name=uuid.uuid4().hex), stale=STALE)
    one = "postgresql+psycopg://evidens@db1:5432/team"
    other = "postgresql+psycopg://evidens:***@10.0.0.5/team"
    job = jobs.submit("outputs", store, actor="olga", store=one)
    assert jobs.latest("outputs", slug="riss", store=other) == job
    assert jobs.latest("outputs", slug="riss", store=one.replace("/team", "/other")) is None
    assert database_of("sqlite:////srv/review.db") == "sqlite:/srv/review.db"
    assert database_of("/srv/review.db") == "/srv/review.db"  # a bare path names itself


def test_a_reader_at_the_instant_a_job_starts_sees_it_running_not_dead(
    riss: tuple[ReviewStore, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's heartbeat is there before the job reads "running": a reader at that
    very instant (here, one read made right after the save) must not take the job for
    dead and re-queue it (the team-server test once caught the gap under load)."""
    store, db = riss
    jobs = Jobs(queue_at("memory", name=uuid.uuid4().hex), stale=STALE)
    monkeypatch.setenv("EVIDENS_SERVE_STORE", str(db))
    seen: list[Job] = []
    save = jobs._save

    def save_then_read(job: Job) -> Job:
        saved = save(job)
        if job.state == RUNNING and not seen:
            seen.append(jobs.job(job.id, "riss"))  # reaps, as the web's reads do
        return saved

    monkeypatch.setattr(jobs, "_save", save_then_read)
    job = jobs.submit("dedup", store, actor="olga", store=str(db))
    assert jobs.work_one()
    assert [(j.state, j.attempts) for j in seen] == [(RUNNING, 1)]
    done = jobs.job(job.id, "riss")
    assert (done.state, done.attempts) == (DONE, 1), done.error
    assert jobs.huey.pending_count() == 0  # nothing re-queued behind it
