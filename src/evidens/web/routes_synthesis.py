"""Synthesis and certainty in the browser: define analyses (presets "metafor" and "RevMan 5"),
see each one's forest and funnel plots, and grade each outcome with the suggestions and
their inputs beside the judgments; the Summary of Findings shown and downloadable.

Members who may view see everything here; defining analyses and judging GRADE domains needs
:attr:`Action.SYNTHESISE`. The same rules as every page: :func:`require` first, CSRF on
every POST, a JSON twin for every answer.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.errors import ValidationError
from evidens.services.review.permissions import Action, require
from evidens.services.web import synthesis as web_synthesis
from evidens.web.app import User, check_csrf, engine_of
from evidens.web.render import page, plain, wants_json

Text = Annotated[str, Form()]
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
IMPORTANCE = ("critical", "important", "not important")
RATINGS = ("not serious", "serious", "very serious")
MEDIA = {
    ".svg": "image/svg+xml",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".ris": "application/x-research-info-systems",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".zip": "application/zip",
}


def download(data: bytes, name: str, *, inline: bool = False) -> Response:
    """File bytes with their type and a Content-Disposition naming them (``name`` is always
    one evidens chose or checked against a list, never a path from the request)."""
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    how = "inline" if inline else "attachment"
    shown = re.sub(r"[^A-Za-z0-9._-]", "_", name)  # a header value no name can break
    headers = {"Content-Disposition": f'{how}; filename="{shown}"'}
    if suffix in (".html", ".svg"):  # shown from our origin: no script may run in it
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return Response(data, media_type=MEDIA.get(suffix, "application/octet-stream"), headers=headers)


POOLING = ("IV", "MH", "PETO")


def _spec(
    name: str, outcome: str, measure: str, preset: str, labels: str, pooling: str = ""
) -> dict[str, Any]:
    if not NAME.fullmatch(name.strip()):
        raise ValidationError(
            f"{name.strip()[:80]!r} cannot name an analysis",
            field="name",
            hint="letters, digits, '.', '_' and '-' (it names figure files), e.g. spasm-free-rr",
        )
    if preset not in web_synthesis.PRESET_NAMES:
        raise ValidationError(
            f"{preset!r} is not a preset", field="preset", hint="use metafor or revman"
        )
    spec: dict[str, Any] = {
        "name": name.strip(),
        "outcome": outcome.strip(),
        "measure": measure.strip() or "RR",
        "preset": web_synthesis.PRESET_NAMES[preset],
    }
    if pooling.strip():  # blank: the preset's (metafor: inverse variance; RevMan 5: MH)
        if pooling.strip().upper() not in POOLING:
            raise ValidationError(
                f"{pooling.strip()[:20]!r} is not a pooling method",
                field="pooling",
                hint="IV, MH or PETO (or leave it to the preset)",
            )
        spec["pooling"] = pooling.strip().upper()
    given = [part.strip() for part in labels.split("|") if part.strip()]
    if given:
        if len(given) != 2:
            raise ValidationError(
                "give two labels separated by |",
                field="labels",
                hint="e.g. Favours control | Favours diet",
            )
        spec["labels"] = given
    return spec


def add_synthesis_routes(app: FastAPI) -> None:
    """The synthesis and GRADE pages, and (through them) the outputs page and the jobs."""
    from evidens.web.jobs import add_job_routes
    from evidens.web.routes_outputs import add_outputs_routes

    _add_analyses(app)
    _add_grade(app)
    add_outputs_routes(app)
    add_job_routes(app)


def _add_analyses(app: FastAPI) -> None:
    @app.get("/r/{slug}/analyses")
    @app.get("/r/{slug}/analyses.json")
    def analyses(request: Request, user: User, slug: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        view = web_synthesis.analyses_view(member.store(engine_of(request)))
        data = {"review": {"slug": member.slug, "title": member.title}, **view}
        extra = {"csrf": user.csrf_token, "may_change": member.can(Action.SYNTHESISE)}
        return page(request, "analyses.html", data, extra=extra)

    @app.post("/r/{slug}/analyses")
    def define(
        request: Request,
        user: User,
        slug: str,
        name: Text = "",
        outcome: Text = "",
        measure: Text = "RR",
        preset: Text = "metafor",
        labels: Text = "",
        pooling: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.SYNTHESISE)
        spec = _spec(name, outcome, measure, preset, labels, pooling)
        web_synthesis.define_analysis(member.store(engine_of(request)), spec, actor=user.username)
        if wants_json(request):
            return JSONResponse({"defined": plain(spec)})
        return RedirectResponse(f"/r/{slug}/analyses", status_code=303)

    @app.post("/r/{slug}/analyses/remove")
    def remove(
        request: Request, user: User, slug: str, name: Text = "", csrf: Text = ""
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.SYNTHESISE)
        web_synthesis.remove_analysis(member.store(engine_of(request)), name, actor=user.username)
        if wants_json(request):
            return JSONResponse({"removed": name})
        return RedirectResponse(f"/r/{slug}/analyses", status_code=303)

    @app.get("/r/{slug}/analyses/{name}/{figure}.svg")
    def figure(request: Request, user: User, slug: str, name: str, figure: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        data = web_synthesis.analysis_figure(member.store(engine_of(request)), name, figure)
        return download(data, f"{figure}.svg", inline=True)


def _add_grade(app: FastAPI) -> None:
    @app.get("/r/{slug}/grade")
    @app.get("/r/{slug}/grade.json")
    def grade(request: Request, user: User, slug: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        view = web_synthesis.grade_view(member.store(engine_of(request)))
        data = {"review": {"slug": member.slug, "title": member.title}, **view}
        extra = {"csrf": user.csrf_token, "may_change": member.can(Action.SYNTHESISE)}
        return page(request, "grade.html", data, extra=extra)

    @app.post("/r/{slug}/grade")
    def judge(
        request: Request,
        user: User,
        slug: str,
        outcome: Text = "",
        domain: Text = "",
        rating: Text = "",
        reason: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.SYNTHESISE)
        if not rating.strip():
            raise ValidationError(
                "choose a rating", field="rating", hint="or accept the suggestion"
            )
        store = member.store(engine_of(request))
        web_synthesis.judge(
            store, outcome, domain, rating.strip(), reason.strip()[:2000], actor=user.username
        )
        if wants_json(request):
            return JSONResponse(plain(web_synthesis.grade_view(store)))
        return RedirectResponse(f"/r/{slug}/grade", status_code=303)

    @app.post("/r/{slug}/grade/outcomes")
    def grade_outcome(
        request: Request,
        user: User,
        slug: str,
        analysis: Text = "",
        name: Text = "",
        importance: Text = "critical",
        indirectness: Text = "",
        reason: Text = "",
        kind: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.SYNTHESISE)
        if importance not in IMPORTANCE:
            raise ValidationError(f"{importance!r} is not an importance", field="importance")
        if indirectness not in RATINGS:
            raise ValidationError(
                "judge indirectness", field="indirectness", hint=", ".join(RATINGS)
            )
        store = member.store(engine_of(request))
        web_synthesis.add_grade_outcome(
            store,
            analysis,
            name=name.strip()[:200],
            importance=importance,
            indirectness=indirectness,
            reason=reason.strip()[:2000],
            actor=user.username,
            kind=kind.strip(),
        )
        if wants_json(request):
            return JSONResponse(plain(web_synthesis.grade_view(store)))
        return RedirectResponse(f"/r/{slug}/grade", status_code=303)

    _add_grade_text(app)

    @app.get("/r/{slug}/grade/{name}")
    def sof(request: Request, user: User, slug: str, name: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        data = web_synthesis.sof_file(member.store(engine_of(request)), name)
        return download(data, name, inline=name.endswith(".html"))


def _add_grade_text(app: FastAPI) -> None:
    """The Summary of Findings header and each outcome's follow-up, comment and notes."""

    @app.post("/r/{slug}/grade/header")
    async def grade_header(request: Request, user: User, slug: str) -> Response:
        form = await request.form()
        given = {k: v for k, v in form.items() if isinstance(v, str)}
        check_csrf(request, user, given.get("csrf", ""))
        member = require(engine_of(request), user.username, slug, Action.SYNTHESISE)
        store = member.store(engine_of(request))
        web_synthesis.set_header(store, given, given.get("per", ""), actor=user.username)
        if wants_json(request):
            return JSONResponse(plain(web_synthesis.grade_view(store)))
        return RedirectResponse(f"/r/{slug}/grade", status_code=303)

    @app.post("/r/{slug}/grade/details")
    def grade_details(
        request: Request,
        user: User,
        slug: str,
        outcome: Text = "",
        follow_up: Text = "",
        comment: Text = "",
        notes: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.SYNTHESISE)
        store = member.store(engine_of(request))
        web_synthesis.set_details(
            store, outcome, follow_up=follow_up, comment=comment, notes=notes, actor=user.username
        )
        if wants_json(request):
            return JSONResponse(plain(web_synthesis.grade_view(store)))
        return RedirectResponse(f"/r/{slug}/grade", status_code=303)
