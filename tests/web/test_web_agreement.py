"""Agreement statistics on the dashboard: kappa, PABAK and AC1 per pair and stage, checked
against values worked by hand from Cohen (1960), Byrt et al. (1993) and Gwet (2008); and
never over a record still waiting for a required decision (blinding)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
TOLERANCE = 1e-9  # closed-form values: only floating-point rounding separates them


def _decide(site: Site, client: TestClient, record: int, decision: str) -> None:
    form = {"record_id": str(record), "decision": decision, "csrf": site.csrf_of(client)}
    answer = client.post("/r/main/screen/title_abstract", data=form, headers=JSON)
    assert answer.status_code == 200, answer.text


def test_kappa_pabak_ac1_for_a_pair(site: Site) -> None:
    first, second, third = site.record_ids
    plans = {
        "alice": {first: "include", second: "include", third: "exclude"},
        "bruno": {first: "include", second: "exclude", third: "exclude"},
    }
    for name, plan in plans.items():
        client = site.login(name)
        for record, decision in plan.items():
            _decide(site, client, record, decision)
    (pair,) = site.login("vera").get("/r/main.json").json()["agreement"]
    assert (pair["reviewer_a"], pair["reviewer_b"], pair["stage"]) == (
        "alice",
        "bruno",
        "title_abstract",
    )
    assert pair["n"] == 3
    # table [[1, 1], [0, 1]]: po = 2/3; pe = 2/3*1/3 + 1/3*2/3 = 4/9 -> kappa = 0.4;
    # PABAK = 2 po - 1 = 1/3; AC1: pi = 1/2, pe = 2 pi (1 - pi) = 1/2 -> (2/3 - 1/2) / (1/2)
    assert pair["observed"] == pytest.approx(2 / 3, abs=TOLERANCE)
    assert pair["kappa"]["value"] == pytest.approx(0.4, abs=TOLERANCE)
    assert pair["pabak"]["value"] == pytest.approx(1 / 3, abs=TOLERANCE)
    assert pair["ac1"]["value"] == pytest.approx(1 / 3, abs=TOLERANCE)
    assert pair["kappa"]["ci_low"] < 0.4 < pair["kappa"]["ci_high"]
    html = site.login("olga").get("/r/main").text
    assert "0.40" in html
    assert "Gwet" in html


def test_open_records_are_left_out(site: Site) -> None:
    olga = site.login("olga")
    form = {
        "required_title_abstract": "3",
        "required_full_text": "2",
        "csrf": site.csrf_of(olga),
    }
    assert olga.post("/r/main/setup", data=form, headers=JSON).status_code == 200
    first = site.record_ids[0]
    for name in ("alice", "bruno"):
        _decide(site, site.login(name), first, "include")
    # two of three decisions: alice and bruno agree, which would tell rita their verdict
    assert site.login("rita").get("/r/main.json").json()["agreement"] == []
    _decide(site, site.login("rita"), first, "exclude")
    pairs = site.login("rita").get("/r/main.json").json()["agreement"]
    assert pairs
    assert all(p["n"] == 1 for p in pairs)
    assert {(p["reviewer_a"], p["reviewer_b"]) for p in pairs} >= {("alice", "rita")}


def _start_pilot(site: Site, client: TestClient, size: str, team: str = "") -> Any:
    form = {"size": size, "reviewers": team, "csrf": site.csrf_of(client)}
    return client.post("/r/main/pilot", data=form, headers=JSON)


def test_pilot_records_come_first_and_their_agreement_is_shown(site: Site) -> None:
    olga = site.login("olga")
    started = _start_pilot(site, olga, "2", "alice, bruno")
    assert started.status_code == 200, started.text
    sample = started.json()["pilot"]
    assert len(sample) == 2
    assert set(sample) <= set(site.record_ids)
    for name, decision in (("alice", "include"), ("bruno", "exclude")):
        client = site.login(name)
        for _ in sample:
            card = client.get("/r/main/screen/title_abstract.json").json()
            assert card["placement"]["order"] == "pilot"
            assert card["record"]["record_id"] in sample
            _decide(site, client, card["record"]["record_id"], decision)
        after = client.get("/r/main/screen/title_abstract.json").json()
        assert after["placement"]["order"] != "pilot"
    pilot = olga.get("/r/main.json").json()["pilot"]
    assert pilot["records"] == sorted(sample)
    assert pilot["reviewers"] == ["alice", "bruno"]
    assert pilot["complete"] == 2
    (pair,) = pilot["agreement"]
    assert pair["n"] == 2
    assert pair["observed"] == 0.0
    assert "Pilot round" in olga.get("/r/main").text


def test_every_pilot_reviewer_screens_every_pilot_record_blind(site: Site) -> None:
    """Two decisions are required, but the pilot team is three: the third still gets each
    pilot record, sees nobody's decision on it, and neither conflicts nor agreement show
    it until all three have decided."""
    olga = site.login("olga")
    sample = _start_pilot(site, olga, "2", "alice, bruno, rita").json()["pilot"]
    for name, decision in (("alice", "include"), ("bruno", "exclude")):
        client = site.login(name)
        for _ in sample:
            card = client.get("/r/main/screen/title_abstract.json").json()
            _decide(site, client, card["record"]["record_id"], decision)
    rita = site.login("rita")  # reviewer and resolver
    card = rita.get("/r/main/screen/title_abstract.json").json()
    assert card["placement"]["order"] == "pilot"
    assert card["record"]["record_id"] == sample[0]
    asked = rita.get(f"/r/main/screen/title_abstract.json?record={sample[1]}").json()
    assert asked["record"]["visible"] == []  # two decisions in, but not the whole team's
    assert rita.get("/r/main/conflicts/title_abstract.json").json()["conflicts"] == []
    form = {"record_id": str(sample[0]), "decision": "include", "csrf": site.csrf_of(rita)}
    assert rita.post("/r/main/conflicts/title_abstract", data=form, headers=JSON).status_code == 409
    assert olga.get("/r/main.json").json()["agreement"] == []
    assert olga.get("/r/main.json").json()["pilot"]["complete"] == 0
    # olga screens but is not on the team: pilot records are not hers to screen
    theirs = olga.get("/r/main/screen/title_abstract.json").json()
    assert theirs["placement"]["order"] != "pilot"
    assert theirs["record"]["record_id"] not in sample
    _decide(site, rita, sample[0], "include")
    _decide(site, rita, sample[1], "exclude")
    assert rita.get("/r/main/screen/title_abstract.json").json()["placement"]["order"] != "pilot"
    shown = rita.get(f"/r/main/screen/title_abstract.json?record={sample[1]}").json()
    assert {d["reviewer"] for d in shown["record"]["visible"]} == {"rita"}  # a conflict
    form = {"record_id": str(sample[1]), "decision": "exclude", "csrf": site.csrf_of(rita)}
    assert rita.post("/r/main/conflicts/title_abstract", data=form, headers=JSON).status_code == 200
    shown = rita.get(f"/r/main/screen/title_abstract.json?record={sample[1]}").json()
    assert {d["reviewer"] for d in shown["record"]["visible"]} == {"alice", "bruno", "rita"}
    pilot = olga.get("/r/main.json").json()["pilot"]
    assert pilot["complete"] == 2
    pairs = {(a["reviewer_a"], a["reviewer_b"]): a for a in pilot["agreement"]}
    assert set(pairs) == {("alice", "bruno"), ("alice", "rita"), ("bruno", "rita")}
    assert all(a["n"] == 2 for a in pairs.values())
    assert pairs[("alice", "rita")]["observed"] == 0.5
    assert pairs[("bruno", "rita")]["observed"] == 0.5
    listed = rita.get("/r/main/conflicts/title_abstract.json").json()["conflicts"]
    assert {c["record_id"] for c in listed} == {sample[0]}  # sample[1] was resolved above


def test_the_pilot_team_is_everyone_who_screens_unless_named(site: Site) -> None:
    olga = site.login("olga")
    assert _start_pilot(site, olga, "2").status_code == 200
    team = olga.get("/r/main.json").json()["pilot"]["reviewers"]
    assert team == ["alice", "bruno", "olga", "rita"]  # vera and ivan may not screen
    for names in ("alice, vera", "alice", "alice, nobody"):
        refused = _start_pilot(site, olga, "2", names)
        assert refused.status_code == 400, names
        assert refused.json()["error"]["message"]
    assert olga.get("/r/main.json").json()["pilot"]["reviewers"] == team


def test_only_the_owner_starts_a_pilot_with_a_sensible_size(site: Site) -> None:
    for name, status in (("alice", 403), ("rita", 403), ("ivan", 403), ("zed", 404)):
        assert _start_pilot(site, site.login(name), "2").status_code == status, name
    olga = site.login("olga")
    assert _start_pilot(site, olga, "0").status_code == 400
    assert _start_pilot(site, olga, "lots").status_code == 400
    no_token = olga.post("/r/main/pilot", data={"size": "2"}, headers=JSON)
    assert no_token.status_code == 403
    assert olga.get("/r/main.json").json()["pilot"] is None


def test_an_open_pilot_record_is_in_no_records_list_by_its_verdict(site: Site) -> None:
    """Two of three pilot reviewers agreeing to exclude would, by the normal rule, list the
    record under "records excluded" - where the third could look it up."""
    olga = site.login("olga")
    sample = _start_pilot(site, olga, "1", "alice, bruno, rita").json()["pilot"]
    for name in ("alice", "bruno"):
        _decide(site, site.login(name), sample[0], "exclude")
    rita = site.login("rita")
    excluded = rita.get("/r/main/records/records_excluded.json").json()
    assert excluded["total"] == 0
    screened = rita.get("/r/main/records/records_screened.json").json()["records"]
    assert sample[0] not in [r["record_id"] for r in screened]  # not screened until complete
    _decide(site, rita, sample[0], "exclude")
    excluded = rita.get("/r/main/records/records_excluded.json").json()
    assert [r["record_id"] for r in excluded["records"]] == sample
    screened = rita.get("/r/main/records/records_screened.json").json()["records"]
    (line,) = [r for r in screened if r["record_id"] == sample[0]]
    assert line["statuses"] == [["title_abstract", "complete-agreed"]]
