"""Team and data pages: invitations by link, importing search exports (per-file report) and
the owner's review setup (protocol, criteria, reasons, highlights, reviewers required).

Kept apart from the screening routes so each module stays small; the same rules apply:
:func:`require` first, CSRF on every POST, a JSON twin for every answer.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.core import Stage
from evidens.errors import ConfirmationNeededError, InputError, ValidationError
from evidens.services.identification import imports
from evidens.services.review import accounts
from evidens.services.review.permissions import Action, memberships, require
from evidens.services.web import queue as web_queue
from evidens.services.web import setup as web_setup
from evidens.web.app import User, check_csrf, engine_of, settings_of
from evidens.web.render import page, plain, wants_json
from evidens.web.routes_searches import import_job

Text = Annotated[str, Form()]


def _file_name(name: str | None) -> str:
    """The upload's own name without any path, for the import report."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    return base[:200] or "upload"


def add_manage_routes(app: FastAPI) -> None:
    _add_invitations(app)
    _add_imports(app)
    _add_setup(app)
    _add_pilot(app)


def _required(value: str, stage: Stage) -> int:
    if not value.strip().isdigit():
        raise ValidationError(
            f"{value!r} is not a number of reviewers", field=f"required_{stage.value}"
        )
    return int(value)


def _add_pilot(app: FastAPI) -> None:
    @app.post("/r/{slug}/pilot")
    def start_pilot(
        request: Request,
        user: User,
        slug: str,
        size: Text = "",
        reviewers: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.MANAGE)
        if not size.strip().isdigit():
            raise ValidationError(f"{size!r} is not a number of records", field="size")
        store = member.store(engine_of(request))
        # the pilot team: names separated by commas or lines; none given is everyone
        team = [n.strip() for n in reviewers.replace(",", "\n").splitlines() if n.strip()]
        sample = web_setup.start_pilot(
            store, int(size), actor=user.username, reviewers=team or None
        )
        if wants_json(request):
            return JSONResponse({"pilot": list(sample)})
        return RedirectResponse(f"/r/{slug}", status_code=303)


def _add_setup(app: FastAPI) -> None:
    @app.get("/r/{slug}/setup")
    @app.get("/r/{slug}/setup.json")
    def setup_form(request: Request, user: User, slug: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.MANAGE)
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "setup": web_setup.read_setup(member.store(engine_of(request))),
        }
        return page(request, "setup.html", data, extra={"csrf": user.csrf_token})

    @app.post("/r/{slug}/setup")
    def save_setup(
        request: Request,
        user: User,
        slug: str,
        question: Text = "",
        registration: Text = "",
        text: Text = "",
        inclusion: Text = "",
        exclusion: Text = "",
        reasons: Text = "",
        include_terms: Text = "",
        exclude_terms: Text = "",
        required_title_abstract: Text = "2",
        required_full_text: Text = "2",
        maybe_is_conflict: Text = "",
        confirm: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.MANAGE)
        setup = web_setup.Setup(
            question=question.strip(),
            registration=registration.strip(),
            text=text.strip(),
            inclusion_criteria=web_setup.lines(inclusion, "inclusion"),
            exclusion_criteria=web_setup.lines(exclusion, "exclusion"),
            exclusion_reasons=web_setup.lines(reasons, "reasons"),
            highlight_include=web_setup.lines(include_terms, "include_terms"),
            highlight_exclude=web_setup.lines(exclude_terms, "exclude_terms"),
            reviewers_required={
                Stage.TITLE_ABSTRACT.value: _required(
                    required_title_abstract, Stage.TITLE_ABSTRACT
                ),
                Stage.FULL_TEXT.value: _required(required_full_text, Stage.FULL_TEXT),
            },
            maybe_is_conflict=bool(maybe_is_conflict),
        )
        store = member.store(engine_of(request))
        try:
            web_setup.save_setup(store, setup, actor=user.username, confirm=bool(confirm))
        except ConfirmationNeededError as exc:
            if wants_json(request):
                raise
            # the form again, as typed, with what the change would do and a box to confirm
            data = {"review": {"slug": member.slug, "title": member.title}, "setup": setup}
            extra = {"csrf": user.csrf_token, "confirm_needed": exc.message}
            return page(request, "setup.html", data, extra=extra, status=409)
        if wants_json(request):
            return JSONResponse({"saved": plain(web_setup.read_setup(store))})
        return RedirectResponse(f"/r/{slug}/setup?saved=1", status_code=303)


def _add_imports(app: FastAPI) -> None:
    @app.post("/r/{slug}/imports")
    def import_export(
        request: Request,
        user: User,
        slug: str,
        file: Annotated[UploadFile, File()],
        source: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        if not source.strip():
            raise InputError(
                "name the database or register the file was exported from",
                field="source",
                hint="e.g. PubMed, Embase, CENTRAL",
            )
        limit = settings_of(request).max_upload_bytes
        data = file.file.read(limit + 1)
        if len(data) > limit:
            raise InputError(
                f"the file is larger than {limit // 1024} KiB",
                field="file",
                hint="split the export, or import it with `evidens import`",
            )
        if len(data) > settings_of(request).import_job_bytes:  # a large file: as a job
            return import_job(request, member, data, _file_name(file.filename), source)
        outcome = imports.import_upload(
            member.store(engine_of(request)),
            data,
            name=_file_name(file.filename),
            source=source.strip()[:200],
            actor=user.username,
        )
        web_queue.forget(member.store(engine_of(request)))  # new records to count and order
        result = {
            "review": {"slug": slug, "title": member.title},
            "source": outcome.source,
            "report": outcome.report,
        }
        if wants_json(request):
            return JSONResponse(plain(result))
        return page(request, "imported.html", result)


def _add_invitations(app: FastAPI) -> None:
    @app.post("/r/{slug}/invitations")
    def invite(
        request: Request, user: User, slug: str, role: Text = "reviewer", csrf: Text = ""
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.MANAGE)
        token = accounts.create_invitation(
            member.store(engine_of(request)), role, actor=user.username
        )
        link = settings_of(request).link(f"/invite/{token}")  # never from the Host header
        data = {"link": link, "role": role, "review": {"slug": slug, "title": member.title}}
        if wants_json(request):
            return JSONResponse(data)
        return page(request, "invited.html", data)

    @app.get("/invite/{token}", name="invitation")
    def invitation(request: Request, user: User, token: str) -> Response:
        offered = accounts.invitation(engine_of(request), token)  # unknown, used, expired: 404
        data = {"invitation": offered}
        return page(request, "invite.html", data, extra={"csrf": user.csrf_token, "token": token})

    @app.post("/invite/{token}")
    def accept(request: Request, user: User, token: str, csrf: Text = "") -> Response:
        check_csrf(request, user, csrf)
        review_id = accounts.accept_invitation(engine_of(request), token, user)
        found = memberships(engine_of(request), user.username)
        slug = next((m.slug for m in found if m.review_id == review_id), "")
        if wants_json(request):
            return JSONResponse({"review": slug})
        return RedirectResponse(f"/r/{slug}", status_code=303)
