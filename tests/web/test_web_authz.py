"""The authorization matrix: every role (and a member of another review, and nobody) against
every action, on this review's data and on another review's; plus blinding of an open
decision across every page and JSON twin."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.testclient import TestClient

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
OK, DENIED, HIDDEN, ANON = 200, 403, 404, 401

# who may do what in review "main" (conftest.TEAM): owner olga; reviewers alice, bruno;
# rita a reviewer with "resolver"; ivan a viewer with "can import"; vera a viewer;
# zed owns the other review only.
EXPECTED = {
    "olga": {"view": OK, "screen": OK, "resolve": OK, "import": OK, "manage": OK},
    "alice": {"view": OK, "screen": OK, "resolve": DENIED, "import": DENIED, "manage": DENIED},
    "rita": {"view": OK, "screen": OK, "resolve": OK, "import": DENIED, "manage": DENIED},
    "ivan": {"view": OK, "screen": DENIED, "resolve": DENIED, "import": OK, "manage": DENIED},
    "vera": {"view": OK, "screen": DENIED, "resolve": DENIED, "import": DENIED, "manage": DENIED},
    "zed": {
        "view": HIDDEN,
        "screen": HIDDEN,
        "resolve": HIDDEN,
        "import": HIDDEN,
        "manage": HIDDEN,
    },
}
RIS_UPLOAD = "TY  - JOUR\nTI  - An uploaded record {}\nPY  - 2024\nER  - \n"


def _attempt(site: Site, client: TestClient, action: str, slug: str, record: int) -> int:
    csrf = site.csrf_of(client) if "evidens_session" in client.cookies else "x"
    if action == "view":
        return client.get(f"/r/{slug}.json").status_code
    if action == "screen":
        form = {"record_id": str(record), "decision": "include", "csrf": csrf}
        return client.post(f"/r/{slug}/screen/title_abstract", data=form, headers=JSON).status_code
    if action == "resolve":
        return client.get(f"/r/{slug}/conflicts/title_abstract.json").status_code
    if action == "import":
        text = RIS_UPLOAD.format(uuid.uuid4().hex)  # a new file each time (no re-import)
        upload = {"file": (f"{slug}-{record}.ris", text.encode())}
        return client.post(
            f"/r/{slug}/imports",
            data={"source": "PubMed", "csrf": csrf},
            files=upload,
            headers=JSON,
        ).status_code
    return client.post(
        f"/r/{slug}/invitations", data={"role": "viewer", "csrf": csrf}, headers=JSON
    ).status_code


def test_each_role_against_each_action(site: Site) -> None:
    for i, (person, actions) in enumerate(EXPECTED.items()):
        client = site.login(person)
        record = site.record_ids[i % len(site.record_ids)]  # each screener decides a record first
        for action, expected in actions.items():
            got = _attempt(site, client, action, "main", record)
            assert got == expected, (person, action)
        # another review's data is never reachable for a member of "main": 404, as if absent
        if person != "zed":
            for action in actions:
                got = _attempt(site, client, action, "other", site.other_record)
                assert got == HIDDEN, (person, action)


def test_nobody_signed_in_reaches_nothing(site: Site) -> None:
    client = site.app_client()
    for action in ("view", "screen", "resolve", "import", "manage"):
        assert _attempt(site, client, action, "main", site.record_ids[0]) == ANON, action
    page = client.get("/r/main")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/r/main"


def test_a_record_of_another_review_is_not_found_through_this_one(site: Site) -> None:
    alice = site.login("alice")
    other = site.other_record
    assert alice.get(f"/r/main/screen/title_abstract.json?record={other}").status_code == 404
    form = {"record_id": str(other), "decision": "include", "csrf": site.csrf_of(alice)}
    assert alice.post("/r/main/screen/title_abstract", data=form, headers=JSON).status_code == 404
    olga = site.login("olga")
    form = {"record_id": str(other), "decision": "include", "csrf": site.csrf_of(olga)}
    assert olga.post("/r/main/conflicts/title_abstract", data=form, headers=JSON).status_code == 404
    assert olga.get("/r/other/records/records_identified.json").status_code == 404


def _every_page(client: TestClient, record: int) -> list[str]:
    paths = ["/", "/r/main", "/r/main.json"]
    for stage in ("title_abstract", "full_text"):
        paths += [
            f"/r/main/screen/{stage}",
            f"/r/main/screen/{stage}.json",
            f"/r/main/screen/{stage}?record={record}",
            f"/r/main/screen/{stage}.json?record={record}",
            f"/r/main/conflicts/{stage}",
            f"/r/main/conflicts/{stage}.json",
        ]
    paths += [f"/r/main/records/{box}" for box in ("records_identified", "records_screened")]
    paths += [f"/r/main/records/{box}.json" for box in ("records_screened", "records_excluded")]
    paths += ["/r/main/duplicates", "/r/main/duplicates.json", "/r/main/setup.json"]
    paths += ["/r/main/screen/title_abstract.json?order=rank", "/r/main/screen/title_abstract"]
    return [client.get(p).text for p in paths]


def test_an_open_decision_is_shown_to_nobody_else(site: Site) -> None:
    """Alice's decision (with a note) on a record that still needs Bruno's is visible to
    Alice only, on every page and JSON twin; once Bruno decides, both see both."""
    record = site.record_ids[0]
    alice = site.login("alice")
    form = {
        "record_id": str(record),
        "decision": "exclude",
        "note": "ALICE-PRIVATE-NOTE",
        "csrf": site.csrf_of(alice),
    }
    assert alice.post("/r/main/screen/title_abstract", data=form, headers=JSON).status_code == 200
    mine = alice.get(f"/r/main/screen/title_abstract.json?record={record}").json()
    assert [d["reviewer"] for d in mine["record"]["visible"]] == ["alice"]
    for person in ("bruno", "rita", "olga", "vera", "ivan"):
        client = site.login(person)
        for body in _every_page(client, record):
            assert "ALICE-PRIVATE-NOTE" not in body, person
        assert client.get("/r/main.json").json()["agreement"] == [], person
        if person in ("bruno", "rita", "olga"):
            card = client.get(f"/r/main/screen/title_abstract.json?record={record}").json()
            assert card["record"]["visible"] == [], person
    bruno = site.login("bruno")
    form = {"record_id": str(record), "decision": "include", "csrf": site.csrf_of(bruno)}
    assert bruno.post("/r/main/screen/title_abstract", data=form, headers=JSON).status_code == 200
    # complete but in conflict, not final: still only his own, on every page
    card = bruno.get(f"/r/main/screen/title_abstract.json?record={record}").json()
    assert [d["reviewer"] for d in card["record"]["visible"]] == ["bruno"]
    for body in _every_page(bruno, record):
        assert "ALICE-PRIVATE-NOTE" not in body
    rita = site.login("rita")
    conflicts = rita.get("/r/main/conflicts/title_abstract.json").json()
    assert [c["record_id"] for c in conflicts["conflicts"]] == [record]
    form = {"record_id": str(record), "decision": "exclude", "csrf": site.csrf_of(rita)}
    assert rita.post("/r/main/conflicts/title_abstract", data=form, headers=JSON).status_code == 200
    card = bruno.get(f"/r/main/screen/title_abstract.json?record={record}").json()
    assert sorted(d["reviewer"] for d in card["record"]["visible"]) == ["alice", "bruno"]
    assert "ALICE-PRIVATE-NOTE" in bruno.get(f"/r/main/screen/title_abstract?record={record}").text


def _decided(site: Site, record: int, names: tuple[str, ...] = ("alice", "bruno")) -> None:
    """``names`` include ``record`` (both: it is complete, and may be reopened)."""
    from evidens.core import Decision, ScreeningDecision, Stage
    from evidens.services.screening.decisions import record_decision

    for name in names:
        made = ScreeningDecision(record, Stage.TITLE_ABSTRACT, name, Decision.INCLUDE)
        record_decision(site.store, made)


def test_reopen_and_the_settings_confirmation_by_role(site: Site) -> None:
    """The matrix over the issue's two new changes: reopening a complete record (those who
    resolve) and lowering the reviewers required (those who manage; asked to confirm)."""
    expected_reopen = {n: a["resolve"] for n, a in EXPECTED.items()}
    expected_setup = {n: a["manage"] for n, a in EXPECTED.items()}
    record = site.record_ids[0]
    _decided(site, site.record_ids[1], ("alice",))  # one reviewer would complete it
    for person in [*EXPECTED, None]:
        client = site.login(person) if person else site.app_client()
        csrf = site.csrf_of(client) if person else "x"
        _decided(site, record)
        lowered = {"required_title_abstract": "1", "required_full_text": "2", "csrf": csrf}
        got = client.post("/r/main/setup", data=lowered, headers=JSON)
        want = expected_setup[person] if person else ANON
        assert got.status_code == (409 if want == OK else want), person
        if want == OK:  # one record would become complete: the owner is asked first
            assert got.json()["error"]["code"] == "confirmation_needed"
        form = {"record_id": str(record), "reason": "misclick", "csrf": csrf}
        got = client.post("/r/main/screen/title_abstract/reopen", data=form, headers=JSON)
        assert got.status_code == (expected_reopen[person] if person else ANON), person
