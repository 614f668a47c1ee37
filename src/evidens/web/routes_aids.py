"""Screening aids: the searchable, filterable record list and "my decisions".

The list is open to every member ("view") and filters only on what the viewer may see
(:mod:`evidens.services.web.record_search`); "my decisions" is a screener's own list, each
decision linking back to its record on the screening page, where it can be changed until
the record is complete (then it is shown as locked: a resolver reopens it).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from evidens.core import Stage
from evidens.errors import NotFoundError
from evidens.services.review.permissions import Action, require
from evidens.services.web import record_search
from evidens.services.web import views as web_views
from evidens.web.app import User, engine_of
from evidens.web.render import page


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
        page_no: Annotated[int, Query(alias="page")] = 1,
    ) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        wanted = record_search.RecordFilter(q[:200], _stage(stage), status, decision)
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
            "filters": urlencode(
                {
                    "q": wanted.text,
                    "stage": wanted.stage.value,
                    "status": status,
                    "decision": decision,
                }
            ),
        }
        return page(request, "records.html", data, extra=extra)

    @app.get("/r/{slug}/mine/{stage}")
    @app.get("/r/{slug}/mine/{stage}.json")
    def my_decisions(request: Request, user: User, slug: str, stage: str) -> Response:
        member = require(engine_of(request), user.username, slug, Action.SCREEN)
        at = _stage(stage)
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "stage": at,
            "decisions": record_search.my_decisions(
                member.store(engine_of(request)), user.username, at
            ),
        }
        return page(request, "my_decisions.html", data)
