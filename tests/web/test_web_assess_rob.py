"""Risk of bias in the browser: RoB 2 question by question with the engine's proposal,
only the questions that apply, overrides with a reason, two assessors blind to each other,
their consensus, and the figures of the agreed judgments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from evidens.rob import load_assessment
from evidens.services.review import accounts
from evidens.services.screening.studies import create_study
from evidens.services.web import assess as web_assess

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
SHARMA = Path(__file__).parents[2] / "examples" / "riss" / "rob" / "sharma2021.toml"
OUTCOME = "Spasm freedom at 4 weeks (parental report)"


@pytest.fixture
def team(site: Site) -> Site:
    """Assessors ann and ben, and the study; rita resolves (conftest)."""
    for name in ("ann", "ben"):
        accounts.create_user(site.store.engine, name, site.password)
        accounts.add_member(site.store, name, "assessor", actor="olga")
    create_study(site.store, "Sharma 2021", design="RCT", actor="olga")
    return site


def sharma_form(**changes: str) -> dict[str, str]:
    """The RISS example's RoB 2 answers as the web form posts them."""
    example = load_assessment(SHARMA.read_text(encoding="utf-8"))
    form = {"outcome": OUTCOME, "instrument": "rob2"}
    form |= {f"setting.{k}": v for k, v in example.settings.items()}
    for domain, answers in example.answers.items():
        for question, answer in answers.items():
            form[f"answer.{domain}.{question}"] = answer.value
            form[f"why.{domain}.{question}"] = example.justifications[domain][question]
    return form | changes


def _sid(site: Site) -> int:
    return next(s.id for s in web_assess.studies(site.store) if s.label == "Sharma 2021")


def _post(site: Site, client: TestClient, tail: str, form: dict[str, str], **kw: Any) -> Any:
    data = {**form, "csrf": site.csrf_of(client)}
    return client.post(f"/r/main/studies/{_sid(site)}/{tail}", data=data, **kw)


def test_the_proposal_follows_the_answers_and_only_asked_questions_count(team: Site) -> None:
    ann = team.login("ann")
    partial = {"outcome": OUTCOME, "instrument": "rob2", "answer.D1.1.1": "Y"}
    found = _post(team, ann, "rob/propose", partial).json()
    assert found["domains"]["D1"]["proposed"] is None
    assert "2.3" not in found["asked"]["D2-assignment"]  # asked when 2.1 or 2.2 is Y/NI
    partial |= {"answer.D2-assignment.2.1": "Y", "answer.D2-assignment.2.3": "N"}
    found = _post(team, ann, "rob/propose", partial).json()
    assert "2.3" in found["asked"]["D2-assignment"]
    assert "2.4" not in found["asked"]["D2-assignment"]  # asked only when 2.3 is Y
    found = _post(team, ann, "rob/propose", partial | {"answer.D2-assignment.2.3": "PY"}).json()
    assert "2.4" in found["asked"]["D2-assignment"]
    whole = _post(team, ann, "rob/propose", sharma_form()).json()
    assert whole["overall"]["proposed"]["label"] == "High"  # the seed's Table 3
    assert whole["domains"]["D1"]["proposed"]["value"] == "low"
    # an answer to a question the other answers make inapplicable is dropped, not refused
    stray = _post(team, ann, "rob/propose", sharma_form(**{"answer.D3.3.2": "N"})).json()
    assert stray["domains"]["D3"]["problems"] == []


def test_an_override_needs_a_reason(team: Site) -> None:
    ann = team.login("ann")
    form = sharma_form(**{"override.D1": "high"})
    refused = _post(team, ann, "rob", form, headers=JSON)
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "overrides.D1.reason"
    live = _post(team, ann, "rob/propose", form).json()
    assert live["error"]
    assert live["domains"]["D1"]["proposed"]["value"] == "low"
    kept = _post(team, ann, "rob", form | {"reason.D1": "baseline imbalance"}, headers=JSON)
    assert kept.json()["saved"]["domains"]["D1"]["final"]["value"] == "high"


