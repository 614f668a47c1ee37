"""Screening aids: the searchable, filterable record list, "my decisions" and labels.

The list is open to every member ("view") and filters only on what the viewer may see
(:mod:`evidens.services.web.record_search`); "my decisions" is a screener's own list, each
decision linking back to its record on the screening page, where it can be changed until
the record is complete (then it is shown as locked: a resolver reopens it). Labels are put
on and taken off by screeners ("screen"); which labels a page shows is the services' rule
(:mod:`evidens.services.screening.labels`: one's own, everyone's once the record is final).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.core import Stage
from evidens.errors import NotFoundError, ValidationError
from evidens.services.review.permissions import Action, require
from evidens.services.screening import labels
from evidens.services.web import record_search
from evidens.services.web import views as web_views
from evidens.web.app import User, check_csrf, engine_of
from evidens.web.render import page, plain, wants_json

Text = Annotated[str, Form()]


def _stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise NotFoundError(f"no stage {value!r}", hint="use title_abstract or full_text") from None


def add_aids_routes(app: FastAPI) -> None:
    @app.get("/r/{slug}/records")
    @app.get("/r/{slug}/records.json")
    def record_list(
        request: Request,
        user: User,
        slug: str,
        q: str = "",
        stage: str = "title_abstract",
        status: str = "",
        decision: str = "",
        label: str = "",
        page_no: Annotated[int, Query(alias="page")] = 1,
    ) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        wanted = record_search.RecordFilter(q[:200], _stage(stage), status, decision, label)
        lines, total = record_search.search_records(
            member.store(engine_of(request)),
            wanted,
            max(page_no, 1),
            viewer=user.username,
            resolver=member.can(Action.RESOLVE),
        )
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "box": None,
            "filter": wanted,
            "page": max(page_no, 1),
            "total": total,
            "records": lines,
        }
        extra = {
            "page_size": web_views.PAGE_SIZE,
            "statuses": record_search.STATUSES,
            "label_suggestions": labels.suggestions(
                member.store(engine_of(request)), user.username
            ),
            "filters": urlencode(
                {
                    "q": wanted.text,
                    "stage": wanted.stage.value,
                    "status": status,
                    "decision": decision,
                    "label": wanted.label,
                }
            ),
        }
        return page(request, "records.html", data, extra=extra)

    @app.post("/r/{slug}/screen/{stage}/labels")
    def label_record(
        request: Request,
        user: User,
        slug: str,
        stage: str,
        record_id: Text = "",
        label: Text = "",
        remove: Text = "",
        back: Text = "",
        csrf: Text = "",
    ) -> Response:
        """Put a label on a record (or, with ``remove``, take one's own off); back to the
        record on the screening page, or to the record page (``back=record``)."""
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.SCREEN)
        at = _stage(stage)
        if not record_id.strip().isdigit():
            raise ValidationError(f"{record_id!r} is not a record id", field="record_id")
        rid = int(record_id)
        store = member.store(engine_of(request))
        changed = labels.label_record(store, rid, at, user.username, label, drop=bool(remove))
        if wants_json(request):
            shown = labels.card_labels(store, user.username, rid, at)
            done = "removed" if remove else "added"
            return JSONResponse(plain({"record_id": rid, done: changed, "labels": shown}))
        target = (
            f"/r/{slug}/record/{rid}"
            if back == "record"
            else f"/r/{slug}/screen/{stage}?record={rid}#labels"
        )
        return RedirectResponse(target, status_code=303)

    @app.get("/r/{slug}/mine/{stage}")
    @app.get("/r/{slug}/mine/{stage}.json")
    def my_decisions(
        request: Request,
        user: User,
        slug: str,
        stage: str,
        page_no: Annotated[int, Query(alias="page")] = 1,
    ) -> Response:
        member = require(engine_of(request), user.username, slug, Action.SCREEN)
        at = _stage(stage)
        store = member.store(engine_of(request))
        decisions, total = record_search.my_decisions(store, user.username, at, page_no)
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "stage": at,
            "decisions": decisions,
            "total": total,
            "page": max(page_no, 1),
            "page_size": web_views.PAGE_SIZE,
        }
        return page(request, "my_decisions.html", data)
