"""The de-duplication review queue: uncertain pairs side by side with their differences
marked (registry ids among the fields), a verdict (merge or keep apart) that re-runs
de-duplication, and a de-duplication run of its own - after an upload, so new records are
not screened twice.

Open to members who may import (owners, and those with the "can import" permission):
merging decides which records are screened, so it belongs with bringing records in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.errors import ValidationError
from evidens.services.identification import dedup
from evidens.services.review.permissions import Action, require
from evidens.services.web import queue as web_queue
from evidens.services.web import setup as web_setup
from evidens.services.web import views as web_views
from evidens.web.app import User, check_csrf, engine_of
from evidens.web.render import page, plain, wants_json

Text = Annotated[str, Form()]
VERDICTS = {"same": True, "different": False}


def _id(value: str, field: str) -> int:
    if not value.strip().isdigit():
        raise ValidationError(f"{value!r} is not a record id", field=field)
    return int(value)


def add_dedup_routes(app: FastAPI) -> None:
    @app.get("/r/{slug}/duplicates")
    @app.get("/r/{slug}/duplicates.json")
    def duplicates(
        request: Request,
        user: User,
        slug: str,
        removed: int | None = None,
        uncertain: int | None = None,
    ) -> Response:
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        pairs, waiting = web_views.duplicate_queue(member.store(engine_of(request)))
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "waiting": waiting,
            "pairs": pairs,
        }
        ran = None if removed is None else {"removed": removed, "uncertain": uncertain or 0}
        extra = {"csrf": user.csrf_token, "ran": ran}
        return page(request, "duplicates.html", data, extra=extra)

    @app.post("/r/{slug}/duplicates")
    def judge(
        request: Request,
        user: User,
        slug: str,
        record_a: Text = "",
        record_b: Text = "",
        verdict: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        if verdict not in VERDICTS:
            raise ValidationError(
                f"{verdict!r} is not a verdict", field="verdict", hint="use same or different"
            )
        a, b = _id(record_a, "record_a"), _id(record_b, "record_b")
        summary = web_setup.judge_pair(
            member.store(engine_of(request)), a, b, same=VERDICTS[verdict], actor=user.username
        )
        if wants_json(request):
            return JSONResponse({"pair": [a, b], "verdict": verdict, "summary": plain(summary)})
        return RedirectResponse(f"/r/{slug}/duplicates", status_code=303)

    @app.post("/r/{slug}/duplicates/run")
    def run(request: Request, user: User, slug: str, csrf: Text = "") -> Response:
        """De-duplicate every record of the review again (people's verdicts are kept)."""
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.IMPORT)
        store = member.store(engine_of(request))
        summary = dedup.deduplicate(store, actor=user.username)
        web_queue.forget(store)  # fewer records to screen: recount and reorder
        if wants_json(request):
            return JSONResponse({"summary": plain(summary)})
        target = f"/r/{slug}/duplicates?removed={summary.duplicates_removed}"
        return RedirectResponse(f"{target}&uncertain={summary.uncertain_pairs}", status_code=303)
