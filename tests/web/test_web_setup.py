"""The owner's setup page: protocol text, criteria, reasons, highlight terms and reviewers
required saved through one audited service, shown to screeners, refused to everyone else
and without a CSRF token, and escaped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from evidens.services.store import transaction
from evidens.store.models import AuditRow

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
FORM = {
    "question": "Does a <b>ketogenic</b> diet stop infantile spasms?",
    "registration": "CRD42026000001",
    "text": "We will search MEDLINE and Embase.",
    "inclusion": "Infants under 2 years\n\nRandomised trials\nRandomised trials\n",
    "exclusion": "Adults",
    "reasons": "Wrong population\nNot randomised\nNo <script>alert(1)</script> outcome",
    "include_terms": "ketogenic\nspasm*",
    "exclude_terms": "adult*",
    "required_title_abstract": "1",
    "required_full_text": "2",
    "maybe_is_conflict": "1",
}


def _save(site: Site, client: TestClient, **changes: str) -> Any:
    form = {**FORM, **changes, "csrf": site.csrf_of(client)}
    return client.post("/r/main/setup", data=form, headers=JSON)


def test_owner_saves_the_setup_and_screeners_see_it(site: Site) -> None:
    olga = site.login("olga")
    answer = _save(site, olga)
    assert answer.status_code == 200, answer.text
    saved = olga.get("/r/main/setup.json").json()["setup"]
    assert saved["inclusion_criteria"] == ["Infants under 2 years", "Randomised trials"]
    assert saved["reviewers_required"] == {"title_abstract": 1, "full_text": 2}
    assert saved["maybe_is_conflict"] is True
    assert saved["highlight_include"] == ["ketogenic", "spasm*"]
    card = site.login("alice").get("/r/main/screen/title_abstract.json").json()
    assert card["criteria"]["include"] == ["Infants under 2 years", "Randomised trials"]
    assert card["criteria"]["question"] == FORM["question"]
    dash = olga.get("/r/main.json").json()
    ta = next(p for p in dash["progress"] if p["stage"] == "title_abstract")
    assert ta["required"] == 1


def test_each_change_is_audited_with_before_and_after(site: Site) -> None:
    olga = site.login("olga")
    assert _save(site, olga).status_code == 200
    assert _save(site, olga, required_title_abstract="3").status_code == 200
    with transaction(site.store, "test") as uow:
        rows = list(
            uow.session.scalars(
                select(AuditRow)
                .where(AuditRow.review_id == site.store.review_id, AuditRow.action == "setup")
                .order_by(AuditRow.id)
            )
        )
        last = rows[-1]
        assert (last.actor, last.entity) == ("olga", "settings")
        assert last.before == {"reviewers_required": {"title_abstract": 1, "full_text": 2}}
        assert last.after == {"reviewers_required": {"title_abstract": 3, "full_text": 2}}
    assert _save(site, olga, required_title_abstract="3").status_code == 200  # no change
    with transaction(site.store, "test") as uow:
        again = uow.session.scalars(select(AuditRow).where(AuditRow.action == "setup")).all()
    assert len(again) == len(rows)


def test_bad_values_are_refused_with_the_field(site: Site) -> None:
    olga = site.login("olga")
    for changes, field in (
        ({"required_title_abstract": "0"}, "required_title_abstract"),
        ({"required_full_text": "eleven"}, "required_full_text"),
        ({"include_terms": "x" * 600}, "include_terms"),
    ):
        answer = _save(site, olga, **changes)
        assert answer.status_code == 400, changes
        assert field in answer.json()["error"]["message"]
    assert olga.get("/r/main/setup.json").json()["setup"]["reviewers_required"] == {
        "title_abstract": 2,
        "full_text": 2,
    }


def test_only_the_owner_with_a_csrf_token(site: Site) -> None:
    for name, status in {"alice": 403, "rita": 403, "ivan": 403, "vera": 403, "zed": 404}.items():
        client = site.login(name)
        assert client.get("/r/main/setup.json").status_code == status, name
        assert _save(site, client).status_code == status, name
    olga = site.login("olga")
    no_token = olga.post("/r/main/setup", data=FORM, headers=JSON)
    assert no_token.status_code == 403
    assert olga.get("/r/main/setup.json").json()["setup"]["registration"] == ""


def test_setup_text_is_escaped(site: Site) -> None:
    olga = site.login("olga")
    assert _save(site, olga).status_code == 200
    html = olga.get("/r/main/setup").text
    assert "<script>alert(1)" not in html
    assert "<b>ketogenic" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
