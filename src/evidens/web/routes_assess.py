"""Extraction in the browser: the review's form per study, each extractor's own answers
(blind to the other's until the study is agreed), the discrepancies field by field and
settling them. Risk of bias is in :mod:`evidens.web.routes_rob`, added from here.

Studies are addressed by their row id (a label may hold any character). Each route asks
:func:`require` first; each page has its JSON twin; every POST carries the CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.errors import ValidationError
from evidens.extraction import Value
from evidens.services.assessment.extraction_edit import save_extraction, settle_field
from evidens.services.review.permissions import Action, Membership, require
from evidens.services.web import assess as web_assess
from evidens.services.web.assess import AnswersRefusedError, FormData, StudyRef
from evidens.web.app import User, check_csrf, engine_of
from evidens.web.errors import error_body
from evidens.web.render import page, plain, wants_json

Text = Annotated[str, Form()]


async def posted_form(request: Request) -> dict[str, list[str]]:
    """Every text field of a posted form with all its values (several for a multi-choice);
    the body's size was bounded by the request guard before this reads it."""
    form = await request.form()
    found: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            found.setdefault(key, []).append(value)
    return found


Posted = Annotated[dict[str, list[str]], Depends(posted_form)]


def one(posted: FormData, name: str) -> str:
    return (posted.get(name) or [""])[0]


def review_of(member: Membership) -> dict[str, str]:
    return {"slug": member.slug, "title": member.title}


def member_study(
    request: Request, username: str, slug: str, study_id: int, action: Action
) -> tuple[Membership, StudyRef]:
    member = require(engine_of(request), username, slug, action)
    return member, web_assess.study(member.store(engine_of(request)), study_id)


def add_assess_routes(app: FastAPI) -> None:
    from evidens.web.routes_rob import add_rob_routes

    _add_overview(app)
    _add_extraction_form(app)
    _add_discrepancies(app)
    add_rob_routes(app)


def _add_overview(app: FastAPI) -> None:
    @app.get("/r/{slug}/extraction")
    @app.get("/r/{slug}/extraction.json")
    def extraction_overview(request: Request, user: User, slug: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        lines = web_assess.overview(member.store(engine_of(request)), user.username)
        data = {"review": review_of(member), "studies": lines}
        extra = {"member": member, "Action": Action}
        return page(request, "extraction.html", data, extra=extra)


def _form_page(
    request: Request,
    member: Membership,
    form_page: web_assess.ExtractionPage,
    *,
    answers: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    data = {
        "review": review_of(member),
        "study": form_page.study,
        "saved": form_page.saved,
        "answers": answers,
        "agreed": form_page.agreed,
        "form": {"name": form_page.form.name, "version": form_page.form.version},
    }
    extra = {
        "sections": form_page.form.sections,
        "outcomes": form_page.outcomes,
        "errors": errors,
        "csrf": request.state.user.csrf_token,
        "shown": web_assess.shown,
    }
    return page(request, "extraction_study.html", data, extra=extra, status=status)


def _add_extraction_form(app: FastAPI) -> None:
    @app.get("/r/{slug}/studies/{study_id}/extraction")
    @app.get("/r/{slug}/studies/{study_id}/extraction.json")
    def extraction_form(request: Request, user: User, slug: str, study_id: int) -> Response:
        member, ref = member_study(request, user.username, slug, study_id, Action.EXTRACT)
        found = web_assess.extraction_page(member.store(engine_of(request)), ref, user.username)
        answers = {k: web_assess.shown(v) for k, v in found.answers.items()}
        return _form_page(request, member, found, answers=answers, errors={})

    @app.post("/r/{slug}/studies/{study_id}/extraction")
    def save(request: Request, user: User, slug: str, study_id: int, posted: Posted) -> Response:
        check_csrf(request, user, one(posted, "csrf"))
        member, ref = member_study(request, user.username, slug, study_id, Action.EXTRACT)
        store = member.store(engine_of(request))
        found = web_assess.extraction_page(store, ref, user.username)
        try:
            extraction = web_assess.extraction_from_form(
                found.form, found.outcomes, ref.label, user.username, posted
            )
        except AnswersRefusedError as exc:
            if wants_json(request):
                body = error_body(400, exc.code, str(exc), exc.field)
                return JSONResponse({**body, "errors": exc.errors}, status_code=400)
            answers = {k: "; ".join(v) for k, v in posted.items()}
            return _form_page(
                request, member, found, answers=answers, errors=exc.errors, status=400
            )
        save_extraction(store, extraction, actor=user.username)
        if wants_json(request):
            return JSONResponse({"saved": plain(extraction)})
        return RedirectResponse(f"/r/{slug}/studies/{study_id}/extraction?saved=1", 303)


def _add_discrepancies(app: FastAPI) -> None:
    @app.get("/r/{slug}/studies/{study_id}/discrepancies")
    @app.get("/r/{slug}/studies/{study_id}/discrepancies.json")
    def discrepancies(request: Request, user: User, slug: str, study_id: int) -> Response:
        member, ref = member_study(request, user.username, slug, study_id, Action.RESOLVE)
        found = web_assess.discrepancy_page(member.store(engine_of(request)), ref)
        data: dict[str, Any] = {
            "review": review_of(member),
            "study": ref,
            "extractors": found.extractors,
            "report": found.report,
            "pending": found.pending,
            "agreed": found.agreed,
        }
        extra = {"csrf": user.csrf_token, "shown": web_assess.shown}
        return page(request, "extraction_discrepancies.html", data, extra=extra)

    @app.post("/r/{slug}/studies/{study_id}/settle")
    def settle(
        request: Request,
        user: User,
        slug: str,
        study_id: int,
        field: Text = "",
        settle_with: Text = "",
        value: Text = "",
        note: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member, ref = member_study(request, user.username, slug, study_id, Action.RESOLVE)
        take, typed = _settled_by(settle_with, value)
        agreed = settle_field(
            member.store(engine_of(request)),
            ref.label,
            field.strip(),
            take=take,
            value=typed,
            note=note[:5000],
            decided_by=user.username,
            actor=user.username,
        )
        if wants_json(request):
            return JSONResponse({"field": field, "agreed": plain(agreed)})
        return RedirectResponse(f"/r/{slug}/studies/{study_id}/discrepancies", 303)


def _settled_by(settle_with: str, value: str) -> tuple[str | None, Value | None]:
    """``take:NAME`` takes an extractor's answer, ``value`` the value typed, ``empty``
    leaves the field empty."""
    if settle_with.startswith("take:"):
        return settle_with.removeprefix("take:"), None
    if settle_with == "value":
        if not value.strip():
            raise ValidationError(
                "type the agreed value", field="value", hint="or take one extractor's answer"
            )
        return None, value.strip()[:5000]
    if settle_with == "empty":
        return None, None
    raise ValidationError(
        "choose how the field is settled",
        field="settle_with",
        hint="take an extractor's answer, type a value, or leave it empty",
    )
