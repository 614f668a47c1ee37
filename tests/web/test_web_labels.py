"""Screening labels over HTTP: put on and taken off from the screening page (CSRF, one clear
line for a bad label, markup escaped), the reviewer's earlier labels offered as
suggestions, shown on the record page and filtered in the record list - a teammate's label
never before the record is final, in a page or its JSON twin; and who may label."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
SCRIPT = "<script>alert('label')</script>"


def label(
    site: Site, client: TestClient, record: int, text: str, *, remove: bool = False, **extra: str
) -> Any:
    form = {"csrf": site.csrf_of(client), "record_id": str(record), "label": text, **extra}
    if remove:
        form["remove"] = "1"
    return client.post("/r/main/screen/title_abstract/labels", data=form)


def decide(site: Site, client: TestClient, record: int, decision: str) -> None:
    form = {"csrf": site.csrf_of(client), "record_id": str(record), "decision": decision}
    assert client.post("/r/main/screen/title_abstract", data=form).status_code == 303


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [r["record_id"] for r in response.json()["records"]]


def test_a_reviewer_adds_and_removes_labels_from_the_screening_page(site: Site) -> None:
    first, second, _ = site.record_ids
    alice = site.login("alice")
    page = alice.get(f"/r/main/screen/title_abstract?record={first}").text
    assert '<label for="label-input" data-key="l">' in page  # l focuses the field
    assert 'id="label-input"' in page
    assert 'maxlength="60"' in page
    assert "<dd>add a label" in page  # in the ? help
    added = label(site, alice, first, "Background")
    assert added.status_code == 303
    assert added.headers["location"] == f"/r/main/screen/title_abstract?record={first}#labels"
    label(site, alice, first, "check protocol")
    page = alice.get(f"/r/main/screen/title_abstract?record={second}").text
    assert '<option value="Background">' in page
    assert '<option value="check protocol">' in page
    shown = alice.get(f"/r/main/screen/title_abstract.json?record={first}").json()["labels"]
    assert shown == {
        "own": ["Background", "check protocol"],
        "others": [],
        "suggestions": ["Background", "check protocol"],
    }
    page = alice.get(f"/r/main/screen/title_abstract?record={first}").text
    assert 'aria-label="Remove label Background"' in page
    page = alice.get(f"/r/main/record/{first}").text  # the record page lists them too
    assert 'aria-label="Remove label Background"' in page
    assert 'name="back" value="record"' in page
    removed = label(site, alice, first, "background", remove=True, back="record")
    assert removed.status_code == 303
    assert removed.headers["location"] == f"/r/main/record/{first}"
    made = alice.post(
        "/r/main/screen/title_abstract/labels",
        data={"csrf": site.csrf_of(alice), "record_id": str(first), "label": "x", "remove": "1"},
        headers=JSON,
    )
    assert made.json() == {
        "record_id": first,
        "removed": False,
        "labels": {"own": ["check protocol"], "others": [], "suggestions": ["check protocol"]},
    }


def test_labels_need_csrf_and_refuse_bad_input_in_one_line(site: Site) -> None:
    first = site.record_ids[0]
    alice = site.login("alice")
    forged = alice.post(
        "/r/main/screen/title_abstract/labels",
        data={"csrf": "forged", "record_id": str(first), "label": "background"},
    )
    assert forged.status_code == 403
    for text, says in (("", "cannot be empty"), ("x" * 61, "at most 60 characters")):
        refused = label(site, alice, first, text)
        assert refused.status_code == 400, refused.text
        assert says in refused.text
        as_json = alice.post(
            "/r/main/screen/title_abstract/labels",
            data={"csrf": site.csrf_of(alice), "record_id": str(first), "label": text},
            headers=JSON,
        )
        error = as_json.json()["error"]
        assert error["field"] == "label"
        assert "\n" not in error["message"]
    bad_id = alice.post(
        "/r/main/screen/title_abstract/labels",
        data={"csrf": site.csrf_of(alice), "record_id": "abc", "label": "x"},
        headers=JSON,
    )
    assert bad_id.status_code == 400
    assert (
        alice.get(f"/r/main/screen/title_abstract.json?record={first}").json()["labels"]["own"]
        == []
    )


def test_a_label_with_markup_is_shown_escaped_everywhere(site: Site) -> None:
    first = site.record_ids[0]
    alice = site.login("alice")
    assert label(site, alice, first, SCRIPT).status_code == 303
    for path in (
        f"/r/main/screen/title_abstract?record={first}",
        f"/r/main/record/{first}",
        "/r/main/records",
    ):
        html = alice.get(path).text
        assert "<script>alert('label')" not in html, path
        assert "&lt;script&gt;alert(" in html, path


def test_a_teammates_labels_are_blind_until_final_in_pages_and_json(site: Site) -> None:
    first, second, _ = site.record_ids
    alice, bruno = site.login("alice"), site.login("bruno")
    label(site, alice, first, "probably exclude")
    label(site, bruno, first, "background")
    for path in (
        f"/r/main/screen/title_abstract.json?record={first}",
        f"/r/main/record/{first}.json",
        "/r/main/records.json",
        f"/r/main/screen/title_abstract?record={first}",
        f"/r/main/record/{first}",
        "/r/main/records",
        "/r/main/audit.json",
    ):
        assert "probably exclude" not in bruno.get(path).text, path
    assert ids(bruno.get("/r/main/records.json?label=probably+exclude")) == []
    assert ids(alice.get("/r/main/records.json?label=PROBABLY+EXCLUDE")) == [first]
    assert ids(bruno.get("/r/main/records.json?label=background")) == [first]
    rows = {
        r["record_id"]: r["labels"] for r in alice.get("/r/main/records.json").json()["records"]
    }
    assert rows[first] == ["probably exclude"]
    assert rows[second] == []
    decide(site, alice, first, "exclude")
    decide(site, bruno, first, "exclude")  # agreed: final, the team sees both
    assert ids(bruno.get("/r/main/records.json?label=probably+exclude")) == [first]
    record = bruno.get(f"/r/main/record/{first}.json").json()
    assert [(x["member"], x["label"]) for x in record["labels"]] == [
        ("alice", "probably exclude"),
        ("bruno", "background"),
    ]
    card = bruno.get(f"/r/main/screen/title_abstract.json?record={first}").json()["labels"]
    assert [x["label"] for x in card["others"]] == ["probably exclude"]
    assert 'id="team-labels"' in bruno.get(f"/r/main/screen/title_abstract?record={first}").text
    assert "probably exclude" in bruno.get("/r/main/records?label=probably+exclude").text
    too_long = bruno.get("/r/main/records.json?label=" + "x" * 61)
    assert too_long.status_code == 400
    assert too_long.json()["error"]["field"] == "label"


def test_who_may_label(site: Site) -> None:
    first = site.record_ids[0]
    expected = {"olga": 200, "alice": 200, "rita": 200, "ivan": 403, "vera": 403, "zed": 404}
    for person, status in expected.items():
        client = site.login(person)
        made = client.post(
            "/r/main/screen/title_abstract/labels",
            data={"csrf": site.csrf_of(client), "record_id": str(first), "label": "mine"},
            headers=JSON,
        )
        assert made.status_code == status, (person, made.text)
        assert client.get(f"/r/main/record/{first}.json").status_code == (
            404 if person == "zed" else 200
        )
    # a record of another review, labelled through this one: not found
    alice = site.login("alice")
    other = alice.post(
        "/r/main/screen/title_abstract/labels",
        data={"csrf": site.csrf_of(alice), "record_id": str(site.other_record), "label": "x"},
        headers=JSON,
    )
    assert other.status_code == 404
    anonymous = site.app_client().post(
        "/r/main/screen/title_abstract/labels", data={"record_id": str(first), "label": "x"}
    )
    assert anonymous.status_code in (401, 403, 303)