def test_two_assessors_blind_then_a_consensus_and_the_figures(team: Site) -> None:
    ann, ben, rita = team.login("ann"), team.login("ben"), team.login("rita")
    assert _post(team, ann, "rob", sharma_form()).status_code == 303
    ben_form = sharma_form(**{"answer.D1.1.3": "N", "why.D1.1.3": "ben's own reading"})
    assert _post(team, ben, "rob", ben_form).status_code == 303
    page = ann.get(f"/r/main/studies/{_sid(team)}/rob", params={"outcome": OUTCOME})
    assert page.status_code == 200
    assert "ben&#39;s own reading" not in page.text
    assert 'data-question="2.4" hidden' in page.text  # not asked: 2.3 is NI
    overview = ann.get("/r/main/rob.json").json()
    assert overview["assessed"][0]["overall"] is None
    assert overview["figures"] == []
    assert ann.get("/r/main/rob/figures/rob-summary.svg").status_code == 404
    assert (
        ann.get(f"/r/main/studies/{_sid(team)}/rob/compare.json", params={"outcome": OUTCOME})
    ).status_code == 403

    compared = rita.get(
        f"/r/main/studies/{_sid(team)}/rob/compare.json", params={"outcome": OUTCOME}
    ).json()
    assert [(q["domain"], q["question"]) for q in compared["report"]["questions"]] == [
        ("D1", "1.3")
    ]
    unresolved = _post(team, rita, "rob/consensus", {"outcome": OUTCOME}, headers=JSON)
    assert unresolved.status_code == 400
    agree = {"outcome": OUTCOME, "agree.D1.1.3": "NI", "because.D1.1.3": "no baseline table"}
    assert "Compare and agree" in rita.get("/r/main/rob").text
    assert _post(team, rita, "rob/consensus", agree).status_code == 303
    agreed_page = rita.get("/r/main/rob").text
    assert "Compare and agree" not in agreed_page
    assert "See the agreement" in agreed_page

    overview = ben.get("/r/main/rob.json").json()
    assert overview["assessed"][0]["overall"] == "high"
    assert len(overview["figures"]) == 2
    figure = ben.get(overview["figures"][0])
    assert figure.status_code == 200
    assert figure.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in figure.content
    shown = ben.get(f"/r/main/studies/{_sid(team)}/rob.json", params={"outcome": OUTCOME})
    assert shown.json()["agreed"]["final_overall"] == "high"


def test_the_start_form_and_bad_input(team: Site) -> None:
    ann = team.login("ann")
    start = ann.get(
        "/r/main/rob/start",
        params={"study_id": _sid(team), "outcome": "Pain", "instrument": "rob2"},
    )
    assert start.status_code == 303
    assert "outcome=Pain" in start.headers["location"]
    assert ann.get(f"/r/main/studies/{_sid(team)}/rob.json").status_code == 400  # no outcome
    wrong = ann.get(
        f"/r/main/studies/{_sid(team)}/rob.json", params={"outcome": "x", "instrument": "nope"}
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"]["field"] == "instrument"
    bad = _post(team, ann, "rob", sharma_form(**{"answer.D1.1.1": "maybe"}), headers=JSON)
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "answer.D1.1.1"


def test_differing_overrides_are_agreed_on_the_consensus_page(team: Site) -> None:
    ann, ben, rita = team.login("ann"), team.login("ben"), team.login("rita")
    raised = {"override.D1": "high", "reason.D1": "baseline imbalance in Table 1"}
    assert _post(team, ann, "rob", sharma_form(**raised)).status_code == 303
    assert _post(team, ben, "rob", sharma_form()).status_code == 303
    page = rita.get(f"/r/main/studies/{_sid(team)}/rob/compare", params={"outcome": OUTCOME})
    assert 'name="override.D2-adhering"' in page.text
    refused = _post(team, rita, "rob/consensus", {"outcome": OUTCOME}, headers=JSON)
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "overrides"
    agreed = {"outcome": OUTCOME, "instrument": "rob2", **raised}
    done = _post(team, rita, "rob/consensus", agreed, headers=JSON)
    assert done.status_code == 200
    assert done.json()["consensus"]["domains"]["D1"]["final"]["value"] == "high"


def test_robins_i_domains_without_an_algorithm_are_judged_by_override(team: Site) -> None:
    ann = team.login("ann")
    page = ann.get(
        f"/r/main/studies/{_sid(team)}/rob", params={"outcome": "Relapse", "instrument": "robins-i"}
    )
    assert page.status_code == 200
    assert "ROBINS-I" in page.text
    assert '<option value="serious">Serious</option>' in page.text
    form = {"outcome": "Relapse", "instrument": "robins-i", "override.D1": "serious"}
    found = _post(team, ann, "rob/propose", form).json()
    assert found["error"] is None
    assert found["domains"]["D1"]["proposed"] is None  # ROBINS-I 2016 has no algorithm
    assert found["domains"]["D1"]["final"] == {"value": "serious", "label": "Serious"}
