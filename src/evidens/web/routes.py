"""The review pages: my reviews, dashboard, screening, conflicts, records per PRISMA box,
invitations. Each route first asks :func:`evidens.services.review.permissions.require` - the two
screening routes, asked for on every record, ask the same through
:mod:`evidens.services.web.access` (session and membership in one statement); each data
page answers JSON too (``.json`` suffix or ``Accept: application/json``).

Blinding is the services' job (:func:`decisions_visible_to`); these routes show only what
the record card carries, so no page, fragment or JSON shows another reviewer's open
decision.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import NotFoundError, ValidationError
from evidens.services.review import accounts
from evidens.services.review.permissions import Action, Membership, memberships, require
from evidens.services.screening.decisions import (
    CONFLICTS_PER_PAGE,
    conflicts_page,
    record_decision,
    record_resolution,
    reopen_record,
)
from evidens.services.screening.labels import card_labels
from evidens.services.screening.session import undo_last
from evidens.services.web import dashboard as web_dashboard
from evidens.services.web import queue as web_queue
from evidens.services.web import views as web_views
from evidens.services.web.order import Order
from evidens.services.web.record_page import abstracts, has_pdf
from evidens.web.app import Access, User, check_csrf, engine_of
from evidens.web.render import highlighted, page, plain, wants_json
from evidens.web.routes_dedup import add_dedup_routes
from evidens.web.routes_manage import add_manage_routes

Text = Annotated[str, Form()]


def _stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise NotFoundError(f"no stage {value!r}", hint="use title_abstract or full_text") from None


def _decision(value: str) -> Decision:
    try:
        return Decision(value)
    except ValueError:
        raise ValidationError(
            f"{value!r} is not a decision", field="decision", hint="use include, exclude or maybe"
        ) from None


def _record_id(value: str) -> int:
    if not value.strip().isdigit():
        raise ValidationError(f"{value!r} is not a record id", field="record_id")
    return int(value)


def _text(value: str) -> str | None:
    return value.strip()[:5000] or None


def _done(request: Request, target: str, data: dict[str, Any]) -> Response:
    """After a POST: the JSON result, or a redirect (303) for a browser."""
    if wants_json(request):
        return JSONResponse(data)
    return RedirectResponse(target, status_code=303)


def _member(request: Request, user: accounts.SignedIn, slug: str, action: Action) -> Membership:
    return require(engine_of(request), user.username, slug, action)


def screen_data(
    request: Request,
    member: Membership,
    stage: Stage,
    record: int | None,
    decision: ScreeningDecision | None = None,
    order: Order | None = None,
) -> dict[str, Any]:
    """The record card a reviewer sees (theirs to decide, or one they ask for by id), after
    recording ``decision`` in the same transaction."""
    store = member.store(engine_of(request))
    view = web_queue.screen_view(
        store, member.username, stage, record, decision=decision, order=order
    )
    card, shown = view.record, None
    if card is not None:  # one the queue chose still needs this reviewer: it is not final
        final = None if record is not None else False
        shown = card_labels(store, member.username, card.record_id, stage, final=final)
    return {
        "review": {"slug": member.slug, "title": member.title},
        "stage": stage,
        "progress": {"decided": view.decided, "total": view.total},
        "record": card,
        "labels": shown,
        "criteria": view.criteria,
        "order": order.value if order else "default",
        "placement": view.placement,
    }


def _order(value: str | None) -> Order | None:
    """The order a reviewer asked for (``rank`` or ``random``); anything else is the
    default (rank once there is a ranking, else random)."""
    try:
        return Order(value) if value else None
    except ValueError:
        return None


def add_review_routes(app: FastAPI) -> None:
    _add_overview(app)
    _add_screening(app)
    _add_conflicts(app)
    add_manage_routes(app)
    add_dedup_routes(app)


# Each data page is registered twice; the ".json" route (the decorator nearest the function)
# is registered first, so "/r/x.json" is never read as a review named "x.json".


def _add_overview(app: FastAPI) -> None:
    @app.get("/reviews.json")
    @app.get("/")
    def my_reviews(request: Request, user: User) -> Response:
        mine = memberships(engine_of(request), user.username)
        return page(request, "reviews.html", {"reviews": mine, "username": user.username})

    @app.get("/r/{slug}")
    @app.get("/r/{slug}.json")
    def dashboard(request: Request, user: User, slug: str) -> Response:
        member = _member(request, user, slug, Action.VIEW)
        store = member.store(engine_of(request))
        shown = web_dashboard.dashboard(store, lambda box: f"/r/{slug}/records/{box}")
        data = {
            "review": {"slug": member.slug, "title": member.title, "role": member.role},
            "progress": shown.progress,
            "activity": shown.activity,
            "agreement": shown.agreement,
            "pilot": shown.pilot,
        }
        extra = {
            "prisma": shown.prisma,
            "member": member,
            "Action": Action,
            "reviewers": _reviewer_table(shown.progress),
        }
        return page(request, "dashboard.html", data, extra=extra)

    @app.get("/r/{slug}/records/{box}")
    @app.get("/r/{slug}/records/{box}.json")
    def records(
        request: Request,
        user: User,
        slug: str,
        box: str,
        page_no: Annotated[int, Query(alias="page")] = 1,
    ) -> Response:
        member = _member(request, user, slug, Action.VIEW)
        if box not in web_views.BOXES:
            raise NotFoundError(f"no records list for {box!r}", hint="follow a PRISMA box link")
        store = member.store(engine_of(request))
        lines, total = web_views.records_in_box(
            store,
            box,
            max(page_no, 1),
            viewer=member.username,
            resolver=member.can(Action.RESOLVE),
        )
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "box": box,
            "page": max(page_no, 1),
            "total": total,
            "records": lines,
        }
        return page(request, "records.html", data, extra={"page_size": web_views.PAGE_SIZE})


def _reviewer_table(
    progress: list[web_views.StageProgress],
) -> list[tuple[str, list[int]]]:
    """Rows of (reviewer, decisions per stage) for the dashboard."""
    names = sorted({name for p in progress for name, _ in p.by_reviewer})
    return [(name, [dict(p.by_reviewer).get(name, 0) for p in progress]) for name in names]


def _add_screening(app: FastAPI) -> None:
    @app.get("/r/{slug}/screen/{stage}")
    @app.get("/r/{slug}/screen/{stage}.json")
    def screen(
        request: Request,
        who: Access,
        slug: str,
        stage: str,
        record: int | None = None,
        order: str | None = None,
    ) -> Response:
        member = who.require(slug, Action.SCREEN)
        data = screen_data(request, member, _stage(stage), record, order=_order(order))
        card = data["record"]
        extra: dict[str, Any] = {"csrf": who.user.csrf_token}
        if card is not None:
            extra["title_html"] = highlighted(card.title, card.spans, "title")
            extra["abstract_html"] = highlighted(card.abstract, card.spans, "abstract")
            own = next((d for d in card.visible if d.reviewer == member.username), None)
            extra["own_note"] = own.note if own else ""
            extra["can_reopen"] = member.can(Action.RESOLVE)
            extra["pdf"] = stage == "full_text" and has_pdf(
                member.store(engine_of(request)), card.record_id
            )
        return page(request, "screen.html", data, extra=extra)

    @app.post("/r/{slug}/screen/{stage}")
    def decide(
        request: Request,
        who: Access,
        slug: str,
        stage: str,
        record_id: Text = "",
        decision: Text = "",
        reason: Text = "",
        note: Text = "",
        order: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, who.user, csrf)
        member = who.require(slug, Action.SCREEN)
        at = _stage(stage)
        rid = _record_id(record_id)  # the service refuses records of another review (404)
        made = ScreeningDecision(
            rid,
            at,
            member.username,
            _decision(decision),
            reason.strip() or None,
            note.strip() or None,
        )
        if wants_json(request):
            data = _plain(screen_data(request, member, at, None, made, _order(order)))
            return JSONResponse({"recorded": rid, **data})
        record_decision(member.store(engine_of(request)), made)
        chosen = _order(order)
        target = f"/r/{slug}/screen/{stage}" + (f"?order={chosen.value}" if chosen else "")
        return RedirectResponse(target, status_code=303)

    @app.post("/r/{slug}/screen/{stage}/undo")
    def undo(request: Request, user: User, slug: str, stage: str, csrf: Text = "") -> Response:
        check_csrf(request, user, csrf)
        member = _member(request, user, slug, Action.SCREEN)
        at, store = _stage(stage), member.store(engine_of(request))
        latest = web_queue.latest_decision(store, user.username, at)
        undone = undo_last(store, user.username, at, [] if latest is None else [latest])
        target = f"/r/{slug}/screen/{stage}" + (f"?record={undone}" if undone else "")
        return _done(request, target, {"undone": undone})


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = plain(data)
    return result


def _add_conflicts(app: FastAPI) -> None:
    @app.get("/r/{slug}/conflicts/{stage}")
    @app.get("/r/{slug}/conflicts/{stage}.json")
    def conflict_list(
        request: Request,
        user: User,
        slug: str,
        stage: str,
        page_no: Annotated[int, Query(alias="page")] = 1,
    ) -> Response:
        member = _member(request, user, slug, Action.RESOLVE)
        at, store = _stage(stage), member.store(engine_of(request))
        # open pilot records are not conflicts yet
        found, total = conflicts_page(store, at, page_no)
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "stage": at,
            "conflicts": found,
            "total": total,
            "page": max(page_no, 1),
            "page_size": CONFLICTS_PER_PAGE,
            "abstracts": abstracts(store, [c.record_id for c in found]),
            "reasons": web_views.review_text(store).reasons,
        }
        return page(request, "conflicts.html", data, extra={"csrf": user.csrf_token})

    @app.post("/r/{slug}/conflicts/{stage}")
    def resolve(
        request: Request,
        user: User,
        slug: str,
        stage: str,
        record_id: Text = "",
        decision: Text = "",
        reason: Text = "",
        note: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = _member(request, user, slug, Action.RESOLVE)
        at, rid = _stage(stage), _record_id(record_id)
        store = member.store(engine_of(request))
        if not web_views.record_in_review(store, rid):
            raise NotFoundError(f"no record {rid} in this review")
        made = Resolution(
            rid,
            at,
            user.username,
            _decision(decision),
            reason.strip() or None,
            note.strip() or None,
        )
        record_resolution(store, made)
        return _done(request, f"/r/{slug}/conflicts/{stage}", {"resolved": rid})

    @app.post("/r/{slug}/screen/{stage}/reopen")
    def reopen(
        request: Request,
        user: User,
        slug: str,
        stage: str,
        record_id: Text = "",
        reason: Text = "",
        csrf: Text = "",
    ) -> Response:
        """A resolver sends a complete record back to its reviewers, with a reason."""
        check_csrf(request, user, csrf)
        member = _member(request, user, slug, Action.RESOLVE)
        at, rid = _stage(stage), _record_id(record_id)
        withdrawn = reopen_record(
            member.store(engine_of(request)), rid, at, reason=reason[:2000], resolver=user.username
        )
        target = f"/r/{slug}/screen/{stage}?record={rid}"
        return _done(request, target, {"reopened": rid, "withdrawn": withdrawn})
