"""The authorization matrix of the team pages: each role of review "main" (conftest.TEAM),
a member of another review, and nobody signed in, against every new route, on this review
and on another review's (always 404 there, as if it did not exist)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
OK, DENIED, HIDDEN, ANON = 200, 403, 404, 401
PEOPLE = ("olga", "alice", "rita", "ivan", "vera", "zed")
MANAGE = dict.fromkeys(PEOPLE, DENIED) | {"olga": OK, "zed": HIDDEN}
VIEW = dict.fromkeys(PEOPLE, OK) | {"zed": HIDDEN}
# route -> who gets what on review "main"
EXPECTED = {
    "team": VIEW,
    "audit": VIEW,
    "role": MANAGE,
    "remove": MANAGE,
    "reset": MANAGE,
    "round": MANAGE,
}


def _attempt(site: Site, client: TestClient, route: str, slug: str) -> int:
    signed = "evidens_session" in client.cookies
    csrf = site.csrf_of(client) if signed else "x"
    if route in ("team", "audit"):
        return client.get(f"/r/{slug}/{route}.json").status_code
    if route == "round":
        form = {"label": "an update", "csrf": csrf}
        return client.post(f"/r/{slug}/rounds", data=form, headers=JSON).status_code
    # "vera" of "main" and "zed" of "other" are members each route may act on
    name = "vera" if slug == "main" else "zed"
    form = {"name": name, "csrf": csrf}
    if route == "role":
        form["role"] = "viewer" if slug == "main" else "owner"
    return client.post(f"/r/{slug}/team/{route}", data=form, headers=JSON).status_code


def test_each_role_against_each_team_route(site: Site) -> None:
    for person in PEOPLE:
        client = site.login(person)
        for route, expected in EXPECTED.items():
            if route == "remove" and person == "olga":
                continue  # checked last: it changes the team
            assert _attempt(site, client, route, "main") == expected[person], (person, route)
            if person != "zed":
                assert _attempt(site, client, route, "other") == HIDDEN, (person, route)
    assert _attempt(site, site.login("olga"), "remove", "main") == OK


def test_nobody_signed_in_reaches_no_team_route(site: Site) -> None:
    client = site.app_client()
    for route in EXPECTED:
        assert _attempt(site, client, route, "main") == ANON, route
    for path in ("/account.json", "/reviews/new.json"):
        assert client.get(path).status_code == ANON, path
    assert client.get("/account").headers["location"] == "/login?next=/account"
    assert client.post("/reviews", data={"title": "x", "csrf": "x"}).status_code == ANON
    assert client.post("/account/password", data={"csrf": "x"}).status_code == ANON


def test_a_post_without_the_session_token_changes_nothing(site: Site) -> None:
    olga = site.login("olga")
    for path, form in (
        ("/r/main/team/remove", {"name": "vera"}),
        ("/r/main/rounds", {"label": "x"}),
        ("/reviews", {"title": "Sneaky"}),
        ("/account/password", {"current_password": "x"}),
    ):
        assert olga.post(path, data={**form, "csrf": "forged"}).status_code == DENIED, path
    names = {m["name"] for m in olga.get("/r/main/team.json").json()["members"]}
    assert "vera" in names


def test_an_unknown_or_used_reset_link_is_refused(site: Site) -> None:
    client = site.app_client()
    assert client.get("/reset/not-a-token").status_code == HIDDEN
    fresh = {"new_password": "a long new phrase", "repeat_password": "a long new phrase"}
    assert client.post("/reset/not-a-token", data=fresh, headers=JSON).status_code == HIDDEN
    olga = site.login("olga")
    for name in ("nobody", "zed"):  # not a member of "main"
        form = {"name": name, "csrf": site.csrf_of(olga)}
        assert olga.post("/r/main/team/reset", data=form, headers=JSON).status_code == HIDDEN


def test_an_owner_cannot_reset_a_member_who_is_on_a_review_they_do_not_own(site: Site) -> None:
    """Whoever holds a reset link can sign in as the member: an owner of "main" must not
    reach "other" through a person on both teams."""
    from evidens.services.review import accounts

    accounts.add_member(site.other, "alice", "reviewer", actor="zed")
    olga = site.login("olga")
    form = {"name": "alice", "csrf": site.csrf_of(olga)}
    refused = olga.post("/r/main/team/reset", data=form, headers=JSON)
    assert refused.status_code == DENIED
    assert "review you do not own" in refused.json()["error"]["message"]
    form["name"] = "bruno"  # only on "main": olga may
    assert olga.post("/r/main/team/reset", data=form, headers=JSON).status_code == OK
