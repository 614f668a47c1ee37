"""The outputs page: the PRISMA diagram (boxes linking to their records), the report and
every figure built as a background job with a progress bar, and the files that are cheap
enough to make on request (records and decisions as RIS/CSV, PRISMA, RoB plots, SoF DOCX).

Downloads need :attr:`Action.VIEW`; building the outputs (which keeps each analysis's
result and each outcome's certainty in the store) needs :attr:`Action.SYNTHESISE`, and
de-duplicating as a job :attr:`Action.IMPORT`, as from their own pages.
"""

from __future__ import annotations

import io
import zipfile
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.errors import NotFoundError
from evidens.services.reporting import exports
from evidens.services.review.permissions import Action, require
from evidens.services.web import synthesis as web_synthesis
from evidens.services.web import views as web_views
from evidens.services.web.jobs import DONE
from evidens.web.app import User, check_csrf, engine_of
from evidens.web.jobs import job_data, jobs_of, store_location
from evidens.web.render import page, wants_json
from evidens.web.routes_synthesis import download

Text = Annotated[str, Form()]
ON_REQUEST = {
    "records.ris": "Records (RIS)",
    "records.csv": "Records with screening decisions (CSV)",
    "prisma.svg": "PRISMA 2020 flow diagram (SVG)",
    "prisma.csv": "PRISMA 2020 counts (CSV, for the PRISMA2020 app)",
    "rob-traffic-light.svg": "Risk of bias: traffic-light plot",
    "rob-summary.svg": "Risk of bias: summary plot",
    "sof.docx": "Summary of Findings (DOCX)",
}


def _made_on_request(request: Request, username: str, slug: str, name: str) -> bytes:
    member = require(engine_of(request), username, slug, Action.VIEW)
    store = member.store(engine_of(request))
    if name.startswith("records."):
        return web_synthesis.records_file(store, name.split(".")[1])
    if name.startswith("prisma."):
        return exports.prisma_figure(store, fmt=name.split(".")[1])
    if name.startswith("rob-"):
        return web_synthesis.rob_figure(store, name)
    return web_synthesis.sof_file(store, name)


def _built(request: Request, slug: str) -> bytes:
    """The zip of the review's last finished outputs build."""
    jobs = jobs_of(request)
    job = jobs.latest("outputs", slug=slug, store=store_location(engine_of(request)))
    data = None if job is None else jobs.result(job)
    if data is None:
        raise NotFoundError("the outputs have not been built", hint="build them first")
    return data


def add_outputs_routes(app: FastAPI) -> None:
    @app.get("/r/{slug}/outputs")
    @app.get("/r/{slug}/outputs.json")
    def outputs(request: Request, user: User, slug: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        store = member.store(engine_of(request))
        jobs = jobs_of(request)
        build = jobs.latest("outputs", slug=slug, store=store_location(engine_of(request)))
        files: list[str] = []
        if build is not None and build.state == DONE:
            data = jobs.result(build)
            files = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist()) if data else []
        result = {
            "review": {"slug": member.slug, "title": member.title},
            "build": None if build is None else job_data(build),
            "files": files,
            "on_request": ON_REQUEST,
        }
        extra = {
            "csrf": user.csrf_token,
            "may_build": member.can(Action.SYNTHESISE),
            "prisma": web_views.prisma_html(store, lambda box: f"/r/{slug}/records/{box}"),
        }
        return page(request, "outputs.html", result, extra=extra)

    @app.post("/r/{slug}/outputs/build")
    def build(request: Request, user: User, slug: str, csrf: Text = "") -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.SYNTHESISE)
        where = store_location(engine_of(request))
        job = jobs_of(request).submit(
            "outputs", member.store(engine_of(request)), actor=user.username, store=where
        )
        if wants_json(request):
            return JSONResponse(job_data(job), status_code=202)
        return RedirectResponse(f"/r/{slug}/outputs", status_code=303)

    @app.post("/r/{slug}/dedup-job")
    def dedup_job(request: Request, user: User, slug: str, csrf: Text = "") -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        where = store_location(engine_of(request))
        job = jobs_of(request).submit(
            "dedup", member.store(engine_of(request)), actor=user.username, store=where
        )
        if wants_json(request):
            return JSONResponse(job_data(job), status_code=202)
        return RedirectResponse(f"/r/{slug}/jobs/{job.id}", status_code=303)

    @app.get("/r/{slug}/outputs/all.zip")
    def built_zip(request: Request, user: User, slug: str) -> Response:
        """Every file of the last build in one download (what ``evidens outputs`` writes)."""
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        return download(_built(request, member.slug), f"{member.slug}-outputs.zip")

    @app.get("/r/{slug}/outputs/files/{name}")
    def built_file(request: Request, user: User, slug: str, name: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        archive = zipfile.ZipFile(io.BytesIO(_built(request, member.slug)))
        if name not in archive.namelist():  # a name from the list, never a path
            raise NotFoundError(f"no output named {name!r}")
        return download(archive.read(name), name)

    @app.get("/r/{slug}/exports/{name}")
    def on_request(request: Request, user: User, slug: str, name: str) -> Response:
        if name not in ON_REQUEST:
            raise NotFoundError(f"no export named {name!r}", hint=", ".join(ON_REQUEST))
        return download(_made_on_request(request, user.username, slug, name), name)
