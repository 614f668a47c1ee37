"""The web app's job queue, its progress endpoint, and the worker process for a team.

``$EVIDENS_JOBS`` names the queue (see :func:`evidens.services.web.jobs.queue_at`): unset, a
SQLite file beside a SQLite store (``review.db.jobs``), or memory beside a PostgreSQL one.
Every web process works the queue in a thread unless ``$EVIDENS_JOBS_INPROCESS=0``; a team
running several hosts points them all at one Redis or PostgreSQL queue and may run
``python -m evidens.web.jobs`` (huey's consumer) on any host with ``$EVIDENS_SERVE_STORE``.
"""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from huey import Huey
from sqlalchemy import Engine

from evidens.services.review.permissions import Action, require
from evidens.services.store import ReviewStore
from evidens.services.web.jobs import Job, Jobs, queue_at
from evidens.web.app import User, engine_of
from evidens.web.render import page, plain

QUEUE_VARIABLE = "EVIDENS_JOBS"
INPROCESS_VARIABLE = "EVIDENS_JOBS_INPROCESS"
STALE_VARIABLE = "EVIDENS_JOBS_STALE"
NAME_VARIABLE = "EVIDENS_JOBS_NAME"  # deployments (or tests) sharing one Redis keep apart
WORKER_NICE = 10  # the worker process's niceness, as the ranking's child process


def _queue(location: str) -> Huey:
    return queue_at(location, name=os.environ.get(NAME_VARIABLE, "evidens"))


def store_location(engine: Engine) -> str:
    """The store as a worker elsewhere opens it (a password is never written to a queue)."""
    return engine.url.render_as_string(hide_password=True)


def _default_queue(engine: Engine) -> str:
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
        return database + ".jobs"
    return "memory"


def jobs_of(request: Request) -> Jobs:
    """The app's queue, made (and its worker thread started) on first use."""
    app = request.app
    found: Jobs | None = getattr(app.state, "jobs", None)
    if found is None:
        engine = engine_of(request)
        location = os.environ.get(QUEUE_VARIABLE) or _default_queue(engine)

        def engine_store(job: Job) -> ReviewStore:
            return ReviewStore(engine, job.review_id, job.slug)

        stale = float(os.environ.get(STALE_VARIABLE, "30"))
        found = Jobs(_queue(location), stale=stale, engine_store=engine_store)
        if os.environ.get(INPROCESS_VARIABLE, "1") != "0":
            found.work_in_thread()
        app.state.jobs = found
    return found


def job_data(job: Job) -> dict[str, object]:
    """A job as the page's progress bar polls it (never the store it names)."""
    data = plain(job)
    data.pop("store", None)
    data["params"] = {k: v for k, v in job.params.items() if k != "base_url"}  # the server's
    return {**data, "percent": job.percent}


TITLES = {
    "outputs": "Building the report and figures",
    "dedup": "De-duplicating the records",
    "api-search": "Searching a database",
    "import": "Importing records",
}
BACK = {"outputs": "outputs", "dedup": "duplicates", "api-search": "searches"}


def add_job_routes(app: FastAPI) -> None:
    @app.get("/r/{slug}/jobs/{job_id}.json")
    def job_status(request: Request, user: User, slug: str, job_id: str) -> Response:
        require(engine_of(request), user.username, slug, Action.VIEW)
        return JSONResponse(job_data(jobs_of(request).job(job_id, slug)))

    @app.get("/r/{slug}/jobs/{job_id}")
    def job_page(request: Request, user: User, slug: str, job_id: str) -> Response:
        """Any job's progress bar, for pages that start one and move on to it."""
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        job = jobs_of(request).job(job_id, slug)
        data = {"review": {"slug": member.slug, "title": member.title}, "job": job_data(job)}
        extra = {"titles": TITLES, "back": f"/r/{slug}/{BACK.get(job.kind, '')}"}
        return page(request, "job.html", data, extra=extra)


def main() -> None:
    """A worker process for a team's shared queue: huey's consumer over ``$EVIDENS_JOBS``,
    opening the store named in ``$EVIDENS_SERVE_STORE``, at a lower CPU priority than the
    web processes."""
    location = os.environ.get(QUEUE_VARIABLE, "")
    if not location:
        raise SystemExit(f"${QUEUE_VARIABLE} is not set: name the queue to work")
    stale = float(os.environ.get(STALE_VARIABLE, "30"))
    jobs = Jobs(_queue(location), stale=stale)
    # below the web processes sharing this host: a de-duplication of 50,000 records is
    # seconds of CPU that pages and decisions should not queue behind (none on a host of
    # its own)
    os.nice(WORKER_NICE)
    jobs.huey.create_consumer(workers=1, worker_type="thread").run()


if __name__ == "__main__":
    main()
