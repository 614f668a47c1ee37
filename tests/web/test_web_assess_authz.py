"""The authorization matrix of the extraction and risk-of-bias routes: each role (and a
member of another review, and nobody) against each route, on this review's studies and on
another review's."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from evidens.rob import Answer, load_assessment
from evidens.rob.dual import Resolution
from evidens.rob.files import dump_assessment
from evidens.services.assessment.risk_of_bias_edit import add_assessment, record_consensus
from evidens.services.review import accounts
from evidens.services.screening.studies import create_study
from evidens.services.web import assess as web_assess

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
OK, DENIED, HIDDEN, ANON = 200, 403, 404, 401
SHARMA = Path(__file__).parents[2] / "examples" / "riss" / "rob" / "sharma2021.toml"
ACTIONS = (
    "view_extraction",
    "view_rob",
    "figure",
    "extract_form",
    "extract_save",
    "discrepancies",
    "settle",
    "assess_form",
    "propose",
    "assess_save",
    "compare",
    "consensus",
)
VIEW = ("view_extraction", "view_rob", "figure")
EXTRACT = ("extract_form", "extract_save")
ASSESS = ("assess_form", "propose", "assess_save")
RESOLVE = ("discrepancies", "settle", "compare", "consensus")


def _allowed(*groups: tuple[str, ...]) -> dict[str, int]:
    granted = {a for g in groups for a in g}
    return {a: OK if a in granted else DENIED for a in ACTIONS}


# olga owner; alice reviewer (extracts, assesses); rita reviewer who resolves; vera viewer;
# eddy an extractor; ann an assessor; zed owns the other review only
EXPECTED = {
    "olga": _allowed(VIEW, EXTRACT, ASSESS, RESOLVE),
    "alice": _allowed(VIEW, EXTRACT, ASSESS),
    "rita": _allowed(VIEW, EXTRACT, ASSESS, RESOLVE),
    "vera": _allowed(VIEW),
    "eddy": _allowed(VIEW, EXTRACT),
    "ann": _allowed(VIEW, ASSESS),
    "zed": dict.fromkeys(ACTIONS, HIDDEN),
}
OUTCOME = "Spasm freedom at 4 weeks (parental report)"


@pytest.fixture
def world(site: Site) -> Site:
    """Extra members; a study per person (two extractors at most per study); a study with
    two assessments and their consensus, so the figures and the comparison exist."""
    accounts.create_user(site.store.engine, "eddy", site.password)
    accounts.add_member(site.store, "eddy", "extractor", actor="olga")
    accounts.create_user(site.store.engine, "ann", site.password)
    accounts.add_member(site.store, "ann", "assessor", actor="olga")
    for person in EXPECTED:
        create_study(site.store, f"S-{person}", design="RCT", actor="olga")
        create_study(site.other, f"S-{person}", design="RCT", actor="zed")
    example = load_assessment(SHARMA.read_text(encoding="utf-8"))
    for store, owner in ((site.store, "olga"), (site.other, "zed")):
        create_study(store, example.study, design="RCT", actor=owner)
        for name, answer in (("A1", Answer.NI), ("A2", Answer.N)):
            answers = {k: dict(v) for k, v in example.answers.items()}
            answers["D1"]["1.3"] = answer
            text = dump_assessment(dataclasses.replace(example, assessor=name, answers=answers))
            add_assessment(store, text, path=None, actor=owner)
        record_consensus(
            store,
            example.study,
            OUTCOME,
            [Resolution("D1", "1.3", Answer.NI, "agreed")],
            decided_by=owner,
            actor=owner,
        )
    return site


def _study(store: Any, label: str) -> int:
    return next(s.id for s in web_assess.studies(store) if s.label == label)


def _attempt(site: Site, client: TestClient, action: str, store: Any, person: str) -> int:
    slug = store.slug
    csrf = site.csrf_of(client) if "evidens_session" in client.cookies else "x"
    mine = f"/r/{slug}/studies/{_study(store, f'S-{person}')}"
    sharma = f"/r/{slug}/studies/{_study(store, 'Sharma 2021')}"
    rob = {"outcome": "Authz", "instrument": "rob2", "csrf": csrf, "answer.D1.1.1": "Y"}
    gets = {
        "view_extraction": f"/r/{slug}/extraction.json",
        "view_rob": f"/r/{slug}/rob.json",
        "figure": f"/r/{slug}/rob/figures/rob-summary.svg",
        "extract_form": f"{mine}/extraction.json",
        "discrepancies": f"{mine}/discrepancies.json",
        "assess_form": f"{mine}/rob.json?outcome=Authz",
        "compare": f"{sharma}/rob/compare.json?outcome={OUTCOME}",
    }
    if action in gets:
        return client.get(gets[action], headers=JSON).status_code
    posts = {
        "extract_save": (f"{mine}/extraction", {"csrf": csrf}),
        "settle": (
            f"{mine}/settle",
            {"csrf": csrf, "field": "x.y", "settle_with": "empty", "note": "n"},
        ),
        "propose": (f"{mine}/rob/propose", rob),
        "assess_save": (f"{mine}/rob", rob),
        "consensus": (
            f"{sharma}/rob/consensus",
            {"csrf": csrf, "outcome": OUTCOME, "agree.D1.1.3": "NI", "because.D1.1.3": "ok"},
        ),
    }
    url, form = posts[action]
    got = client.post(url, data=form, headers=JSON).status_code
    # settling a study nobody extracted is refused after the permission check (409)
    return OK if (action == "settle" and got == 409) else got


def test_each_role_against_each_route(world: Site) -> None:
    for person, actions in EXPECTED.items():
        client = world.login(person)
        for action, expected in actions.items():
            assert _attempt(world, client, action, world.store, person) == expected, (
                person,
                action,
            )
        if person != "zed":  # another review's data: 404, as if it did not exist
            for action in ACTIONS:
                got = _attempt(world, client, action, world.other, person)
                assert got == HIDDEN, (person, action)


def test_nobody_signed_in_reaches_nothing(world: Site) -> None:
    client = world.app_client()
    for action in ACTIONS:
        assert _attempt(world, client, action, world.store, "olga") == ANON, action
    page = client.get("/r/main/extraction")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


def test_a_study_of_another_review_is_not_found_through_this_one(world: Site) -> None:
    olga = world.login("olga")
    theirs = _study(world.other, "Sharma 2021")
    assert olga.get(f"/r/main/studies/{theirs}/extraction.json").status_code == 404
    got = olga.get(f"/r/main/studies/{theirs}/rob/compare.json", params={"outcome": OUTCOME})
    assert got.status_code == 404
