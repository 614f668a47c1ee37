"""The authorization matrix of the synthesis, GRADE, outputs and job routes: each role (and
an extractor, an assessor, a viewer granted "can synthesise", a member of another review,
nobody) against each route, on this review and on another review's."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from evidens.services.review import accounts
from evidens.store.models import MemberRow

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
OK, ACCEPTED, INVALID, DENIED, HIDDEN, ANON = 200, 202, 400, 403, 404, 401
VIEW = ("analyses", "grade", "outputs", "records", "job")
SYNTHESISE = (
    "define",
    "remove",
    "judge",
    "grade-outcome",
    "grade-header",
    "grade-details",
    "build",
)
EXTRA = {"erin": ("extractor", ()), "asa": ("assessor", ()), "syd": ("viewer", ("can synthesise",))}
ALLOWED = {  # what each person may do in review "main" beyond viewing
    "olga": {*SYNTHESISE, "dedup"},
    "alice": set(),
    "rita": set(),
    "ivan": {"dedup"},
    "vera": set(),
    "erin": set(),
    "asa": set(),
    "syd": set(SYNTHESISE),
}
# what a permitted request answers: pages 200; a change that reaches the service is judged
# there (no agreed data, GRADE not started: 400); a job is accepted (202)
PERMITTED = {
    **dict.fromkeys(VIEW, OK),
    "define": INVALID,
    "remove": INVALID,
    "judge": INVALID,
    "grade-outcome": INVALID,
    "grade-header": INVALID,
    "grade-details": INVALID,
    "build": ACCEPTED,
    "dedup": ACCEPTED,
}


@pytest.fixture
def team(site: Site, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setenv("EVIDENS_JOBS", "memory")
    monkeypatch.setenv("EVIDENS_JOBS_INPROCESS", "0")  # queued only: the routes are judged
    for name, (role, permissions) in EXTRA.items():
        accounts.create_user(site.store.engine, name, site.password)
        accounts.add_member(site.store, name, "viewer", permissions=permissions, actor="olga")
        # accounts.add_member does not take the extractor and assessor roles of
        # permissions.ROLE_ACTIONS yet: give them the role as the membership row holds it
        with site.store.engine.begin() as conn:
            conn.execute(
                update(MemberRow)
                .where(MemberRow.review_id == site.store.review_id, MemberRow.name == name)
                .values(role=role)
            )
    return site


def _attempt(client: TestClient, csrf: str, route: str, slug: str, job: str) -> int:
    gets = {
        "analyses": f"/r/{slug}/analyses.json",
        "grade": f"/r/{slug}/grade.json",
        "outputs": f"/r/{slug}/outputs.json",
        "records": f"/r/{slug}/exports/records.csv",
        "job": f"/r/{slug}/jobs/{job}.json",
    }
    if route in gets:
        return client.get(gets[route], headers=JSON).status_code
    posts = {
        "define": (f"/r/{slug}/analyses", {"name": "a", "outcome": "none", "preset": "revman"}),
        "remove": (f"/r/{slug}/analyses/remove", {"name": "none"}),
        "judge": (f"/r/{slug}/grade", {"outcome": "x", "domain": "imprecision", "rating": "x"}),
        "grade-outcome": (f"/r/{slug}/grade/outcomes", {"analysis": "none"}),
        "grade-header": (f"/r/{slug}/grade/header", {"title": "A table"}),
        "grade-details": (f"/r/{slug}/grade/details", {"outcome": "x", "follow_up": "4 weeks"}),
        "build": (f"/r/{slug}/outputs/build", {}),
        "dedup": (f"/r/{slug}/dedup-job", {}),
    }
    path, form = posts[route]
    return client.post(path, data={**form, "csrf": csrf}, headers=JSON).status_code


def _a_job(site: Site) -> str:
    olga = site.login("olga")
    started = olga.post("/r/main/outputs/build", data={"csrf": site.csrf_of(olga)}, headers=JSON)
    assert started.status_code == ACCEPTED
    return str(started.json()["id"])


def test_each_role_against_each_route(team: Site) -> None:
    job = _a_job(team)
    routes = (*VIEW, *SYNTHESISE, "dedup")
    for person, allowed in {**ALLOWED, "zed": None}.items():
        client = team.login(person)
        csrf = team.csrf_of(client)
        for route in routes:
            got = _attempt(client, csrf, route, "main", job)
            if allowed is None:
                expected = HIDDEN  # not a member: as if the review did not exist
            elif route in VIEW or route in allowed:
                expected = PERMITTED[route]
            else:
                expected = DENIED
            assert got == expected, (person, route)
            if person != "zed":  # another review's data is never reachable: 404
                assert _attempt(client, csrf, route, "other", job) == HIDDEN, (person, route)
    # zed owns "other": there, main's job is as absent as an unknown one
    zed = team.login("zed")
    assert _attempt(zed, team.csrf_of(zed), "job", "other", job) == HIDDEN
    assert _attempt(zed, team.csrf_of(zed), "analyses", "other", job) == OK


def test_nobody_signed_in_reaches_nothing(team: Site) -> None:
    client = team.app_client()
    for route in (*VIEW, *SYNTHESISE, "dedup"):
        assert _attempt(client, "x", route, "main", "0") == ANON, route
    page = client.get("/r/main/outputs")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/r/main/outputs"


def test_changes_need_the_sessions_csrf_token(team: Site) -> None:
    olga = team.login("olga")
    for route in SYNTHESISE:
        assert _attempt(olga, "wrong", route, "main", "0") == DENIED, route
