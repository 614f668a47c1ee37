"""Screening aids over HTTP: the optional reason at title/abstract, the searchable and
filterable record list (which never lets a filter reveal a teammate's open decision),
"my decisions" with the locking rule, the conflicts page's abstract and link, and a
de-duplication run from the page with registry ids shown side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from evidens.services.identification import dedup, imports

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
# the same trial as conftest's first record, registered, in another database: queued for a
# person (same title, different journal), its registry id shown beside the other's none
TWIN = (
    "TY  - JOUR\nTI  - Ketogenic diet for refractory infantile spasms: a randomised trial\n"
    "AU  - Rivera, Ana\nPY  - 2020\nJO  - Epilepsia Open\nN1  - NCT01234567\nER  - \n"
)


def decide(site: Site, client: TestClient, record: int, decision: str, reason: str = "") -> Any:
    form = {"csrf": site.csrf_of(client), "record_id": str(record), "decision": decision}
    if reason:
        form["reason"] = reason
    return client.post("/r/main/screen/title_abstract", data=form)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [r["record_id"] for r in response.json()["records"]]


def test_optional_reason_at_title_abstract(site: Site) -> None:
    alice = site.login("alice")
    page = alice.get(f"/r/main/screen/title_abstract?record={site.record_ids[2]}").text
    assert 'id="ta-reason"' in page
    assert "<option>Wrong population</option>" in page
    assert decide(site, alice, site.record_ids[2], "exclude", "Wrong population").status_code == 303
    assert decide(site, alice, site.record_ids[0], "exclude").status_code == 303  # optional
    mine = alice.get("/r/main/mine/title_abstract.json").json()["decisions"]
    assert {d["record_id"]: d["reason"] for d in mine} == {
        site.record_ids[2]: "Wrong population",
        site.record_ids[0]: None,
    }


def test_record_list_search_and_filters_respect_blinding(site: Site) -> None:
    first, crafted, adults = site.record_ids
    alice, bruno = site.login("alice"), site.login("bruno")
    decide(site, alice, adults, "exclude")
    assert ids(alice.get("/r/main/records.json")) == [first, crafted, adults]
    assert ids(alice.get("/r/main/records.json?q=VIGABATRIN")) == [adults]
    assert ids(alice.get("/r/main/records.json?q=randomised")) == [first, crafted]
    assert ids(alice.get(f"/r/main/records.json?q={crafted}")) == [crafted]
    assert ids(alice.get("/r/main/records.json?status=mine")) == [adults]
    assert ids(alice.get("/r/main/records.json?decision=exclude")) == [adults]
    # alice's open decision is hers alone: no filter shows it to bruno
    assert ids(bruno.get("/r/main/records.json?decision=exclude")) == []
    assert ids(bruno.get("/r/main/records.json?status=mine")) == []
    assert ids(bruno.get("/r/main/records.json?status=undecided")) == [first, crafted, adults]
    # once bruno agrees the record is final, and both find it as such
    decide(site, bruno, adults, "exclude")
    for client in (alice, bruno):
        assert ids(client.get("/r/main/records.json?status=final&decision=exclude")) == [adults]
    bad = alice.get("/r/main/records.json?status=secret")
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "status"
    html = alice.get("/r/main/records?q=%3Cscript%3E").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert 'value="&lt;script&gt;"' in html  # the query is shown back, escaped


def test_my_decisions_show_what_is_locked(site: Site) -> None:
    first, crafted, _ = site.record_ids
    alice, bruno = site.login("alice"), site.login("bruno")
    decide(site, alice, first, "include")
    decide(site, alice, crafted, "maybe")
    decide(site, bruno, first, "include")  # first is now complete (agreed): locked
    mine = alice.get("/r/main/mine/title_abstract.json").json()["decisions"]
    assert [(d["record_id"], d["decision"], d["locked"]) for d in mine] == [
        (crafted, "maybe", False),
        (first, "include", True),
    ]
    html = alice.get("/r/main/mine/title_abstract").text
    assert f'href="/r/main/screen/title_abstract?record={crafted}">revisit' in html
    assert f'href="/r/main/screen/title_abstract?record={first}"' not in html
    # revisiting an open one changes it; the locked one is refused, as the service says
    assert decide(site, alice, crafted, "exclude").status_code == 303
    form = {"csrf": site.csrf_of(alice), "record_id": str(first), "decision": "exclude"}
    locked = alice.post("/r/main/screen/title_abstract", data=form, headers=JSON)
    assert locked.status_code == 409
    assert site.login("vera").get("/r/main/mine/title_abstract.json").status_code == 403


def test_conflicts_page_shows_abstract_and_link(site: Site) -> None:
    first = site.record_ids[0]
    alice, bruno = site.login("alice"), site.login("bruno")
    decide(site, alice, first, "include")
    decide(site, bruno, first, "exclude")
    rita = site.login("rita")
    html = rita.get("/r/main/conflicts/title_abstract").text
    assert f'href="/r/main/record/{first}"' in html
    assert "Infants with spasms were randomised to diet or ACTH." in html
    data = rita.get("/r/main/conflicts/title_abstract.json").json()
    assert data["abstracts"] == {str(first): "Infants with spasms were randomised to diet or ACTH."}
    # the resolver may give one of the review's reasons at title/abstract too
    assert 'aria-label="reason for exclusion"' in html
    form = {
        "csrf": site.csrf_of(rita),
        "record_id": str(first),
        "decision": "exclude",
        "reason": "Wrong population",
    }
    assert rita.post("/r/main/conflicts/title_abstract", data=form).status_code == 303
    stage = rita.get(f"/r/main/record/{first}.json").json()["record"]["stages"][0]
    assert stage["status"] == "resolved"


def test_dedup_run_from_the_page_shows_registry_ids(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "twin.ris"
    path.write_text(TWIN, encoding="utf-8")
    imports.import_file(site.store, path, source="Embase", actor="olga")
    assert dedup.pending_pairs(site.store) == []  # not de-duplicated yet
    ivan = site.login("ivan")  # a viewer who may import
    csrf = site.csrf_of(ivan)
    ran = ivan.post("/r/main/duplicates/run", data={"csrf": csrf}, headers=JSON)
    assert ran.status_code == 200, ran.text
    assert ran.json()["summary"]["uncertain_pairs"] == 1
    (pair,) = ivan.get("/r/main/duplicates.json").json()["pairs"]
    fields = {f["field"]: f for f in pair["fields"]}
    assert {fields["registry_ids"]["a"], fields["registry_ids"]["b"]} == {"", "NCT01234567"}
    page = ivan.post("/r/main/duplicates/run", data={"csrf": csrf})
    assert page.status_code == 303
    shown = ivan.get(page.headers["location"]).text
    assert 'id="ran"' in shown
    assert "1 uncertain pair found" in shown
    assert 'data-field="registry_ids"' in shown
    alice = site.login("alice")
    refused = alice.post("/r/main/duplicates/run", data={"csrf": site.csrf_of(alice)}, headers=JSON)
    assert refused.status_code == 403


def test_import_report_offers_the_dedup_run(site: Site) -> None:
    olga = site.login("olga")
    upload = {"file": ("twin.ris", TWIN.encode())}
    report = olga.post(
        "/r/main/imports", data={"source": "Embase", "csrf": site.csrf_of(olga)}, files=upload
    )
    assert report.status_code == 200
    assert 'action="/r/main/duplicates/run"' in report.text
    ran = olga.post("/r/main/duplicates/run", data={"csrf": site.csrf_of(olga)})
    assert ran.headers["location"] == "/r/main/duplicates?removed=0&uncertain=1"
