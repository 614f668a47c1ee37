"""The pages doing their work over HTTP: screening with undo and full-text reasons, a
conflict resolved, the dashboard and records lists following, imports with their report,
JSON twins, escaping of crafted records, and the security headers."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}


def _decide(site: Site, client: TestClient, record: int, decision: str, **extra: str) -> Any:
    form = {"record_id": str(record), "decision": decision, "csrf": site.csrf_of(client), **extra}
    return client.post("/r/main/screen/title_abstract", data=form)


def _screen_all(site: Site, name: str, decisions: list[str]) -> TestClient:
    """Screen every record in the order the app hands them out (each reviewer starts at
    their own point); ``decisions`` are for the records in id order."""
    plan = dict(zip(site.record_ids, decisions, strict=True))
    client = site.login(name)
    for _ in decisions:
        card = client.get("/r/main/screen/title_abstract.json").json()["record"]
        response = _decide(site, client, card["record_id"], plan.pop(card["record_id"]))
        assert response.status_code == 303
        assert response.headers["location"] == "/r/main/screen/title_abstract"
    assert plan == {}
    assert client.get("/r/main/screen/title_abstract.json").json()["record"] is None
    return client


def test_a_third_reviewer_is_not_asked(site: Site) -> None:
    first, second, third = site.record_ids
    for name in ("alice", "bruno", "rita"):
        card = site.login(name).get("/r/main/screen/title_abstract.json").json()["record"]
        assert card["record_id"] in site.record_ids
    for name in ("alice", "bruno"):
        assert _decide(site, site.login(name), second, "include").status_code == 303
    rita = site.login("rita")
    seen = []
    for _ in range(2):
        rid = rita.get("/r/main/screen/title_abstract.json").json()["record"]["record_id"]
        seen.append(rid)
        assert _decide(site, rita, rid, "exclude").status_code == 303
    assert sorted(seen) == [first, third]  # the record with its two decisions is skipped
    assert rita.get("/r/main/screen/title_abstract.json").json()["record"] is None


def test_two_reviewers_a_conflict_its_resolution_and_the_dashboard(site: Site) -> None:
    first, second, third = site.record_ids
    _screen_all(site, "alice", ["include", "include", "exclude"])
    _screen_all(site, "bruno", ["include", "exclude", "exclude"])
    olga = site.login("olga")
    dash = olga.get("/r/main.json").json()
    ta = next(p for p in dash["progress"] if p["stage"] == "title_abstract")
    assert (ta["eligible"], ta["complete"], ta["conflicts"]) == (3, 2, 1)
    assert dict(ta["by_reviewer"]) == {"alice": 3, "bruno": 3}
    assert {a["actor"] for a in dash["activity"]} >= {"alice", "bruno"}
    assert all("decision" not in a for a in dash["activity"])
    rita = site.login("rita")
    listed = rita.get("/r/main/conflicts/title_abstract.json").json()["conflicts"]
    assert [c["record_id"] for c in listed] == [second]
    form = {"record_id": str(second), "decision": "include", "csrf": site.csrf_of(rita)}
    done = rita.post("/r/main/conflicts/title_abstract", data=form)
    assert done.status_code == 303
    assert rita.get("/r/main/conflicts/title_abstract.json").json()["conflicts"] == []
    ta = next(
        p for p in olga.get("/r/main.json").json()["progress"] if p["stage"] == "title_abstract"
    )
    assert (ta["complete"], ta["conflicts"]) == (3, 0)
    page = olga.get("/r/main")
    assert "href='/r/main/records/records_excluded'" in page.text
    excluded = olga.get("/r/main/records/records_excluded.json").json()
    assert [r["record_id"] for r in excluded["records"]] == [third]
    sought = olga.get("/r/main/records/reports_sought_for_retrieval.json").json()
    assert sorted(r["record_id"] for r in sought["records"]) == [first, second]
    assert "records" in olga.get("/r/main/records/records_excluded").text
    assert olga.get("/r/main/records/no_such_box").status_code == 404


def test_full_text_exclusion_needs_a_reason_from_the_list(site: Site) -> None:
    first = site.record_ids[0]
    for name in ("alice", "bruno"):
        client = site.login(name)
        assert _decide(site, client, first, "include").status_code == 303
    alice = site.login("alice")
    card = alice.get("/r/main/screen/full_text.json").json()
    assert card["record"]["record_id"] == first
    assert card["criteria"]["reasons"] == ["Not randomized", "Wrong population"]
    page = alice.get("/r/main/screen/full_text").text
    assert "<option>Wrong population</option>" in page
    csrf = site.csrf_of(alice)
    form = {"record_id": str(first), "decision": "exclude", "csrf": csrf}
    refused = alice.post("/r/main/screen/full_text", data=form, headers=JSON)
    assert refused.status_code == 400
    assert "needs a reason" in refused.json()["error"]["message"]
    form["reason"] = "Because I said so"
    assert alice.post("/r/main/screen/full_text", data=form, headers=JSON).status_code == 400
    form["reason"] = "Wrong population"
    done = alice.post("/r/main/screen/full_text", data=form, headers=JSON)
    assert done.status_code == 200
    assert done.json()["recorded"] == first
    assert done.json()["record"] is None  # nothing else passed title/abstract
    # a record that did not pass title/abstract cannot be decided at full text
    form = {"record_id": str(site.record_ids[2]), "decision": "include", "csrf": csrf}
    assert alice.post("/r/main/screen/full_text", data=form, headers=JSON).status_code == 409


def test_undo_withdraws_my_latest_decision_and_shows_that_record_again(site: Site) -> None:
    first, second, _ = site.record_ids
    alice = site.login("alice")
    assert _decide(site, alice, first, "include").status_code == 303
    assert _decide(site, alice, second, "exclude").status_code == 303
    assert alice.get("/r/main/screen/title_abstract.json").json()["progress"]["decided"] == 2
    undone = alice.post("/r/main/screen/title_abstract/undo", data={"csrf": site.csrf_of(alice)})
    assert undone.status_code == 303
    assert undone.headers["location"] == f"/r/main/screen/title_abstract?record={second}"
    card = alice.get(undone.headers["location"], headers={"accept": "application/json"}).json()
    assert card["progress"]["decided"] == 1
    assert card["record"]["record_id"] == second
    assert alice.get("/r/main/screen/title_abstract.json").json()["record"]["record_id"] in {
        second,
        site.record_ids[2],
    }
    assert site.login("bruno").get("/r/main/screen/title_abstract.json").json()["progress"] == {
        "decided": 0,
        "total": 3,
    }


def test_decide_and_get_next_in_one_json_round_trip(site: Site) -> None:
    first = site.record_ids[0]
    alice = site.login("alice")
    asked = alice.get(f"/r/main/screen/title_abstract.json?record={first}").json()
    spans = {(s["field"], s["term"]) for s in asked["record"]["spans"]}
    assert ("title", "diet") in spans
    assert asked["criteria"]["include"] == ["Infants with <spasms>"]
    card = alice.get("/r/main/screen/title_abstract.json").json()
    shown = card["record"]["record_id"]
    form = {"record_id": str(shown), "decision": "maybe", "csrf": site.csrf_of(alice)}
    after = alice.post("/r/main/screen/title_abstract", data=form, headers=JSON).json()
    assert after["recorded"] == shown
    assert after["record"]["record_id"] in set(site.record_ids) - {shown}
    assert after["progress"] == {"decided": 1, "total": 3}
    bad = alice.post(
        "/r/main/screen/title_abstract",
        data={**form, "decision": "perhaps"},
        headers=JSON,
    )
    assert bad.status_code == 400
    assert alice.get("/r/main/screen/sideways.json").status_code == 404


def test_crafted_titles_abstracts_and_file_names_render_as_text(site: Site) -> None:
    xss = site.record_ids[1]
    for name in ("alice", "bruno"):
        client = site.login(name)
        _decide(site, client, xss, "include" if name == "alice" else "exclude")
    olga = site.login("olga")
    upload = olga.post(
        "/r/main/imports",
        data={"source": "<b>PubMed</b>", "csrf": site.csrf_of(olga)},
        files={"file": ("<script>x</script>.ris", b"TY  - JOUR\nTI  - <i>new</i>\nER  - \n")},
    )
    assert upload.status_code == 200
    assert "&lt;b&gt;PubMed&lt;/b&gt;" in upload.text
    pages = [
        upload.text,
        olga.get(f"/r/main/screen/title_abstract?record={xss}").text,
        olga.get("/r/main/conflicts/title_abstract").text,
        olga.get("/r/main/records/records_identified").text,
        olga.get("/r/main/records/records_screened").text,
        olga.get("/r/main").text,
    ]
    for text in pages:
        assert "<script>" not in text.replace('<script src="/static/app.js" defer></script>', "")
        assert "<img" not in text
        assert "<b>diet</b>" not in text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in pages[1]
    assert "&lt;img src=x onerror=alert(&#39;abstract&#39;)&gt;" in pages[1]
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in pages[2]
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in pages[3]
    # the JSON twin carries the text itself, as JSON (not HTML)
    card = olga.get(f"/r/main/screen/title_abstract.json?record={xss}").json()
    assert card["record"]["title"].startswith("<script>alert('title')</script>")


def test_json_twins_by_suffix_and_by_accept_header(site: Site) -> None:
    olga = site.login("olga")
    for path in (
        "/",
        "/r/main",
        "/r/main/screen/title_abstract",
        "/r/main/conflicts/title_abstract",
        "/r/main/records/records_identified",
    ):
        html = olga.get(path)
        assert html.headers["content-type"].startswith("text/html"), path
        by_accept = olga.get(path, headers=JSON)
        assert by_accept.headers["content-type"] == "application/json", path
        suffix = "/reviews.json" if path == "/" else path + ".json"
        assert olga.get(suffix).json() == by_accept.json(), path
    mine = olga.get("/reviews.json").json()["reviews"]
    assert [(r["slug"], r["role"]) for r in mine] == [("main", "owner")]
    records = olga.get("/r/main/records/records_identified.json").json()
    assert records["total"] == 3


def test_every_response_carries_the_security_headers(site: Site) -> None:
    olga = site.login("olga")
    for response in (olga.get("/r/main"), olga.get("/login"), olga.get("/r/nope")):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        name, _, took = response.headers["server-timing"].partition(";dur=")
        assert name == "app"
        assert 0 < float(took) < 60_000
    assert olga.get("/login?next=//evil.example").text.count('value="/"') == 1
