"""The authorization matrix of the full-text, studies and screening-aid routes: every role
(owner, reviewer, reviewer-resolver, viewer who may import, viewer, extractor, assessor), a
member of another review and nobody, on this review and on another review's."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from evidens.services.review import accounts
from evidens.services.screening.studies import create_study
from evidens.store.models import MemberRow

from .test_web_fulltext import make_pdf, pass_title_abstract

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
OK, DENIED, HIDDEN, ANON = 200, 403, 404, 401
STUDY = "Matrix study"

# routes by the action they need: view (read), screen (full texts, studies), import (run)
ROUTES = ("record", "read_pdf", "fulltexts", "studies", "records", "attach", "not_retrieved")
ROUTES += ("new_study", "link", "mine", "dedup_run")
NEEDS = {
    "record": "view",
    "read_pdf": "view",
    "fulltexts": "view",
    "studies": "view",
    "records": "view",
    "attach": "screen",
    "not_retrieved": "screen",
    "new_study": "screen",
    "link": "screen",
    "mine": "screen",
    "dedup_run": "import",
}
MAY = {  # conftest.TEAM, plus an extractor and an assessor added here
    "olga": {"view", "screen", "import"},
    "alice": {"view", "screen"},
    "rita": {"view", "screen"},
    "ivan": {"view", "import"},
    "vera": {"view"},
    "erin": {"view"},  # extractor
    "adam": {"view"},  # assessor
}


def _attempt(site: Site, client: TestClient, route: str, slug: str, records: list[int]) -> int:
    """One request to ``route`` of review ``slug``; records: [with a PDF, without]."""
    csrf = site.csrf_of(client) if "evidens_session" in client.cookies else "x"
    form = {"csrf": csrf}
    with_pdf, other = records
    calls: dict[str, Callable[[], Any]] = {
        "record": lambda: client.get(f"/r/{slug}/record/{with_pdf}.json"),
        "read_pdf": lambda: client.get(f"/r/{slug}/record/{with_pdf}/pdf", headers=JSON),
        "fulltexts": lambda: client.get(f"/r/{slug}/fulltexts.json"),
        "studies": lambda: client.get(f"/r/{slug}/studies.json"),
        "records": lambda: client.get(f"/r/{slug}/records.json?q=diet"),
        "mine": lambda: client.get(f"/r/{slug}/mine/title_abstract.json"),
        "attach": lambda: client.post(
            f"/r/{slug}/record/{with_pdf}/pdf",
            data=form,
            files={"file": ("article.pdf", make_pdf(), "application/pdf")},
            headers=JSON,
        ),
        "not_retrieved": lambda: client.post(
            f"/r/{slug}/record/{other}/not-retrieved",
            data={**form, "reason": "not available"},
            headers=JSON,
        ),
        "new_study": lambda: client.post(
            f"/r/{slug}/studies", data={**form, "label": uuid.uuid4().hex}, headers=JSON
        ),
        "link": lambda: _link_and_unlink(client, slug, form, with_pdf),
        "dedup_run": lambda: client.post(f"/r/{slug}/duplicates/run", data=form, headers=JSON),
    }
    status: int = calls[route]().status_code
    return status


def _link_and_unlink(client: TestClient, slug: str, form: dict[str, str], record: int) -> Any:
    """Link a report (and, when that worked, unlink it so the next person can link it)."""
    data = {**form, "record_id": str(record), "label": STUDY, "action": "link"}
    linked = client.post(f"/r/{slug}/studies/link", data=data, headers=JSON)
    if linked.status_code == OK:
        undo = client.post(
            f"/r/{slug}/studies/link", data={**data, "action": "unlink"}, headers=JSON
        )
        assert undo.status_code == OK
    return linked


@pytest.fixture
def matrix_site(site: Site) -> Site:
    """The site with an extractor and an assessor, a record with a PDF and one without
    (both past title/abstract), and a study to link reports to."""
    for name, role in (("erin", "extractor"), ("adam", "assessor")):
        accounts.create_user(site.store.engine, name, site.password)
        # written as a row: accounts.add_member does not offer these roles yet, while
        # permissions.ROLE_ACTIONS (which every route asks) knows them
        with Session(site.store.engine) as session, session.begin():
            session.add(MemberRow(review_id=site.store.review_id, name=name, role=role))
    for rid in (site.record_ids[0], site.record_ids[2]):
        pass_title_abstract(site, rid)
    olga = site.login("olga")
    attached = _attempt(site, olga, "attach", "main", [site.record_ids[0], site.record_ids[2]])
    assert attached == OK
    create_study(site.store, STUDY, design="RCT", actor="olga")
    return site


def test_each_role_against_each_route(matrix_site: Site) -> None:
    site = matrix_site
    records = [site.record_ids[0], site.record_ids[2]]
    for person, may in MAY.items():
        client = site.login(person)
        for route in ROUTES:
            expected = OK if NEEDS[route] in may else DENIED
            got = _attempt(site, client, route, "main", records)
            assert got == expected, (person, route, got)
            # another review's pages (and records) are never reachable: 404, as if absent
            got = _attempt(site, client, route, "other", [site.other_record] * 2)
            assert got == HIDDEN, (person, route, "other", got)


def test_a_member_of_another_review_and_nobody(matrix_site: Site) -> None:
    site = matrix_site
    records = [site.record_ids[0], site.record_ids[2]]
    zed, nobody = site.login("zed"), site.app_client()
    for route in ROUTES:
        assert _attempt(site, zed, route, "main", records) == HIDDEN, route
        assert _attempt(site, nobody, route, "main", records) == ANON, route
    # this review's record through the other review's address is not found, for its owner
    assert zed.get(f"/r/other/record/{records[0]}/pdf", headers=JSON).status_code == HIDDEN
    assert zed.get(f"/r/other/record/{records[0]}.json").status_code == HIDDEN
    # a page (not JSON) asked for by nobody goes to the login form
    page = nobody.get(f"/r/main/record/{records[0]}/pdf")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
