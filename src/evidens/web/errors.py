"""The one error body of the web app, and the handlers that give every failure it.

Every answer that is not a page - a JSON twin, a refused POST, an unknown address, a body
too large, a bug - carries ``{"error": {"status", "code", "message", "field"}}``: the HTTP
status, a stable code from the error hierarchy (:attr:`EvidensError.code`), one line saying
what is wrong and how to fix it, and the form field at fault where there is one. Browsers
get the same message on the error page; nobody sees a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from evidens.errors import (
    ConflictError,
    EvidensError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    ReviewStateError,
)
from evidens.services.review.accounts import LoginRateLimitedError
from evidens.web.render import page, wants_json

log = logging.getLogger("evidens.web")

STATUSES: tuple[tuple[type[EvidensError], int], ...] = (
    (LoginRateLimitedError, 429),
    (NotFoundError, 404),
    (PermissionDeniedError, 403),
    (InputError, 400),
    (ConflictError, 409),
    (ReviewStateError, 409),
)
HTTP_CODES = {
    401: "not_signed_in",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "internal_error",
}


class NotSignedInError(Exception):
    """No valid session: pages redirect to the login form, JSON answers 401."""


def status_of(exc: EvidensError) -> int:
    return next((code for kind, code in STATUSES if isinstance(exc, kind)), 400)


def error_body(status: int, code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The one JSON error body."""
    return {"error": {"status": status, "code": code, "message": message, "field": field}}


def error_response(
    request: Request, status: int, code: str, message: str, field: str | None = None
) -> Response:
    """The error as JSON (a JSON twin, or any request that is not a page view) or as the
    error page."""
    json_wanted = wants_json(request) or request.method not in ("GET", "HEAD")
    if json_wanted and not _browser_form(request):
        return JSONResponse(error_body(status, code, message, field), status_code=status)
    data = {"error": message, "status": status, "code": code, "field": field}
    return page(request, "error.html", data, status=status)


def _browser_form(request: Request) -> bool:
    """A form a browser posted (it shows the error page, not JSON)."""
    if wants_json(request):
        return False
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedInError)
    def not_signed_in(request: Request, exc: NotSignedInError) -> Response:
        if wants_json(request) or request.method != "GET":
            body = error_body(401, "not_signed_in", "sign in first")
            return JSONResponse(body, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(EvidensError)
    def evidens_error(request: Request, exc: EvidensError) -> Response:
        field = exc.field if isinstance(exc, InputError) else None
        return error_response(request, status_of(exc), exc.code, str(exc), field)

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        field = where[-1] if where else None
        message = f"{field or 'the request'}: {first.get('msg', 'is not valid')}"
        return error_response(request, 400, "invalid_input", message, field)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return error_response(request, exc.status_code, code, message)

    @app.exception_handler(Exception)
    def bug(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        message = "something went wrong on the server; nothing was changed"
        return error_response(request, 500, "internal_error", message)
