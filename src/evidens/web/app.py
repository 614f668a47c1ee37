"""The FastAPI application: sign-in, the security rules every response follows, and the
error pages. Review pages live in :mod:`evidens.web.routes`.

Every state-changing request is a POST that carries the session's CSRF token (form field
``csrf`` or header ``X-CSRF-Token``); the login form, which has no session yet, uses a
double-submit cookie instead. Cookies are HttpOnly and SameSite=Lax, Secure over https.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from typing import Annotated

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evidens.errors import PermissionDeniedError, ReviewStateError
from evidens.services.review import accounts
from evidens.services.review.accounts import SignedIn
from evidens.services.web import access as web_access
from evidens.web.errors import NotSignedInError, add_error_handlers, status_of
from evidens.web.guard import SESSION_COOKIE, RequestGuard
from evidens.web.render import HERE, page, wants_json
from evidens.web.settings import ServerSettings, from_environment

LOGIN_COOKIE = "evidens_login"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SecurityHeaders:
    """Adds :data:`HEADERS` to every HTTP response (unless a route set its own), and a
    ``Server-Timing`` header with the time the server took to the answer's first byte (a
    browser's developer tools show it; ``benchmarks/web.py`` tells the server's time from
    its simulated users' own).

    A plain ASGI middleware: Starlette's ``@app.middleware("http")`` wraps each request in
    extra tasks and streams, which cost more than the whole "decide and get next" query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.raw if k not in present]
                took = 1000 * (time.perf_counter() - started)
                extra.append((b"server-timing", f"app;dur={took:.1f}".encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def client_address(request: Request) -> str:
    """The client's address: the peer's, or - when the peer is a proxy the deployment
    names in ``trusted_proxies`` - the nearest address in ``X-Forwarded-For`` that is not
    one of those proxies. A header from anyone else is ignored, so it cannot dodge the
    login limits."""
    peer = request.client.host if request.client else "unknown"
    trusted = settings_of(request).trusted_proxies
    if peer not in trusted:
        return peer
    chain = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",")]
    outside = [a for a in chain if a and a not in trusted]
    return outside[-1] if outside else peer


def current_user(request: Request) -> SignedIn:
    user = accounts.signed_in(engine_of(request), request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise NotSignedInError()
    request.state.user = user
    return user


User = Annotated[SignedIn, Depends(current_user)]


def current_access(request: Request, slug: str) -> web_access.Access:
    """The signed-in person and their membership of review ``slug`` in one look-up: for
    the pages asked for on every record (screening, "decide and get next"); a POST's was
    read already by :class:`~evidens.web.guard.RequestGuard`, before its body."""
    found: web_access.Access | None = getattr(request.state, "access", None)
    if found is None or (found.member is not None and found.member.slug != slug):
        found = web_access.access(engine_of(request), request.cookies.get(SESSION_COOKIE), slug)
    if found is None:
        raise NotSignedInError()
    request.state.user = found.user
    return found


Access = Annotated[web_access.Access, Depends(current_access)]


def check_csrf(request: Request, user: SignedIn, form_token: str) -> None:
    """Refuse a state-changing request whose token is not this session's."""
    given = form_token or request.headers.get("x-csrf-token", "")
    if not given or not hmac.compare_digest(given, user.csrf_token):
        raise PermissionDeniedError(
            "this form has expired or did not come from evidens (CSRF token missing or wrong)",
            hint="reload the page and try again",
        )


def _safe_next(target: str) -> str:
    """Only same-site paths (never ``//host`` or a scheme) after login."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _cookie(response: Response, request: Request, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _login_page(request: Request, target: str, error: str | None, status: int) -> Response:
    """The login form with a fresh double-submit token (and why the last try failed)."""
    token = secrets.token_urlsafe(24)
    response = page(
        request,
        "login.html",
        {"next": _safe_next(target)},
        extra={"login_csrf": token, "error": error},
        status=status,
    )
    _cookie(response, request, LOGIN_COOKIE, token, 3600)
    return response


def _add_auth_routes(app: FastAPI) -> None:
    @app.get("/login")
    def login_form(request: Request, next: str = "/") -> Response:
        return _login_page(request, next, None, 200)

    @app.post("/login")
    def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie, csrf):
            raise PermissionDeniedError(
                "the login form has expired (CSRF token missing or wrong)",
                hint="reload the login page and try again",
            )
        address = client_address(request)
        try:
            opened = accounts.authenticate(engine_of(request), username, password, address)
        except PermissionDeniedError as exc:
            if wants_json(request):
                raise
            return _login_page(request, next, str(exc), status_of(exc))
        if wants_json(request):
            response: Response = JSONResponse(
                {"username": opened.user.username, "csrf_token": opened.csrf_token}
            )
        else:
            response = RedirectResponse(_safe_next(next), status_code=303)
        _cookie(response, request, SESSION_COOKIE, opened.token, accounts.SESSION_DAYS * 86400)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @app.post("/logout")
    def logout(request: Request, user: User, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, user, csrf)
        accounts.logout(engine_of(request), request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.post("/logout-everywhere")
    def logout_everywhere(
        request: Request, user: User, csrf: Annotated[str, Form()] = ""
    ) -> Response:
        check_csrf(request, user, csrf)
        ended = accounts.logout_everywhere(engine_of(request), user.user_id)
        if wants_json(request):
            return JSONResponse({"sessions_ended": ended})
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


STORE_VARIABLE = "EVIDENS_SERVE_STORE"


def app_from_environment() -> FastAPI:
    """The app over the store named in ``$EVIDENS_SERVE_STORE``: how each of several uvicorn
    worker processes (``evidens serve --workers N``) builds its own app and engine."""
    from evidens.services.store import prepare_engine

    location = os.environ.get(STORE_VARIABLE)
    if not location:
        raise ReviewStateError(f"${STORE_VARIABLE} is not set", hint="start with `evidens serve`")
    return create_app(prepare_engine(location), from_environment())


def create_app(engine: Engine, settings: ServerSettings | None = None) -> FastAPI:
    """The web app over one store (SQLite file or PostgreSQL database) and its reviews."""
    from evidens.web.routes import add_review_routes
    from evidens.web.routes_assess import add_assess_routes
    from evidens.web.routes_fulltext import add_fulltext_routes
    from evidens.web.routes_team import add_team_routes

    app = FastAPI(title="evidens", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = engine
    app.state.settings = settings or ServerSettings()
    app.add_middleware(RequestGuard, settings=app.state.settings, engine=lambda: engine)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    add_error_handlers(app)
    _add_auth_routes(app)
    add_review_routes(app)
    from evidens.web.routes_synthesis import add_synthesis_routes  # analyses, GRADE, outputs

    add_synthesis_routes(app)
    add_fulltext_routes(app)
    add_team_routes(app)
    add_assess_routes(app)
    from evidens.web.routes_searches import add_searches_routes

    add_searches_routes(app)
    return app
