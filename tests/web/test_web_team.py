"""Starting a review and running its team from the browser: the new-review form (every
field's problem shown, nothing half-created), roles and permissions, the last owner kept,
password change and reset links, a living review's next round, and the audit page with
its blinding of open screening decisions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from evidens.services.review.settings import protocol_from
from evidens.store.models import MemberRow, ReviewRow

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}


def test_a_new_review_is_created_with_its_protocol_and_its_creator_as_owner(site: Site) -> None:
    client = site.login("vera")
    form = {
        "csrf": site.csrf_of(client),
        "title": "Steroids for croup",
        "slug": "croup",
        "question": "Do steroids help croup?",
        "population": "Children with croup",
        "intervention": "Dexamethasone",
        "comparator": "Placebo",
        "inclusion": "Randomised trials\nChildren under 6",
        "exclusion": "Adults",
        "outcome_name": ["Return visits", "Length of stay", ""],
        "outcome_role": ["primary", "secondary", "primary"],
        "outcome_importance": ["critical", "important", "critical"],
        "registration": "CRD42026000001",
    }
    answer = client.post("/reviews", data=form)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/r/croup/team"
    with site.store.engine.connect() as conn:
        review = conn.execute(select(ReviewRow).where(ReviewRow.slug == "croup")).one()
        owner = conn.scalar(select(MemberRow.name).where(MemberRow.review_id == review.id))
        role = conn.scalar(select(MemberRow.role).where(MemberRow.review_id == review.id))
    assert (owner, role) == ("vera", "owner")
    protocol = protocol_from(review.protocol, review.title)
    assert protocol.inclusion_criteria == ("Randomised trials", "Children under 6")
    assert [(o.name, o.role, o.importance) for o in protocol.outcomes] == [
        ("Return visits", "primary", "critical"),
        ("Length of stay", "secondary", "important"),
    ]
    assert protocol.pico.intervention == "Dexamethasone"
    assert protocol.registration == "CRD42026000001"
    assert client.get("/r/croup/team.json").json()["members"][0]["role"] == "owner"
    assert "/r/croup" in client.get("/").text
    blank = client.get("/reviews/new").text
    assert blank.count(">not important</option>") == 6  # each outcome row offers every choice


def test_a_bad_form_shows_each_problem_and_creates_nothing(site: Site) -> None:
    client = site.login("alice")
    form = {
        "csrf": site.csrf_of(client),
        "title": "",
        "slug": "Bad Slug!",
        "outcome_name": ["Mortality"],
        "outcome_role": ["primary"],
        "outcome_importance": ["vital"],
    }
    with site.store.engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(ReviewRow))
    answer = client.post("/reviews", data=form)
    assert answer.status_code == 400
    assert 'data-field="title"' in answer.text
    assert 'data-field="slug"' in answer.text
    assert 'data-field="outcome_importance_1"' in answer.text
    assert 'value="Mortality"' in answer.text  # the form again, as typed
    twin = client.post("/reviews", data=form, headers=JSON)
    assert twin.status_code == 400
    assert twin.json()["error"]["field"] == "title"
    taken = client.post(
        "/reviews",
        data={**form, "title": "Again", "slug": "main", "outcome_importance": ["critical"]},
    )
    assert taken.status_code == 400
    assert "already exists" in taken.text
    with site.store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ReviewRow)) == before


def test_an_owner_changes_roles_but_never_loses_the_last_owner(site: Site) -> None:
    olga = site.login("olga")
    csrf = site.csrf_of(olga)
    changed = olga.post(
        "/r/main/team/role",
        data={"name": "vera", "role": "extractor", "permission": ["can assess"], "csrf": csrf},
        headers=JSON,
    )
    assert changed.status_code == 200
    members = {m["name"]: m for m in olga.get("/r/main/team.json").json()["members"]}
    assert (members["vera"]["role"], members["vera"]["permissions"]) == (
        "extractor",
        ["can assess"],
    )
    bad = olga.post(
        "/r/main/team/role", data={"name": "vera", "role": "boss", "csrf": csrf}, headers=JSON
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "role"
    last = olga.post(
        "/r/main/team/role", data={"name": "olga", "role": "viewer", "csrf": csrf}, headers=JSON
    )
    assert last.status_code == 409
    assert "only owner" in last.json()["error"]["message"]
    gone = olga.post("/r/main/team/remove", data={"name": "olga", "csrf": csrf}, headers=JSON)
    assert gone.status_code == 409
    removed = olga.post("/r/main/team/remove", data={"name": "bruno", "csrf": csrf})
    assert removed.status_code == 303
    assert "bruno" not in {m["name"] for m in olga.get("/r/main/team.json").json()["members"]}
    assert site.login("bruno").get("/r/main.json").status_code == 404


def test_invitations_waiting_are_listed_for_owners_only(site: Site) -> None:
    olga = site.login("olga")
    olga.post(
        "/r/main/invitations", data={"role": "assessor", "csrf": site.csrf_of(olga)}, headers=JSON
    )
    waiting = olga.get("/r/main/team.json").json()["invitations"]
    assert [i["role"] for i in waiting] == ["assessor"]
    assert site.login("alice").get("/r/main/team.json").json()["invitations"] == []


def test_password_change_needs_the_current_one_and_ends_other_sessions(site: Site) -> None:
    here, elsewhere = site.login("alice"), site.login("alice")
    csrf = site.csrf_of(here)
    wrong = here.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "a new passphrase",
            "repeat_password": "a new passphrase",
            "csrf": csrf,
        },
    )
    assert wrong.status_code == 403
    assert "current password is wrong" in wrong.text
    done = here.post(
        "/account/password",
        data={
            "current_password": site.password,
            "new_password": "a new passphrase",
            "repeat_password": "a new passphrase",
            "csrf": csrf,
        },
    )
    assert done.status_code == 303
    assert here.get("/r/main.json").status_code == 200
    assert elsewhere.get("/r/main.json").status_code == 401
    site.sign_in(site.app_client(), "alice", "a new passphrase")


def test_a_reset_link_works_once_for_the_member_it_names(site: Site) -> None:
    olga = site.login("olga")
    page = olga.post("/r/main/team/reset", data={"name": "bruno", "csrf": site.csrf_of(olga)})
    assert page.status_code == 200
    link = page.text.split('aria-label="password reset link"', 1)[0].rsplit('value="', 1)[1]
    path = "/reset/" + link.split("/reset/", 1)[1].split('"', 1)[0]
    anonymous = site.app_client()
    assert "bruno" in anonymous.get(path).text
    # a reset link is no invitation: it admits nobody to the review
    outsider = site.login("zed")
    invite = path.replace("/reset/", "/invite/")
    assert outsider.get(invite).status_code == 404
    assert outsider.post(invite, data={"csrf": site.csrf_of(outsider)}).status_code == 404
    assert outsider.get("/r/main.json").status_code == 404
    fresh = {"new_password": "bruno's new phrase", "repeat_password": "bruno's new phrase"}
    assert anonymous.post(path, data=fresh).status_code == 303
    assert anonymous.post(path, data=fresh).status_code == 404  # once only
    site.sign_in(site.app_client(), "bruno", "bruno's new phrase")
    audit = olga.get("/r/main/audit.json?entity=user").json()["audit"]["lines"]
    assert {a["action"] for a in audit} == {"reset_link", "reset_password"}


def test_an_owner_starts_the_next_round(site: Site) -> None:
    olga = site.login("olga")
    started = olga.post(
        "/r/main/rounds",
        data={"label": "Update 2027", "searched_from": "2026-11-01", "csrf": site.csrf_of(olga)},
        headers=JSON,
    )
    assert started.json() == {"round": 2, "label": "Update 2027"}
    rounds = olga.get("/r/main/team.json").json()["rounds"]
    assert [r["number"] for r in rounds] == [1, 2]
    assert rounds[1]["searched_from"] == "2026-11-01"
    bad = olga.post("/r/main/rounds", data={"label": "", "csrf": site.csrf_of(olga)}, headers=JSON)
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "label"


def _decide(site: Site, name: str, record: int) -> None:
    client = site.login(name)
    form = {"record_id": str(record), "decision": "exclude", "csrf": site.csrf_of(client)}
    answer = client.post("/r/main/screen/title_abstract", data=form, headers=JSON)
    assert answer.status_code == 200, answer.text


def _decisions(client: Any, record: int) -> list[dict[str, Any]]:
    lines = client.get("/r/main/audit.json?entity=screening_decision").json()["audit"]["lines"]
    return [a for a in lines if a["action"] == "decide"]


def test_the_audit_page_hides_an_open_decision_but_not_ones_own(site: Site) -> None:
    record = site.record_ids[0]
    _decide(site, "alice", record)
    bruno = site.login("bruno")
    seen = _decisions(bruno, record)
    assert [(a["actor"], a["hidden"], a["after"]) for a in seen] == [("alice", True, None)]
    assert "exclude" not in bruno.get("/r/main/audit?entity=screening_decision").text
    own = _decisions(site.login("alice"), record)
    assert own[0]["after"]["decision"] == "exclude"
    _decide(site, "bruno", record)  # both exclude: agreed, final
    final = _decisions(bruno, record)
    assert {a["actor"] for a in final} == {"alice", "bruno"}
    assert all(not a["hidden"] and a["after"]["decision"] == "exclude" for a in final)


def test_the_audit_page_filters_and_pages(site: Site) -> None:
    olga = site.login("olga")
    csrf = site.csrf_of(olga)
    for i in range(55):
        olga.post("/r/main/rounds", data={"label": f"round {i}", "csrf": csrf}, headers=JSON)
    first = olga.get("/r/main/audit.json?action=start_round").json()["audit"]
    assert (first["total"], first["pages"], len(first["lines"])) == (55, 2, 50)
    assert first["lines"][0]["after"]["label"] == "round 54"  # newest first
    second = olga.get("/r/main/audit.json?action=start_round&page=2").json()["audit"]
    assert len(second["lines"]) == 5
    assert (
        olga.get("/r/main/audit.json?person=alice&action=start_round").json()["audit"]["total"] == 0
    )
    assert (
        olga.get("/r/main/audit.json?since=2000-01-01&until=2000-12-31").json()["audit"]["total"]
        == 0
    )
    bad = olga.get("/r/main/audit.json?since=yesterday")
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "since"
    html = olga.get("/r/main/audit?action=start_round")
    assert 'rel="next"' in html.text
    assert "round 54" in html.text
