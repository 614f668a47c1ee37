"""Long work as jobs: building a review's outputs (report, figures) or de-duplicating it
runs in the background while the page shows its progress.

The queue is huey's (one small library that has the three backends evidens needs): a SQLite
file beside the store for the single-user default, worked by a thread of the web process;
Redis or PostgreSQL for a team, worked by ``huey`` consumers on any host that reaches it.
A job's record (state, step, progress, attempts), its input (an uploaded file's bytes) and its
result are kept in the queue's own storage, never in the review store, so a job adds nothing
to the review until it is done, and a worker on any host that shares the queue can run it.

A job killed mid-way (``kill -9`` of its worker, a host lost) is never half-applied: the
result is written once, at the end, before the record says "done"; work on the store is one
transaction per step (de-duplication commits at its end or not at all). Its worker beats a
heartbeat while it runs; a running job whose heartbeat has stopped is retried once (the first
reader to notice re-queues it, guarded by an atomic put-if-empty) and marked failed after that.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from evidens.errors import EvidensError, NotFoundError, ValidationError
from evidens.services.store import ReviewStore, open_review

log = logging.getLogger("evidens.jobs")
Progress = Callable[[str, int, int], None]
Work = Callable[[ReviewStore, str, Progress], bytes]
"""A kind of job: (store, actor, progress) -> the result's bytes."""


@dataclass(frozen=True)
class JobInput:
    """What a job was given when it was submitted: short ``params`` (kept in its record) and
    ``payload`` bytes (an uploaded file), kept in the queue's storage beside the record, so
    a worker on another host that shares the queue (Redis, PostgreSQL) reads them there;
    never in the review store, never a local temporary file."""

    params: dict[str, str]
    payload: bytes | None = None


InputWork = Callable[[ReviewStore, str, Progress, JobInput], bytes]
"""A kind of job that works on its input: (store, actor, progress, input) -> bytes."""

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
MAX_ATTEMPTS = 2  # a job whose worker died is tried once more, then marked failed
KILLED = "its worker stopped mid-way (killed or lost); nothing it did was kept"


@dataclass(frozen=True)
class Job:
    """One piece of long work and where it stands; ``done``/``total`` drive the bar."""

    id: str
    kind: str
    slug: str
    actor: str
    store: str
    review_id: int = 0
    state: str = QUEUED
    step: str = "waiting for a worker"
    done: int = 0
    total: int = 1
    attempts: int = 0
    error: str = ""
    created: float = 0.0
    params: dict[str, str] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return 100 if self.state == DONE else int(100 * self.done / max(self.total, 1))


def queue_at(location: str, *, name: str = "evidens") -> Huey:
    """The queue a deployment names: ``redis://...``, ``postgresql://...``, ``memory`` (one
    process, for tests), or the path of a SQLite file (the single-user default)."""
    if location.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=location)
    if location.startswith(("postgresql://", "postgres://")):
        return PostgresHuey(name, dsn=location)
    if location == "memory":
        return MemoryHuey(name)
    if "://" in location:
        raise ValidationError(
            f"{location.split('://', maxsplit=1)[0]!r} is not a job queue",
            field="jobs",
            hint="use redis://HOST:6379/0, postgresql://..., or the path of a SQLite file",
        )
    return SqliteHuey(name, filename=location)


def database_of(store: str) -> str:
    """The store a URL names, whatever host name reaches it: two web hosts of one team may
    name the same PostgreSQL server differently (``db1``, ``10.0.0.5``) and must still find
    each other's latest build. Deployments sharing one queue keep apart by its name."""
    try:
        url = make_url(store)
    except ArgumentError:
        return store
    return f"{url.get_backend_name()}:{url.database or ''}"


def outputs_zip(store: ReviewStore, actor: str, progress: Progress) -> bytes:
    """Every output of the review (what ``evidens outputs`` writes) as one zip, with the
    report as PDF too where LibreOffice is installed."""
    from evidens.report.pdf import report_pdf
    from evidens.services.reporting.review_outputs import write_outputs

    with tempfile.TemporaryDirectory(prefix="evidens-outputs-") as folder:
        written = write_outputs(store, Path(folder), progress=progress)
        docx = Path(folder) / "report.docx"
        if docx.exists():
            progress("writing outputs: report as PDF", 6, 7)
            pdf = report_pdf(docx.read_bytes())
            if pdf is not None:
                written.append(Path(folder) / "report.pdf")
                written[-1].write_bytes(pdf)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(written):
                archive.write(path, path.name)
    return buffer.getvalue()


