"""Synthesis, GRADE and outputs in the browser, on the seed's RISS review (built from
examples/riss): the analyses with their pooled effects and forest plots, defining one with
the RevMan 5 preset, a GRADE judgment beside its suggestion, the SoF and report downloads."""

from __future__ import annotations

import io
import shutil
import sqlite3
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.run import load_review
from evidens.services.review import accounts
from evidens.services.store import open_review, transaction
from evidens.services.synthesis.analyses import analysis_names
from evidens.web.app import create_app

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"
PASSWORD = "correct horse battery"
JSON = {"accept": "application/json"}
TEAM = {"olga": "owner", "vera": "viewer", "alice": "reviewer"}
Login = Callable[[str], TestClient]


@pytest.fixture(scope="module")
def riss_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The RISS review loaded from its folder, with a small team, built once."""
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    db = tmp_path_factory.mktemp("riss-web") / "riss.db"
    with load_review(read_review_dir(RISS), db) as (store, _):
        for name, role in TEAM.items():
            accounts.create_user(store.engine, name, PASSWORD)
            accounts.add_member(store, name, role, actor="olga")
    accounts.use_hasher(previous)
    return db


@pytest.fixture
def login(
    riss_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Login, Path]]:
    db = tmp_path / "riss.db"
    shutil.copyfile(riss_db, db)
    monkeypatch.setenv("EVIDENS_JOBS", "memory")  # one process: the app's own worker thread
    store = open_review(db, "riss")
    app = create_app(store.engine)
    clients: list[TestClient] = []

    def sign_in(name: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        form = client.get("/login")
        token = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        answer = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": token})
        assert answer.status_code == 303
        return client

    yield sign_in, db
    for client in clients:
        client.close()
    store.dispose()


def _csrf(client: TestClient) -> str:
    return client.get("/").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def test_analyses_show_pooled_effects_and_forest_plots(login: tuple[Login, Path]) -> None:
    client = login[0]("vera")
    data = client.get("/r/riss/analyses.json").json()
    by_name = {a["name"]: a for a in data["analyses"]}
    assert by_name["spasm-free-rr"]["summary"]["k"] == 1
    assert by_name["spasm-free-rr"]["summary"]["estimate"] == pytest.approx(22.51, abs=0.01)
    assert "spasm_free" in data["outcomes"]
    page = client.get("/r/riss/analyses")
    assert 'src="/r/riss/analyses/spasm-free-rr/forest.svg"' in page.text
    assert "Define an analysis" not in page.text  # a viewer may look, not change
    forest = client.get("/r/riss/analyses/spasm-free-rr/forest.svg")
    assert forest.headers["content-type"].startswith("image/svg+xml")
    assert b"Sharma 2021" in forest.content
    assert client.get("/r/riss/analyses/spasm-free-rr/funnel.svg").status_code == 200
    assert client.get("/r/riss/analyses/no-such/forest.svg").status_code == 404


def test_defining_an_analysis_with_the_revman_preset(login: tuple[Login, Path]) -> None:
    sign_in, db = login
    olga = sign_in("olga")
    form = {
        "name": "spasm-free-or",
        "outcome": "spasm_free",
        "measure": "OR",
        "preset": "revman",
        "labels": "Favours normal diet | Favours diet",
        "csrf": _csrf(olga),
    }
    assert olga.post("/r/riss/analyses", data=form).status_code == 303
    data = olga.get("/r/riss/analyses.json").json()
    (new,) = [a for a in data["analyses"] if a["name"] == "spasm-free-or"]
    assert new["spec"]["preset"] == "RevMan 5"
    assert "Mantel-Haenszel" in new["summary"]["methods"] or "MH" in new["summary"]["methods"]
    # an outcome without agreed data is refused whole, with the outcomes that have some
    bad = {**form, "name": "bad", "outcome": "nope"}
    refused = olga.post("/r/riss/analyses", data=bad, headers=JSON)
    assert refused.status_code == 400
    assert "spasm_free" in refused.json()["error"]["message"]
    for trick in ("../../etc/passwd", 'a"b', ""):  # it names figure files: never a path
        named = olga.post("/r/riss/analyses", data={**form, "name": trick}, headers=JSON)
        assert named.status_code == 400
        assert named.json()["error"]["field"] == "name"
    with open_review(db, "riss") as store, transaction(store, "test") as uow:
        names = analysis_names(uow)
    assert "spasm-free-or" in names
    assert "bad" not in names
    # a viewer may not define one; removing takes it away
    vera = sign_in("vera")
    denied = vera.post("/r/riss/analyses", data={**form, "csrf": _csrf(vera)}, headers=JSON)
    assert denied.status_code == 403
    gone = {"name": "spasm-free-or", "csrf": _csrf(olga)}
    assert olga.post("/r/riss/analyses/remove", data=gone).status_code == 303
    assert "spasm-free-or" not in olga.get("/r/riss/analyses").text


def test_a_grade_judgment_beside_its_suggestion(login: tuple[Login, Path]) -> None:
    olga = login[0]("olga")
    grade = olga.get("/r/riss/grade.json").json()
    first = grade["outcomes"][0]
    imprecision = next(d for d in first["domains"] if d["domain"] == "imprecision")
    assert imprecision["suggested"]["rating"] == "serious"
    assert {"name": "participants", "value": "91"} in imprecision["suggested"]["inputs"]
    form = {
        "outcome": first["name"],
        "domain": "imprecision",
        "rating": "very serious",
        "reason": "One trial of 91 children <b>only</b>",
        "csrf": _csrf(olga),
    }
    assert olga.post("/r/riss/grade", data=form).status_code == 303
    page = olga.get("/r/riss/grade")
    assert "One trial of 91 children &lt;b&gt;only&lt;/b&gt;" in page.text
    again = olga.get("/r/riss/grade.json").json()["outcomes"][0]
    judged = next(d for d in again["domains"] if d["domain"] == "imprecision")
    assert judged["rating"] == "very serious"
    assert judged["suggested"]["rating"] == "serious"  # the suggestion stays beside it
    wrong = {**form, "domain": "luck"}
    assert olga.post("/r/riss/grade", data=wrong, headers=JSON).status_code == 400
    sof = olga.get("/r/riss/grade/sof.docx")
    assert sof.content.startswith(b"PK")
    assert sof.headers["content-disposition"] == 'attachment; filename="sof.docx"'


def test_outputs_are_built_as_a_job_and_downloaded(login: tuple[Login, Path]) -> None:
    olga = login[0]("olga")
    started = olga.post("/r/riss/outputs/build", data={"csrf": _csrf(olga)}, headers=JSON)
    assert started.status_code == 202
    job = started.json()
    deadline = time.monotonic() + 120
    while job["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.3)
        job = olga.get(f"/r/riss/jobs/{job['id']}.json").json()
    assert job["state"] == "done", job
    assert "store" not in job
    listed = olga.get("/r/riss/outputs.json").json()
    assert "report.html" in listed["files"]
    assert listed["build"]["percent"] == 100
    report = olga.get("/r/riss/outputs/files/report.docx")
    assert report.headers["content-disposition"] == 'attachment; filename="report.docx"'
    assert zipfile.ZipFile(io.BytesIO(report.content)).namelist()
    assert olga.get("/r/riss/outputs/files/..%2Freview.db").status_code == 404
    records = olga.get("/r/riss/exports/records.csv")
    assert records.status_code == 200
    assert b"title_abstract_decision" in records.content
    assert olga.get("/r/riss/exports/rob-traffic-light.svg").content.startswith(b"<?xml")
    assert olga.get("/r/riss/exports/review.db").status_code == 404
    page = olga.get("/r/riss/outputs")
    assert "href='/r/riss/records/" in page.text  # the PRISMA boxes link to their records


def test_grade_started_in_the_browser_from_an_analysis(login: tuple[Login, Path]) -> None:
    sign_in, db = login
    with sqlite3.connect(db) as conn:  # the review as if its judgments file had never come
        conn.execute("DELETE FROM grade_profiles")
    olga = sign_in("olga")
    assert olga.get("/r/riss/grade.json").json()["started"] is False
    assert "Grade an outcome" in olga.get("/r/riss/grade").text
    form = {
        "analysis": "spasm-free-rr",
        "name": "Spasm free",
        "importance": "critical",
        "indirectness": "serious",
        "reason": "The diet was added to antiepileptic drugs",
        "csrf": _csrf(olga),
    }
    assert olga.post("/r/riss/grade/outcomes", data=form).status_code == 303
    (outcome,) = olga.get("/r/riss/grade.json").json()["outcomes"]
    domains = {d["domain"]: d for d in outcome["domains"]}
    assert domains["indirectness"]["rating"] == "serious"
    assert domains["imprecision"]["rating"] == domains["imprecision"]["suggested"]["rating"]
    assert domains["imprecision"]["reason"] == domains["imprecision"]["suggested"]["explanation"]
    assert outcome["certainty"] == "Very low"
    again = olga.post("/r/riss/grade/outcomes", data=form, headers=JSON)
    assert again.status_code == 400  # graded already: nothing changes
    # an override without a reason is refused; accepting the suggestion back is not
    judge = {"outcome": "Spasm free", "domain": "imprecision", "csrf": _csrf(olga)}
    override = olga.post("/r/riss/grade", data={**judge, "rating": "not serious"}, headers=JSON)
    assert override.status_code == 400
    assert "reason" in override.json()["error"]["message"]
    accepted = olga.post("/r/riss/grade", data={**judge, "rating": "accept"}, headers=JSON)
    assert accepted.status_code == 200
    assert olga.get("/r/riss/grade/sof.docx").content.startswith(b"PK")
