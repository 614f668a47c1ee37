"""Accounts and sessions over HTTP: cookies, session fixation, CSRF, logout (everywhere),
the login rate limit, invitations, and what the database keeps of secrets."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from evidens.errors import ValidationError
from evidens.services.review import accounts
from evidens.store.account_models import UserRow, WebSessionRow
from evidens.web.app import SESSION_COOKIE

Site = Any  # the `site` fixture of conftest.py
HOST = "testserver.local"
JSON = {"accept": "application/json"}


def test_login_sets_an_httponly_samesite_cookie_and_stores_only_its_hash(site: Site) -> None:
    client = site.app_client()
    token = site.login_token(client)
    response = client.post(
        "/login", data={"username": "alice", "password": site.password, "csrf": token}
    )
    assert response.status_code == 303
    header = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in header
    assert "SameSite=lax" in header or "samesite=lax" in header.lower()
    assert "Secure" not in header  # plain http in tests; https adds Secure
    cookie = client.cookies[SESSION_COOKIE]
    with Session(site.store.engine) as session:
        stored = list(session.scalars(select(WebSessionRow.token_hash)))
        hashes = list(session.scalars(select(UserRow.password_hash)))
    assert hashlib.sha256(cookie.encode()).hexdigest() in stored
    assert cookie not in stored
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert site.password not in "".join(hashes)


def test_a_planted_session_token_is_replaced_at_login(site: Site) -> None:
    """Session fixation: a cookie set before login never becomes a signed-in session."""
    client = site.app_client()
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain=HOST)
    site.sign_in(client, "alice")
    assert client.cookies[SESSION_COOKIE] != "planted-by-an-attacker"
    attacker = site.app_client()
    attacker.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain=HOST)
    assert attacker.get("/reviews.json").status_code == 401
    # each login opens a new session: two logins, two different tokens
    first = client.cookies[SESSION_COOKIE]
    site.sign_in(client, "alice")
    assert client.cookies[SESSION_COOKIE] != first


def test_login_without_the_form_token_is_refused(site: Site) -> None:
    client = site.app_client()
    client.get("/login")
    response = client.post("/login", data={"username": "alice", "password": site.password})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


CSRF_POSTS = [
    ("/r/main/screen/title_abstract", {"record_id": "1", "decision": "include"}),
    ("/r/main/screen/title_abstract/undo", {}),
    ("/r/main/conflicts/title_abstract", {"record_id": "1", "decision": "include"}),
    ("/r/main/invitations", {"role": "reviewer"}),
    ("/logout", {}),
    ("/logout-everywhere", {}),
]


def test_posts_without_or_with_a_wrong_csrf_token_are_refused(site: Site) -> None:
    client = site.login("olga")
    for path, data in CSRF_POSTS:
        for token in (None, "not-the-token"):
            form = dict(data) if token is None else {**data, "csrf": token}
            response = client.post(path, data=form, headers={"accept": "application/json"})
            assert response.status_code == 403, (path, token)
            assert "CSRF" in response.json()["error"]["message"]
    # nothing happened: still signed in, and no decision was recorded
    assert client.get("/r/main/screen/title_abstract.json").json()["progress"]["decided"] == 0


def test_logout_ends_this_session_and_logout_everywhere_ends_all(site: Site) -> None:
    laptop, phone, tablet = site.login("alice"), site.login("alice"), site.login("alice")
    old = laptop.cookies[SESSION_COOKIE]
    response = laptop.post("/logout", data={"csrf": site.csrf_of(laptop)})
    assert response.status_code == 303
    laptop.cookies.set(SESSION_COOKIE, old, domain=HOST)
    assert laptop.get("/reviews.json").status_code == 401  # the old token no longer works
    assert phone.get("/reviews.json").status_code == 200
    ended = phone.post(
        "/logout-everywhere",
        data={"csrf": site.csrf_of(phone)},
        headers={"accept": "application/json"},
    )
    assert ended.json() == {"sessions_ended": 2}
    assert phone.get("/reviews.json").status_code == 401
    assert tablet.get("/reviews.json").status_code == 401
    assert site.login("alice").get("/reviews.json").status_code == 200


SCREEN = "/r/main/screen/title_abstract"


def test_the_screening_routes_refuse_ended_expired_and_inactive_sessions(site: Site) -> None:
    """Screening reads the session and the membership in one statement of its own; it must
    refuse exactly what every other page refuses."""
    first = site.record_ids[0]
    cases = ("revoked", "expired", "inactive")
    clients = {case: site.login("alice") for case in cases}
    tokens = {case: site.csrf_of(client) for case, client in clients.items()}
    for client in clients.values():
        assert client.get(SCREEN + ".json").status_code == 200
    with Session(site.store.engine) as session, session.begin():
        for case, client in clients.items():
            digest = hashlib.sha256(client.cookies[SESSION_COOKIE].encode()).hexdigest()
            web = session.scalars(
                select(WebSessionRow).where(WebSessionRow.token_hash == digest)
            ).one()
            if case == "revoked":
                web.revoked = True
            elif case == "expired":
                web.expires_at = web.created_at
    for case, client in clients.items():
        if case == "inactive":
            continue
        assert client.get(SCREEN + ".json").status_code == 401, case
        form = {"record_id": str(first), "decision": "include", "csrf": tokens[case]}
        assert client.post(SCREEN, data=form, headers=JSON).status_code == 401, case
    with Session(site.store.engine) as session, session.begin():
        alice = session.scalars(select(UserRow).where(UserRow.username == "alice")).one()
        alice.active = False
    inactive = clients["inactive"]
    assert inactive.get(SCREEN + ".json").status_code == 401
    form = {"record_id": str(first), "decision": "include", "csrf": tokens["inactive"]}
    assert inactive.post(SCREEN, data=form, headers=JSON).status_code == 401
    assert inactive.get("/reviews.json").status_code == 401  # the same answer as elsewhere
    # nobody's decision got through
    with Session(site.store.engine) as session, session.begin():
        alice = session.scalars(select(UserRow).where(UserRow.username == "alice")).one()
        alice.active = True
    assert site.login("bruno").get(SCREEN + ".json").json()["progress"]["decided"] == 0
    assert site.login("alice").get(SCREEN + ".json").json()["progress"]["decided"] == 0


def test_screening_checks_membership_and_role_after_the_session(site: Site) -> None:
    """The same answers as :func:`permissions.require`: 404 for another team's review (as
    for none at all), 403 for a member whose role does not screen."""
    assert site.login("zed").get(SCREEN + ".json").status_code == 404
    assert site.login("alice").get("/r/nope/screen/title_abstract.json").status_code == 404
    vera = site.login("vera")
    assert vera.get(SCREEN + ".json").status_code == 403
    form = {"record_id": str(site.record_ids[0]), "decision": "include"}
    refused = vera.post(SCREEN, data={**form, "csrf": site.csrf_of(vera)}, headers=JSON)
    assert refused.status_code == 403


def test_login_rate_limit_per_username_and_address(site: Site) -> None:
    client = site.app_client()
    for _ in range(accounts.MAX_FAILURES):
        form = site.login_token(client)
        wrong = client.post("/login", data={"username": "bruno", "password": "nope", "csrf": form})
        assert wrong.status_code == 403
    form = site.login_token(client)
    right = client.post(
        "/login", data={"username": "bruno", "password": site.password, "csrf": form}
    )
    assert right.status_code == 429  # even the right password, until the window passes
    assert "too many failed logins" in right.text
    assert SESSION_COOKIE not in client.cookies
    site.sign_in(site.app_client(), "alice")  # another username is not affected


def test_unknown_user_and_wrong_password_get_the_same_answer(site: Site) -> None:
    engine = site.store.engine
    with pytest.raises(accounts.PermissionDeniedError) as unknown:
        accounts.authenticate(engine, "nobody", site.password, "10.0.0.1")
    with pytest.raises(accounts.PermissionDeniedError) as wrong:
        accounts.authenticate(engine, "alice", "wrong password", "10.0.0.1")
    assert str(unknown.value) == str(wrong.value)


def test_weak_passwords_and_odd_usernames_are_refused(site: Site) -> None:
    with pytest.raises(ValidationError, match="shorter than"):
        accounts.create_user(site.store.engine, "newbie", "short")
    with pytest.raises(ValidationError, match="username"):
        accounts.create_user(site.store.engine, "<b>x</b>", site.password)


def test_an_invitation_link_adds_a_member_once(site: Site) -> None:
    owner = site.login("olga")
    made = owner.post(
        "/r/main/invitations",
        data={"role": "reviewer", "csrf": site.csrf_of(owner)},
        headers={"accept": "application/json"},
    )
    assert made.status_code == 200
    link = made.json()["link"]
    path = "/invite/" + link.rsplit("/invite/", 1)[1]
    accounts.create_user(site.store.engine, "newcomer", site.password)
    newcomer = site.login("newcomer")
    assert newcomer.get("/r/main.json").status_code == 404  # not a member yet
    assert newcomer.get(path).status_code == 200
    joined = newcomer.post(path, data={"csrf": site.csrf_of(newcomer)})
    assert joined.status_code == 303
    assert joined.headers["location"] == "/r/main"
    assert newcomer.get("/r/main.json").json()["review"]["role"] == "reviewer"
    # used links do not work again
    accounts.create_user(site.store.engine, "latecomer", site.password)
    late = site.login("latecomer")
    assert late.post(path, data={"csrf": site.csrf_of(late)}).status_code == 404
    assert late.get("/r/main.json").status_code == 404
