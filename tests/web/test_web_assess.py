"""Extraction in the browser: each extractor's own form, validation per field, blinding
until agreed, discrepancies field by field and settling them; all on a real store."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from evidens.services.assessment.extraction_edit import extraction_status
from evidens.services.review import accounts
from evidens.services.screening.studies import create_study
from evidens.services.web import assess as web_assess

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
STUDY = "Rivera 2020"
FORM_TOML = """
[form]
name = "Web test form"
version = "2"
[[sections]]
id = "characteristics"
title = "Study characteristics"
[[sections.fields]]
id = "sample_size"
label = "Sample size"
type = "integer"
min = 1
[[sections.fields]]
id = "design"
label = "Study design"
type = "choice"
choices = ["RCT", "Cohort"]
[[sections.fields]]
id = "settings"
label = "Settings"
type = "multi_choice"
choices = ["Hospital", "Clinic"]
[[sections.fields]]
id = "started"
label = "Started"
type = "date"
[[outcomes]]
id = "spasm_free"
name = "Spasm freedom"
kind = "binary"
"""


@pytest.fixture
def team(site: Site) -> Site:
    """Extractors eddy and fay, and the study they extract; rita resolves (conftest)."""
    from evidens.services.assessment.extraction_edit import set_form

    for name in ("eddy", "fay"):
        accounts.create_user(site.store.engine, name, site.password)
        accounts.add_member(site.store, name, "extractor", actor="olga")
    create_study(site.store, STUDY, design="RCT", actor="olga")
    set_form(site.store, FORM_TOML, "olga")
    return site


def _study_id(site: Site) -> int:
    return next(s.id for s in web_assess.studies(site.store) if s.label == STUDY)


def _answers(size: str, events: str = "11", total: str = "46") -> dict[str, Any]:
    return {
        "characteristics.sample_size": size,
        "characteristics.design": "RCT",
        "characteristics.settings": ["Hospital", "Clinic"],
        "characteristics.started": "2019-03-01",
        "outcomes.spasm_free.experimental.events": events,
        "outcomes.spasm_free.experimental.total": total,
        "outcomes.spasm_free.comparator.events": "0",
        "outcomes.spasm_free.comparator.total": "45",
    }


def _save(site: Site, client: TestClient, form: dict[str, Any], **kw: Any) -> Any:
    url = f"/r/main/studies/{_study_id(site)}/extraction"
    return client.post(url, data={**form, "csrf": site.csrf_of(client)}, **kw)


def test_the_form_shows_every_field_and_arm_table(team: Site) -> None:
    eddy = team.login("eddy")
    page = eddy.get(f"/r/main/studies/{_study_id(team)}/extraction")
    assert page.status_code == 200
    for name in (
        'name="characteristics.sample_size"',
        'type="date"',
        'type="checkbox" name="characteristics.settings" value="Clinic"',
        "<option>Cohort</option>",
        'name="outcomes.spasm_free.comparator.total"',
    ):
        assert name in page.text
    twin = eddy.get(f"/r/main/studies/{_study_id(team)}/extraction.json").json()
    assert twin["study"]["label"] == STUDY
    assert twin["saved"] is False


def test_refused_answers_are_marked_per_field_and_nothing_is_saved(team: Site) -> None:
    eddy = team.login("eddy")
    page = _save(team, eddy, _answers("many", events="50"))
    assert page.status_code == 400
    assert 'id="f-characteristics-sample_size-error"' in page.text
    assert 'aria-invalid="true" aria-describedby="f-characteristics-sample_size-error"' in page.text
    assert "events 50 &gt; total 46" in page.text
    assert 'value="many"' in page.text  # the form comes back as typed
    twin = _save(team, eddy, _answers("0"), headers=JSON)
    assert twin.status_code == 400
    assert set(twin.json()["errors"]) == {"characteristics.sample_size"}
    assert extraction_status(team.store) == ()


def test_two_extractors_blind_then_one_discrepancy_settled(team: Site) -> None:
    eddy, fay, rita = team.login("eddy"), team.login("fay"), team.login("rita")
    assert _save(team, eddy, _answers("91")).status_code == 303
    assert _save(team, fay, _answers("19")).status_code == 303
    sid = _study_id(team)
    mine = fay.get(f"/r/main/studies/{sid}/extraction.json").json()
    assert mine["answers"]["characteristics.sample_size"] == "19"
    hidden = fay.get(f"/r/main/studies/{sid}/extraction").text  # eddy's 91 is hidden
    assert 'value="19"' in hidden
    # not "91" anywhere: a random CSRF token may contain it
    assert 'value="91"' not in hidden
    assert ">91<" not in hidden
    assert mine["agreed"] is None
    assert eddy.get(f"/r/main/studies/{sid}/discrepancies.json").status_code == 403

    report = rita.get(f"/r/main/studies/{sid}/discrepancies.json").json()
    assert [d["key"] for d in report["report"]["discrepancies"]] == ["characteristics.sample_size"]
    assert report["agreed"] is None
    form = {
        "field": "characteristics.sample_size",
        "settle_with": "take:eddy",
        "note": "Table 1 says 91",
        "csrf": team.csrf_of(rita),
    }
    settled = rita.post(f"/r/main/studies/{sid}/settle", data=form)
    assert settled.status_code == 303
    agreed = fay.get(f"/r/main/studies/{sid}/extraction.json").json()["agreed"]
    assert dict(agreed["values"])["characteristics.sample_size"] == 91
    assert agreed["decided_by"] == "rita"
    overview = eddy.get("/r/main/extraction.json").json()["studies"][0]
    assert overview["agreed"] is True
    assert overview["extractors"] == ["eddy", "fay"]


def test_settling_needs_a_choice_and_a_third_extractor_is_refused(team: Site) -> None:
    eddy, fay, olga = team.login("eddy"), team.login("fay"), team.login("olga")
    _save(team, eddy, _answers("91"))
    _save(team, fay, _answers("19"))
    sid = _study_id(team)
    bad = {"field": "characteristics.sample_size", "note": "x", "csrf": team.csrf_of(olga)}
    refused = olga.post(f"/r/main/studies/{sid}/settle", data=bad, headers=JSON)
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "settle_with"
    third = _save(team, olga, _answers("91"), headers=JSON)
    assert third.status_code == 409
    assert "eddy and fay" in third.json()["error"]["message"]


def test_a_study_of_another_review_is_not_found(team: Site) -> None:
    eddy = team.login("eddy")
    assert eddy.get("/r/main/studies/999999/extraction.json").status_code == 404


def test_save_extraction_checks_answers_against_the_form_and_is_audited(team: Site) -> None:
    from sqlalchemy import select

    from evidens.errors import ValidationError
    from evidens.extraction import Extraction
    from evidens.services.assessment.extraction_edit import save_extraction
    from evidens.store.models import AuditRow

    stray = Extraction(STUDY, "eddy", (("characteristics.colour", "blue"),))
    with pytest.raises(ValidationError, match="not a field of the form"):
        save_extraction(team.store, stray, actor="eddy")
    assert extraction_status(team.store) == ()
    kept = Extraction(STUDY, "eddy", (("characteristics.sample_size", 91),))
    save_extraction(team.store, kept, actor="eddy")
    with team.store.engine.connect() as conn:
        actor, after = conn.execute(
            select(AuditRow.actor, AuditRow.after)
            .where(AuditRow.action == "extract")
            .order_by(AuditRow.id.desc())
        ).first() or (None, None)
    assert actor == "eddy"
    assert after == {"extractor": "eddy", "form": "web", "replaced": False}


def test_the_default_form_is_shown_before_any_is_set(site: Site) -> None:
    accounts.create_user(site.store.engine, "eddy", site.password)
    accounts.add_member(site.store, "eddy", "extractor", actor="olga")
    create_study(site.store, STUDY, design="RCT", actor="olga")
    eddy = site.login("eddy")
    twin = eddy.get(f"/r/main/studies/{_study_id(site)}/extraction.json").json()
    assert twin["form"]["name"] == "Study characteristics and outcome data"
