"""Starting a review and running its team from the browser: the "new review" form, the team
page (roles, permissions, removal, invitations, password-reset links, a living review's
next round), one's own password, and the audit page.

The same rules as every route module: :func:`require` first, CSRF on every POST by a
signed-in person, a JSON twin for every answer. The password-reset form is the one form
used signed out; its link's token is the secret, so a forged cross-site post would need
the token it would be forging for.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from evidens.errors import EvidensError, InputError, PermissionDeniedError, ValidationError
from evidens.services.review import accounts, members, rounds
from evidens.services.review.permissions import PERMISSION_ACTIONS, ROLE_ACTIONS, Action, require
from evidens.services.web import team as web_team
from evidens.web.app import User, check_csrf, engine_of, settings_of
from evidens.web.render import page, plain, wants_json

Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
OUTCOME_ROWS = 6


def add_team_routes(app: FastAPI) -> None:
    _add_new_review(app)
    _add_team(app)
    _add_members(app)
    _add_account(app)
    _add_audit(app)


def _done(request: Request, target: str, data: dict[str, Any]) -> Response:
    if wants_json(request):
        return JSONResponse(plain(data))
    return RedirectResponse(target, status_code=303)


def _new_review_page(
    request: Request, user: accounts.SignedIn, form: web_team.NewReview, errors: dict[str, str]
) -> Response:
    rows = list(form.outcomes) + [("", "primary", "critical")] * OUTCOME_ROWS
    data = {"roles": web_team.ROLES, "importance": web_team.IMPORTANCE}
    extra = {"csrf": user.csrf_token, "form": form, "errors": errors, "rows": rows[:OUTCOME_ROWS]}
    return page(request, "new_review.html", data, extra=extra, status=400 if errors else 200)


def _add_new_review(app: FastAPI) -> None:
    @app.get("/reviews/new.json")
    @app.get("/reviews/new")
    def new_review_form(request: Request, user: User) -> Response:
        return _new_review_page(request, user, web_team.NewReview(), {})

    @app.post("/reviews")
    def new_review(
        request: Request,
        user: User,
        title: Text = "",
        slug: Text = "",
        question: Text = "",
        population: Text = "",
        intervention: Text = "",
        comparator: Text = "",
        pico_outcomes: Text = "",
        inclusion: Text = "",
        exclusion: Text = "",
        outcome_name: Texts = [],  # noqa: B006 - FastAPI reads the default, never mutates it
        outcome_role: Texts = [],  # noqa: B006
        outcome_importance: Texts = [],  # noqa: B006
        registration: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        outcomes = web_team.outcome_rows(outcome_name, outcome_role, outcome_importance)
        form = web_team.NewReview(
            title,
            slug.strip(),
            question,
            population,
            intervention,
            comparator,
            pico_outcomes,
            inclusion,
            exclusion,
            outcomes,
            registration,
        )
        protocol, errors = web_team.protocol_of(form)
        created = None
        try:
            if form.slug:
                members.check_slug(form.slug)
            if not errors:
                created = members.start_review(
                    engine_of(request),
                    title=protocol.title,
                    slug=form.slug,
                    protocol=web_team.protocol_json(protocol),
                    owner=user.username,
                )
        except EvidensError as exc:
            errors.setdefault(
                exc.field if isinstance(exc, InputError) and exc.field else "slug", str(exc)
            )
        if created is None:
            if wants_json(request):
                field, message = next(iter(errors.items()))
                raise ValidationError(message, field=field)
            return _new_review_page(request, user, form, errors)
        data = {"review": {"slug": created.slug, "title": protocol.title}}
        return _done(request, f"/r/{created.slug}/team", data)


def _team_data(request: Request, user: accounts.SignedIn, slug: str) -> dict[str, Any]:
    member = require(engine_of(request), user.username, slug, Action.VIEW)
    store = member.store(engine_of(request))
    manager = member.can(Action.MANAGE)
    return {
        "review": {"slug": member.slug, "title": member.title, "role": member.role},
        "members": members.team(store),
        "invitations": members.pending_invitations(store) if manager else [],
        "rounds": rounds.rounds(store),
        "manage": manager,
    }


def _team_page(
    request: Request, user: accounts.SignedIn, slug: str, notice: dict[str, str] | None = None
) -> Response:
    data = _team_data(request, user, slug)
    extra = {
        "csrf": user.csrf_token,
        "roles": tuple(ROLE_ACTIONS),
        "permissions": tuple(PERMISSION_ACTIONS),
        "notice": notice or {},
    }
    if notice and wants_json(request):
        data = {**data, **notice}
    return page(request, "team.html", data, extra=extra)


def _add_team(app: FastAPI) -> None:
    @app.get("/r/{slug}/team.json")
    @app.get("/r/{slug}/team")
    def team_page(request: Request, user: User, slug: str) -> Response:
        return _team_page(request, user, slug)

    @app.post("/r/{slug}/rounds")
    def start_round(
        request: Request,
        user: User,
        slug: str,
        label: Text = "",
        searched_from: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.MANAGE)
        since = web_team.day(searched_from, "searched_from")
        number = rounds.start_round(
            member.store(engine_of(request)), label, actor=user.username, searched_from=since
        )
        return _done(request, f"/r/{slug}/team#rounds", {"round": number, "label": label.strip()})


def _add_members(app: FastAPI) -> None:
    @app.post("/r/{slug}/team/role")
    def change_role(
        request: Request,
        user: User,
        slug: str,
        name: Text = "",
        role: Text = "",
        permission: Texts = [],  # noqa: B006 - FastAPI reads the default, never mutates it
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.MANAGE)
        store = member.store(engine_of(request))
        changed = members.set_member(store, name, role, tuple(permission), actor=user.username)
        return _done(request, f"/r/{slug}/team", {"member": changed})

    @app.post("/r/{slug}/team/remove")
    def remove(
        request: Request, user: User, slug: str, name: Text = "", csrf: Text = ""
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.MANAGE)
        members.remove_member(member.store(engine_of(request)), name, actor=user.username)
        return _done(request, f"/r/{slug}/team", {"removed": name})

    @app.post("/r/{slug}/team/reset")
    def reset_link(
        request: Request, user: User, slug: str, name: Text = "", csrf: Text = ""
    ) -> Response:
        check_csrf(request, user, csrf)
        member = require(engine_of(request), user.username, slug, Action.MANAGE)
        token = members.create_password_reset(
            member.store(engine_of(request)), name, actor=user.username
        )
        link = settings_of(request).link(f"/reset/{token}")  # never from the Host header
        return _team_page(request, user, slug, {"reset_for": name, "reset_link": link})


def _account_page(
    request: Request, user: accounts.SignedIn, error: EvidensError | None, done: bool = False
) -> Response:
    data = {"username": user.username, "display_name": user.display_name}
    extra = {"csrf": user.csrf_token, "error": error, "changed": done}
    status = 200 if error is None else (403 if isinstance(error, PermissionDeniedError) else 400)
    return page(request, "account.html", data, extra=extra, status=status)


def _add_account(app: FastAPI) -> None:
    @app.get("/account.json")
    @app.get("/account")
    def account(request: Request, user: User, changed: str = "") -> Response:
        return _account_page(request, user, None, bool(changed))

    @app.post("/account/password")
    def change_password(
        request: Request,
        user: User,
        current_password: Text = "",
        new_password: Text = "",
        repeat_password: Text = "",
        csrf: Text = "",
    ) -> Response:
        check_csrf(request, user, csrf)
        try:
            if new_password != repeat_password:
                raise ValidationError(
                    "the two new passwords differ", field="repeat_password", hint="type it again"
                )
            ended = accounts.change_password(
                engine_of(request), user, current_password, new_password
            )
        except (InputError, PermissionDeniedError) as exc:
            if wants_json(request):
                raise
            return _account_page(request, user, exc)
        return _done(request, "/account?changed=1", {"changed": True, "sessions_ended": ended})

    @app.get("/reset/{token}")
    def reset_form(request: Request, token: str) -> Response:
        name = members.reset_for(engine_of(request), token)
        return page(request, "account.html", {"username": name}, extra={"reset": token})

    @app.post("/reset/{token}")
    def reset(
        request: Request, token: str, new_password: Text = "", repeat_password: Text = ""
    ) -> Response:
        if new_password != repeat_password:
            raise ValidationError(
                "the two new passwords differ", field="repeat_password", hint="type it again"
            )
        name = members.reset_password(engine_of(request), token, new_password)
        return _done(request, "/login", {"username": name, "reset": True})


def _add_audit(app: FastAPI) -> None:
    @app.get("/r/{slug}/audit.json")
    @app.get("/r/{slug}/audit")
    def audit(
        request: Request,
        user: User,
        slug: str,
        person: str = "",
        action: str = "",
        entity: str = "",
        since: str = "",
        until: str = "",
        page_no: Annotated[int, Query(alias="page")] = 1,
    ) -> Response:
        member = require(engine_of(request), user.username, slug, Action.VIEW)
        wanted = web_team.AuditFilter(
            person.strip()[:200],
            action.strip()[:100],
            entity.strip()[:100],
            web_team.day(since, "since"),
            web_team.day(until, "until"),
        )
        found = web_team.audit_page(
            member.store(engine_of(request)), user.username, wanted, page_no
        )
        data = {
            "review": {"slug": member.slug, "title": member.title},
            "filter": wanted,
            "audit": found,
        }
        query = {
            "person": wanted.person,
            "action": wanted.action,
            "entity": wanted.entity,
            "since": since.strip(),
            "until": until.strip(),
        }
        return page(request, "audit.html", data, extra={"query": query})
