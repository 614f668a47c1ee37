"""Full texts and studies: the record page (abstract and, once attached, its PDF beside it;
retrieval and the full-text decision), the PDF itself, the list of reports sought, and
linking reports to studies. The screening aids' pages are in :mod:`evidens.web.routes_aids`.

A PDF is named by its record (``/r/<review>/record/<id>/pdf``), never by a file path, and
served only to the review's members. Uploads are judged by
:class:`~evidens.web.guard.RequestGuard` before their bodies are read (size, membership,
the right to screen) and by :func:`evidens.services.screening.fulltext.check_pdf` by their
content, never their name. Reading needs "view"; attaching, saying a report could not be
retrieved and linking reports to studies need "screen", as screening the full text does.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.errors import ValidationError
from evidens.services.review.permissions import Action, Membership, require
from evidens.services.screening import fulltext, labels, studies
from evidens.services.web import record_page as pages
from evidens.services.web import views as web_views
from evidens.services.web.views import PAGE_SIZE
from evidens.web.app import User, check_csrf, engine_of
from evidens.web.render import page, plain, wants_json
from evidens.web.routes_aids import add_aids_routes

Text = Annotated[str, Form()]
PDF_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # framed by the review's own pages only, and nothing in it may load anything
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "private, no-store",
}


def _record_id(value: str, field: str = "record_id") -> int:
    if not value.strip().isdigit():
        raise ValidationError(f"{value!r} is not a record id", field=field)
    return int(value)


def _member(request: Request, user: Any, slug: str, action: Action) -> Membership:
    return require(engine_of(request), user.username, slug, action)


def _done(request: Request, target: str, data: dict[str, Any]) -> Response:
    if wants_json(request):
        return JSONResponse(plain(data))
    return RedirectResponse(target, status_code=303)


def disposition(name: str) -> str:
    """``inline`` with the file's cleaned name: an ASCII fallback and the UTF-8 original
    (RFC 6266), so no quote, folder or line break of an uploaded name reaches the header."""
    shown = fulltext.safe_name(name)
    ascii_name = shown.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(shown, safe='')}"


def add_fulltext_routes(app: FastAPI) -> None:
    _add_record(app)
    _add_pdf(app)
    _add_studies(app)
    add_aids_routes(app)


def _add_record(app: FastAPI) -> None:
    @app.get("/r/{slug}/record/{record_id}")
    @app.get("/r/{slug}/record/{record_id}.json")
    def record(request: Request, user: User, slug: str, record_id: int) -> Response:
        member = _member(request, user, slug, Action.VIEW)
        store = member.store(engine_of(request))
        shown = pages.record_page(
            store, record_id, viewer=user.username, resolver=member.can(Action.RESOLVE)
        )
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "record": shown,
            "labels": labels.visible_labels(store, user.username, record_id),
        }
        extra = {
            "csrf": user.csrf_token,
            "can_screen": member.can(Action.SCREEN),
            "username": user.username,
            "reasons": web_views.review_text(store).reasons,
        }
        return page(request, "fulltext_record.html", data, extra=extra)

    @app.get("/r/{slug}/fulltexts")
    @app.get("/r/{slug}/fulltexts.json")
    def reports_sought(
        request: Request,
        user: User,
        slug: str,
        page_no: Annotated[int, Query(alias="page")] = 1,
    ) -> Response:
        member = _member(request, user, slug, Action.VIEW)
        store = member.store(engine_of(request))
        reports, total = fulltext.retrievals_page(store, page_no, PAGE_SIZE)
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "reports": reports,
            "total": total,
            "page": max(page_no, 1),
            "page_size": PAGE_SIZE,
        }
        return page(request, "fulltext.html", data)


def _add_pdf(app: FastAPI) -> None:
    @app.get("/r/{slug}/record/{record_id}/pdf")
    def read_pdf(request: Request, user: User, slug: str, record_id: int) -> Response:
        member = _member(request, user, slug, Action.VIEW)
        found = fulltext.full_text(member.store(engine_of(request)), record_id, actor=user.username)
        headers = {**PDF_HEADERS, "Content-Disposition": disposition(found.name)}
        return Response(found.content, media_type=fulltext.PDF, headers=headers)

    @app.post("/r/{slug}/record/{record_id}/pdf")
    def attach(
        request: Request,
        user: User,
        slug: str,
        record_id: int,
        file: Annotated[UploadFile | None, File()] = None,
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = _member(request, user, slug, Action.SCREEN)
        if file is None or not file.filename:
            raise ValidationError("choose the PDF to attach", field="file")
        data = file.file.read(fulltext.MAX_PDF_BYTES + 1)  # check_pdf refuses one byte more
        digest = fulltext.attach_pdf(
            member.store(engine_of(request)),
            record_id,
            data,
            name=file.filename,
            actor=user.username,
        )
        target = f"/r/{slug}/record/{record_id}"
        return _done(request, target, {"attached": record_id, "sha256": digest})

    @app.post("/r/{slug}/record/{record_id}/not-retrieved")
    def not_retrieved(
        request: Request, user: User, slug: str, record_id: int, reason: Text = "", csrf: Text = ""
    ) -> Response:
        check_csrf(request, user, csrf)
        member = _member(request, user, slug, Action.SCREEN)
        fulltext.not_retrieved(
            member.store(engine_of(request)), record_id, reason=reason, actor=user.username
        )
        target = f"/r/{slug}/record/{record_id}"
        return _done(request, target, {"not_retrieved": record_id, "reason": reason.strip()})


def _add_studies(app: FastAPI) -> None:
    @app.get("/r/{slug}/studies")
    @app.get("/r/{slug}/studies.json")
    def study_list(
        request: Request,
        user: User,
        slug: str,
        page_no: Annotated[int, Query(alias="page")] = 1,
    ) -> Response:
        member = _member(request, user, slug, Action.VIEW)
        store = member.store(engine_of(request))
        records, total = pages.report_candidates(store, page_no)
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "studies": studies.list_studies(store),
            "records": records,
            "total": total,
            "page": max(page_no, 1),
            "page_size": PAGE_SIZE,
        }
        extra = {"csrf": user.csrf_token, "can_screen": member.can(Action.SCREEN)}
        return page(request, "studies.html", data, extra=extra)

    @app.post("/r/{slug}/studies")
    def create(
        request: Request,
        user: User,
        slug: str,
        label: Text = "",
        design: Text = "",
        csrf: Text = "",
    ) -> Response:
        """A new study with no reports yet (each report is linked on its own)."""
        check_csrf(request, user, csrf)
        member = _member(request, user, slug, Action.SCREEN)
        store = member.store(engine_of(request))
        studies.create_study(store, label, design=design[:100], actor=user.username)
        return _done(request, f"/r/{slug}/studies", {"created": label.strip()})

    @app.post("/r/{slug}/studies/link")
    def link(
        request: Request,
        user: User,
        slug: str,
        record_id: Text = "",
        label: Text = "",
        action: Text = "link",
        csrf: Text = "",
    ) -> Response:
        """Link a report to a study, move it to another, or unlink it (``action``)."""
        check_csrf(request, user, csrf)
        member = _member(request, user, slug, Action.SCREEN)
        store, rid = member.store(engine_of(request)), _record_id(record_id)
        if action == "unlink":
            left = studies.unlink_report(store, rid, actor=user.username)
            result: dict[str, Any] = {"unlinked": rid, "study": left}
        elif action == "move":
            left = studies.move_report(store, rid, label.strip(), actor=user.username)
            result = {"moved": rid, "from": left, "to": label.strip()}
        elif action == "link":
            studies.link_report(store, label.strip(), rid, actor=user.username)
            result = {"linked": rid, "study": label.strip()}
        else:
            raise ValidationError(
                f"{action!r} is not an action", field="action", hint="use link, move or unlink"
            )
        return _done(request, f"/r/{slug}/studies", result)
