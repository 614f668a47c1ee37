"""The searches page: the review's search log (each strategy as run, its translation and
warnings), translating a strategy for other databases, logging a search as run, recording
hits, and API searches run from the page as background jobs; and the page of a large
upload imported as a job (its progress, then its per-file report).

Viewing needs :attr:`Action.VIEW`; everything that adds searches or records needs
:attr:`Action.IMPORT`, as the import upload does. The API addresses come from the server's
settings (``api_urls``), never from the form, so the page cannot be made to fetch from
anywhere else.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.services.review.permissions import Action, Membership, require
from evidens.services.web import search_jobs
from evidens.services.web import searches as web_searches
from evidens.services.web.jobs import DONE, JobInput
from evidens.web.app import User, check_csrf, engine_of, settings_of
from evidens.web.jobs import job_data, jobs_of, store_location
from evidens.web.render import page, plain, wants_json

Text = Annotated[str, Form()]
Many = Annotated[list[str], Form()]


def _review(member: Membership) -> dict[str, str]:
    return {"slug": member.slug, "title": member.title}


def _submitted(request: Request, member: Membership, kind: str, given: JobInput) -> Any:
    user = request.state.user
    return jobs_of(request).submit(
        kind,
        member.store(engine_of(request)),
        actor=user.username,
        store=store_location(engine_of(request)),
        given=given,
    )


def import_job(
    request: Request, member: Membership, data: bytes, name: str, source: str
) -> Response:
    """Queue a large upload's import (its bytes in the job queue) and move on to its page."""
    given = search_jobs.import_params(name, source.strip()[:200], data)
    job = _submitted(request, member, "import", given)
    where = f"/r/{member.slug}/imports/jobs/{job.id}"
    if wants_json(request):
        return JSONResponse({**job_data(job), "page": where}, status_code=202)
    return RedirectResponse(where, status_code=303)


def add_searches_routes(app: FastAPI) -> None:
    _add_log(app)
    _add_forms(app)
    _add_jobs(app)


def _add_log(app: FastAPI) -> None:
    @app.get("/r/{slug}/searches")
    @app.get("/r/{slug}/searches.json")
    def searches(request: Request, user: User, slug: str, logged: str = "") -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        view = web_searches.searches_view(member.store(engine_of(request)))
        data = {
            "review": _review(member),
            "searches": view.searches,
            "api_search": _latest_search(request, slug),
        }
        extra = {
            "csrf": user.csrf_token,
            "may_import": member.can(Action.IMPORT),
            "choices": view,
            "logged": [n for n in logged.split(",") if n.isdigit()],
        }
        return page(request, "searches.html", data, extra=extra)


def _latest_search(request: Request, slug: str) -> dict[str, Any] | None:
    """The review's latest search run from the page: its progress, then what it found."""
    jobs = jobs_of(request)
    job = jobs.latest("api-search", slug=slug, store=store_location(engine_of(request)))
    if job is None:
        return None
    data = jobs.result(job)
    return {**job_data(job), "result": None if data is None else json.loads(data)}


def _done(request: Request, slug: str, ids: list[int], key: str = "searches") -> Response:
    if wants_json(request):
        return JSONResponse({key: ids})
    joined = ",".join(str(n) for n in ids)
    return RedirectResponse(f"/r/{slug}/searches?logged={joined}", status_code=303)


def _add_forms(app: FastAPI) -> None:
    @app.post("/r/{slug}/searches")
    def log_search(
        request: Request,
        user: User,
        slug: str,
        source: Text = "",
        strategy: Text = "",
        kind: Text = "database",
        platform: Text = "",
        date: Text = "",
        hits: Text = "",
        csrf: Text = "",
    ) -> Response:
        """Log a search as it was run (as ``evidens search add``)."""
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        logged = web_searches.log_run(
            member.store(engine_of(request)),
            source=source,
            strategy=strategy,
            kind=kind,
            platform=platform,
            date_run=date,
            hits=hits,
            actor=user.username,
        )
        return _done(request, slug, [logged.id])

    @app.post("/r/{slug}/searches/translate")
    def translate(
        request: Request,
        user: User,
        slug: str,
        query: Text = "",
        syntax: Text = "pubmed",
        to: Many = [],  # noqa: B006 - FastAPI reads the default, never mutates it
        date: Text = "",
        simplify: Text = "",
        csrf: Text = "",
    ) -> Response:
        """Translate a strategy and log one search per target engine, with its warnings."""
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        logged = web_searches.translate_and_log(
            member.store(engine_of(request)),
            query,
            syntax=syntax,
            targets=to,
            date_run=date,
            simplify=bool(simplify),
            actor=user.username,
        )
        return _done(request, slug, [s.id for s in logged])

    @app.post("/r/{slug}/searches/hits")
    def hits(
        request: Request,
        user: User,
        slug: str,
        search: Text = "",
        hits: Text = "",
        date: Text = "",
        csrf: Text = "",
    ) -> Response:
        """Record the hits a logged search gave when it was run."""
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        store = member.store(engine_of(request))
        number = web_searches.record_hits(store, search, hits, date, user.username)
        return _done(request, slug, [number])


def _add_jobs(app: FastAPI) -> None:
    @app.post("/r/{slug}/searches/run")
    def run(
        request: Request,
        user: User,
        slug: str,
        source: Text = "",
        query: Text = "",
        max: Text = "",
        csrf: Text = "",
    ) -> Response:
        """Run a search on a database's API as a job: the address is the server's."""
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        base_url = settings_of(request).api_url(source)
        given = search_jobs.search_params(source, query, max, base_url)
        job = _submitted(request, member, "api-search", given)
        where = f"/r/{slug}/jobs/{job.id}"
        if wants_json(request):
            return JSONResponse({**job_data(job), "page": where}, status_code=202)
        return RedirectResponse(where, status_code=303)

    @app.get("/r/{slug}/imports/jobs/{job_id}")
    @app.get("/r/{slug}/imports/jobs/{job_id}.json")
    def import_progress(request: Request, user: User, slug: str, job_id: str) -> Response:
        """A large import's progress bar, then (when done) its per-file report."""
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        jobs = jobs_of(request)
        job = jobs.job(job_id.removesuffix(".json"), slug)
        data = jobs.result(job) if job.kind == "import" and job.state == DONE else None
        if data is None:
            found = {"review": _review(member), "job": job_data(job)}
            back = {"titles": {"import": "Importing records"}, "back": f"/r/{slug}"}
            return page(request, "job.html", found, extra=back)
        result = json.loads(data)
        done = {"review": _review(member), "job": job_data(job), **result}
        if wants_json(request):
            return JSONResponse(plain(done))
        return page(request, "imported.html", done)