def deduplicate(store: ReviewStore, actor: str, progress: Progress) -> bytes:
    """De-duplicate the review's records (one transaction) and return its summary."""
    from evidens.services.identification import dedup

    progress("de-duplicating", 0, 1)
    summary = dedup.deduplicate(store, actor=actor)
    progress("de-duplicating", 1, 1)
    return json.dumps(_plain(summary), default=str).encode()


def _plain(value: Any) -> Any:
    from dataclasses import asdict, is_dataclass

    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def _search_jobs() -> dict[str, InputWork]:
    from evidens.services.web import search_jobs

    return {"api-search": search_jobs.api_search, "import": search_jobs.import_upload}


KINDS: dict[str, Work] = {"outputs": outputs_zip, "dedup": deduplicate}
WITH_INPUT = ("api-search", "import")
"""Kinds that work on their :class:`JobInput` (see :func:`_search_jobs`)."""


class Jobs:
    """Submit, follow and work jobs on one huey queue.

    ``stale`` is how long a running job's heartbeat may be silent before its worker is
    taken for dead; ``beat`` how often a worker beats. ``engine_store`` opens a job's review
    in the process that serves it (the web app's engine); other workers open the store
    named in ``$EVIDENS_SERVE_STORE`` or, failing that, the one the job names."""

    def __init__(
        self,
        huey: Huey,
        *,
        stale: float = 30.0,
        beat: float = 1.0,
        engine_store: Callable[[Job], ReviewStore] | None = None,
    ) -> None:
        self.huey, self.stale, self.beat = huey, stale, beat
        self.engine_store = engine_store
        self.task = huey.task(name="evidens.job")(self._run)

    # --- records -------------------------------------------------------------------
    def _key(self, what: str, job_id: str) -> str:
        return f"evidens:{what}:{job_id}"

    def _save(self, job: Job) -> Job:
        self.huey.put(self._key("job", job.id), job.__dict__)
        return job

    def _load(self, job_id: str) -> Job | None:
        data = self.huey.get(self._key("job", job_id), peek=True)
        return None if data is None else Job(**data)

    def _heartbeat(self, job_id: str) -> float:
        value = self.huey.get(self._key("beat", job_id), peek=True)
        return float(value) if value is not None else 0.0

    # --- the web's side --------------------------------------------------------------
    def submit(
        self,
        kind: str,
        review: ReviewStore,
        *,
        actor: str,
        store: str,
        given: JobInput | None = None,
    ) -> Job:
        """Queue a job of ``kind`` on ``review`` (kept as that review's latest of its kind);
        ``store`` names the store for workers in other processes (no password in it);
        ``given`` is the input of the kinds in :data:`WITH_INPUT`."""
        if kind not in KINDS and kind not in WITH_INPUT:
            raise ValidationError(
                f"{kind!r} is not a kind of job", hint=", ".join((*KINDS, *WITH_INPUT))
            )
        slug, given = review.slug, given or JobInput({})
        job = Job(uuid.uuid4().hex, kind, slug, actor, store, review.review_id, created=time.time())
        job = replace(job, params=dict(given.params))
        if given.payload is not None:
            self.huey.put(self._key("input", job.id), given.payload)
        self._save(job)
        self.huey.put(self._key("latest", f"{database_of(store)}|{slug}|{kind}"), job.id)
        self.task(job.id)
        return job

    def job(self, job_id: str, slug: str) -> Job:
        """The job as it stands (a dead worker's job retried or failed first); another
        review's job is as absent as an unknown one."""
        job = self._load(job_id)
        if job is None or job.slug != slug:
            raise NotFoundError("no such job", hint="start it again from the page")
        return self.reap(job)

    def latest(self, kind: str, *, slug: str, store: str) -> Job | None:
        job_id = self.huey.get(
            self._key("latest", f"{database_of(store)}|{slug}|{kind}"), peek=True
        )
        return None if job_id is None else self.job(str(job_id), slug)

    def result(self, job: Job) -> bytes | None:
        """The finished job's bytes (None before it is done)."""
        if job.state != DONE:
            return None
        data = self.huey.get(self._key("result", job.id), peek=True)
        return bytes(data) if data is not None else None

    def reap(self, job: Job) -> Job:
        """Retry (once) or fail a running job whose worker's heartbeat has stopped."""
        if job.state != RUNNING or time.time() - self._heartbeat(job.id) < self.stale:
            return job
        if job.attempts < MAX_ATTEMPTS and self.huey.put_if_empty(
            self._key("reaped", f"{job.id}:{job.attempts}"), True
        ):
            again = self._save(replace(job, state=QUEUED, step="retrying: " + KILLED))
            self.task(job.id)
            return again
        if job.attempts >= MAX_ATTEMPTS:
            self._forget_input(job.id)
            return self._save(replace(job, state=FAILED, error=KILLED))
        return self._load(job.id) or job  # another reader re-queued it just now

    # --- the worker's side -------------------------------------------------------------
    def _open(self, job: Job) -> ReviewStore:
        if self.engine_store is not None:
            return self.engine_store(job)
        return open_review(os.environ.get("EVIDENS_SERVE_STORE") or job.store, job.slug)

    def _run(self, job_id: str) -> None:
        job = self._load(job_id)
        if job is None or job.state in (DONE, FAILED):
            return  # re-queued twice, or finished by a worker thought dead: nothing to do
        # The heartbeat before "running": a reader between the two would take the job for
        # dead and re-queue it, and this worker's progress would then hide the re-queue.
        self.huey.put(self._key("beat", job_id), time.time())
        job = self._save(replace(job, state=RUNNING, attempts=job.attempts + 1, error=""))
        beating = threading.Event()
        beater = threading.Thread(target=self._beat, args=(job_id, beating), daemon=True)
        beater.start()
        current = [job]

        def progress(step: str, done: int, total: int) -> None:
            current[0] = self._save(replace(current[0], step=step, done=done, total=total))

        try:
            store = self._open(job)
            try:
                data = self._work(job, store, progress)
            finally:
                if self.engine_store is None:
                    store.dispose()
            self.huey.put(self._key("result", job_id), data)  # the result first, then "done"
            self._save(replace(current[0], state=DONE, step="done", done=1, total=1))
            self._forget_input(job_id)
        except EvidensError as exc:
            self._save(replace(current[0], state=FAILED, error=str(exc)))
            self._forget_input(job_id)
        except Exception:
            log.exception("job %s (%s) failed", job_id, job.kind)
            self._save(replace(current[0], state=FAILED, error="something went wrong"))
            self._forget_input(job_id)
        finally:
            beating.set()
            beater.join()

    def _work(self, job: Job, store: ReviewStore, progress: Progress) -> bytes:
        if job.kind not in WITH_INPUT:
            return KINDS[job.kind](store, job.actor, progress)
        data = self.huey.get(self._key("input", job.id), peek=True)
        given = JobInput(dict(job.params), None if data is None else bytes(data))
        return _search_jobs()[job.kind](store, job.actor, progress, given)

    def _forget_input(self, job_id: str) -> None:
        """Drop a finished job's payload (an upload need not outlive its import)."""
        self.huey.get(self._key("input", job_id), peek=False)

    def _beat(self, job_id: str, stop: threading.Event) -> None:
        while not stop.wait(self.beat):
            self.huey.put(self._key("beat", job_id), time.time())

    def close(self) -> None:
        """Let go of the queue's connections (a PostgreSQL queue holds one per thread)."""
        self.huey.storage.close()

    def work_one(self) -> bool:
        """Dequeue and run one job, if there is one (what a worker thread loops on)."""
        task = self.huey.dequeue()
        if task is None:
            return False
        self.huey.execute(task)
        return True

    def work_in_thread(self, idle: float = 0.2) -> threading.Thread:
        """A daemon thread of this process working the queue: the single-user default."""

        def loop() -> None:
            while True:
                try:
                    if not self.work_one():
                        time.sleep(idle)
                except Exception:  # a broken queue must not end the web server's worker
                    log.exception("the job worker thread hit an error")
                    time.sleep(idle * 10)

        thread = threading.Thread(target=loop, name="evidens-jobs", daemon=True)
        thread.start()
        return thread
