"""Requests are judged before their bodies are read.

An ASGI middleware in front of every route: a body larger than the route's limit is
refused (413) from its ``Content-Length`` at once, or as soon as a streamed body passes the
limit; a POST to a review's pages is refused unless its sender is signed in and a member
of that review (401, or 404 as for a review that does not exist), and an upload unless
the member may upload there (403). So an anonymous or outside 120 MB upload costs the
server one database look-up and no disk. Routes still check the exact action themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evidens.services.review.permissions import Action
from evidens.services.web import access as web_access
from evidens.web.errors import error_body
from evidens.web.settings import ServerSettings

SESSION_COOKIE = "evidens_session"
REVIEW_POST = re.compile(r"^/r/([^/]+)/")
# uploads: the larger limit, and the action checked before the body is read
UPLOADS = (
    (re.compile(r"^/r/([^/]+)/imports$"), Action.IMPORT),
    (re.compile(r"^/r/([^/]+)/record/\d+/pdf$"), Action.SCREEN),  # a full text
)


class BodyTooLargeError(Exception):
    """A streamed body went past its limit."""


class RequestGuard:
    def __init__(
        self, app: ASGIApp, settings: ServerSettings, engine: Callable[[], Engine]
    ) -> None:
        self.app = app
        self.settings = settings
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        upload = next(((m, a) for p, a in UPLOADS if (m := p.match(path))), None)
        limit = self.settings.max_upload_bytes if upload else self.settings.max_form_bytes
        length = _content_length(scope)
        if length is not None and length > limit:
            await _refuse(send, 413, "too_large", _too_large(limit))
            return
        if scope["method"] == "POST" and (refusal := await self._who(scope, path, upload)):
            await _refuse(send, *refusal)
            return
        state = {"started": False, "over": False}

        async def guarded_send(message: Message) -> None:
            # a body cut off at the limit may surface in the app as a parse error (FastAPI
            # answers 400): whatever it answers, the client is told 413
            if state["over"]:
                if not state["started"]:
                    state["started"] = True
                    await _refuse(send, 413, "too_large", _too_large(limit))
                return
            state["started"] = state["started"] or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _counted(receive, limit, state), guarded_send)
        except BodyTooLargeError:
            if not state["started"]:
                await _refuse(send, 413, "too_large", _too_large(limit))

    async def _who(
        self, scope: Scope, path: str, upload: tuple[re.Match[str], Action] | None
    ) -> tuple[int, str, str] | None:
        """Why a POST to a review's pages is refused before its body, or ``None``."""
        found = REVIEW_POST.match(path)
        if found is None:
            return None
        slug = found.group(1)
        token = _cookies(scope).get(SESSION_COOKIE)
        access = await run_in_threadpool(web_access.access, self.engine(), token, slug)
        if access is None:
            return 401, "not_signed_in", "sign in first"
        if access.member is None:
            hint = "check the link, or ask for an invitation"
            return 404, "not_found", f"no review {slug!r} ({hint})"
        if upload is not None and not access.member.can(upload[1]):
            message = f"your role in this review ({access.member.role}) does not allow uploads"
            return 403, "permission_denied", message
        scope.setdefault("state", {})["access"] = access  # the route need not ask again
        return None


def _too_large(limit: int) -> str:
    return (
        f"the request is larger than this server accepts ({limit // 1024} KiB here); "
        "split the file, or import it with `evidens import`"
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def _counted(receive: Receive, limit: int, state: dict[str, bool]) -> Receive:
    """``receive`` that stops a body once more than ``limit`` bytes have come."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                state["over"] = True
                raise BodyTooLargeError()
        return message

    return counted


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(status, code, message)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
