"""The authorization matrix over every route of the web app: one row per (method, path) of
``create_app(...).routes``, each role of a seeded review (owner, reviewer, extractor,
assessor, viewer), a member of another review and nobody signed in, each asked with real
ids (and, on a POST, the session's CSRF token). A route without a row fails
:func:`test_every_route_has_a_row`, naming it; adding one is one line in :data:`MATRIX`.

The per-area matrices (test_web_authz, test_web_team_authz, test_web_fulltext_authz,
test_web_assess_authz, test_web_synthesis_authz) stay as the deeper checks of each area's
rules (other reviews' ids, CSRF, reset links); their tables are keyed by area-specific
action names, not routes, so this one names routes itself.

Blinding is part of the matrix: Alice's open decision (its note) never appears in any
response to anyone else, and the JSON twins of the screening, record, conflicts and
my-decisions pages are asked for that record by Bruno, a reviewer who has not decided it."""

from __future__ import annotations

import dataclasses
import shutil
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from sqlalchemy import create_engine

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.rob import Answer, load_assessment
from evidens.rob.dual import Resolution
from evidens.rob.files import dump_assessment
from evidens.services.assessment.risk_of_bias_edit import add_assessment, record_consensus
from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.run import load_review
from evidens.services.identification import imports
from evidens.services.review import accounts, members
from evidens.services.screening.decisions import record_decision
from evidens.services.screening.fulltext import attach_pdf
from evidens.services.screening.studies import create_study
from evidens.services.store import ReviewStore, create_review, open_review
from evidens.services.web import synthesis as web_synthesis
from evidens.web.app import create_app

from .authz_matrix import (
    ASSESS,
    BLINDED_TWINS,
    EXTRACT,
    IMPORT,
    MANAGE,
    MATRIX,
    PASSWORD,
    PUBLIC,
    RESOLVE,
    SCREEN,
    SIGNED,
    SYNTHESISE,
    VIEW,
    Row,
)
from .test_web_assess_authz import OUTCOME, SHARMA
from .test_web_fulltext import make_pdf

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"
NOTE = "ALICE-PRIVATE-NOTE"
JSON = {"accept": "application/json"}

# who may do what in the seeded review; written out, not read from permissions.ROLE_ACTIONS
EVERYTHING = {VIEW, SCREEN, RESOLVE, IMPORT, MANAGE, EXTRACT, ASSESS, SYNTHESISE}
MAY: dict[str | None, set[str] | None] = {
    None: None,  # nobody signed in
    "zed": None,  # owns review "other" only
    "vera": {VIEW},  # viewer
    "asa": {VIEW, ASSESS},  # assessor
    "erin": {VIEW, EXTRACT},  # extractor
    "bruno": {VIEW, SCREEN, EXTRACT, ASSESS},  # reviewer (has not decided the blinded record)
    "olga": EVERYTHING,  # owner: last, as her changes (a new round...) affect the others
}
ROLES = {"olga": "owner", "alice": "reviewer", "bruno": "reviewer", "erin": "extractor"}
ROLES |= {"asa": "assessor", "vera": "viewer", "tess": "viewer"}


def _routes() -> set[tuple[str, str]]:
    app = create_app(create_engine("sqlite://"))
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if method != "HEAD"
    }


def test_every_route_has_a_row() -> None:
    routes = _routes()
    missing = sorted(routes - MATRIX.keys())
    assert not missing, "routes with no row in the authorization MATRIX: " + ", ".join(
        f"{method} {path}" for method, path in missing
    )
    stale = sorted(MATRIX.keys() - routes)
    assert not stale, f"MATRIX rows for routes the app no longer has: {stale}"


RIS = "".join(
    f"TY  - JOUR\nTI  - Authz trial {i} of vigabatrin for infantile spasms\nAU  - Lee, J{i}\n"
    f"PY  - 2022\nJO  - Epilepsia\nDO  - 10.6000/authz.{i}\nER  - \n"
    for i in range(6)
)
SEEDED = ("record", "blinded", "complete", "conflict", "pdf", "fulltext")


def _seed(db: Path, folder: Path) -> dict[str, dict[str, str]]:
    """The RISS review with the team of :data:`ROLES` and six new records in the states the
    rows need; review "other" owned by zed. Returns each review's ids by name."""
    with load_review(read_review_dir(RISS), db) as (store, _):
        slug = store.slug
    store = open_review(db, slug)
    for name, role in ROLES.items():
        accounts.create_user(store.engine, name, PASSWORD)
        accounts.add_member(store, name, role, actor="olga")
    path = folder / "authz.ris"
    path.write_text(RIS, encoding="utf-8")
    imports.import_file(store, path, source="PubMed", actor="olga")
    records = dict(zip(SEEDED, _records_of(store), strict=True))
    decide = {
        "blinded": [("alice", Decision.EXCLUDE, NOTE)],
        "complete": [("alice", Decision.INCLUDE, ""), ("bruno", Decision.INCLUDE, "")],
        "conflict": [("alice", Decision.INCLUDE, ""), ("bruno", Decision.EXCLUDE, "")],
        "pdf": [("alice", Decision.INCLUDE, ""), ("bruno", Decision.INCLUDE, "")],
        "fulltext": [("alice", Decision.INCLUDE, ""), ("bruno", Decision.INCLUDE, "")],
    }
    for key, made in decide.items():
        for who, decision, note in made:
            record_decision(
                store,
                ScreeningDecision(records[key], Stage.TITLE_ABSTRACT, who, decision, note=note),
            )
    attach_pdf(store, records["pdf"], make_pdf(), name="article.pdf", actor="olga")
    create_study(store, "Linked study", design="RCT", actor="olga")
    own = {
        f"study_{p}": str(create_study(store, f"S-{p}", design="RCT", actor="olga"))
        for p in MAY
        if p
    }
    analysis = web_synthesis.analyses_view(store)["analyses"][0]["name"]
    ids = {
        "slug": slug,
        **{k: str(v) for k, v in records.items()},
        "study_id": str(_assessed_twice(store)),
        **own,
        "study_label": "Linked study",
        "outcome": OUTCOME,
        "analysis": str(analysis),
        "reset": members.create_password_reset(store, "tess", actor="olga"),
        "stage": "title_abstract",
        "box": "records_identified",
        "record_id": str(records["blinded"]),
    }
    ids["invite"] = accounts.create_invitation(store, "viewer", actor="olga")
    other = create_review(db, title="Another team's review", slug="other")
    accounts.create_user(store.engine, "zed", PASSWORD)
    accounts.add_member(other, "zed", "owner", actor="zed")
    path = folder / "other.ris"
    path.write_text(RIS.replace("authz", "other"), encoding="utf-8")
    imports.import_file(other, path, source="PubMed", actor="zed")
    theirs = _records_of(other)
    their_study = create_study(other, "Their study", design="RCT", actor="zed")
    others = dict.fromkeys((*SEEDED, "record_id"), str(theirs[0]))
    theirs_too = dict.fromkeys(["study_id", *own], str(their_study))
    other_ids = {**ids, **others, **theirs_too, "slug": "other"}
    store.dispose()
    other.dispose()
    return {"main": ids, "other": other_ids}


def _assessed_twice(store: ReviewStore) -> int:
    """A study two assessors assessed (differing on one answer) and a consensus of theirs:
    the comparison and the risk-of-bias figures exist."""
    example = load_assessment(SHARMA.read_text(encoding="utf-8"))
    study = create_study(store, "Assessed study", design="RCT", actor="olga")
    for name, answer in (("A1", Answer.NI), ("A2", Answer.N)):
        answers = {k: dict(v) for k, v in example.answers.items()}
        answers["D1"]["1.3"] = answer
        text = dump_assessment(
            dataclasses.replace(example, study="Assessed study", assessor=name, answers=answers)
        )
        add_assessment(store, text, path=None, actor="olga")
    agreed = [Resolution("D1", "1.3", Answer.NI, "agreed")]
    record_consensus(store, "Assessed study", OUTCOME, agreed, decided_by="olga", actor="olga")
    return study


def _records_of(store: ReviewStore) -> list[int]:
    from sqlalchemy import select

    from evidens.store.models import RecordRow

    with store.engine.connect() as conn:
        return list(
            conn.scalars(
                select(RecordRow.id)
                .where(RecordRow.review_id == store.review_id, RecordRow.doi.like("10.6000/%"))
                .order_by(RecordRow.id)
            )
        )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, str]]]:
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    try:
        folder = tmp_path_factory.mktemp("authz-complete")
        db = folder / "seed.db"
        return db, _seed(db, folder)
    finally:
        accounts.use_hasher(previous)


@dataclass
class Asker:
    """One person's session on the app (or nobody's), re-opened when a row ended it."""

    app: Any
    person: str | None
    clients: list[TestClient] = field(default_factory=list)
    client: TestClient | None = None
    csrf: str = "x"

    def open(self) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        self.clients.append(client)
        if self.person is not None:
            token = _login_token(client)
            form = {"username": self.person, "password": PASSWORD, "csrf": token}
            signed = client.post("/login", data=form, headers=JSON)
            assert signed.status_code == 200, signed.text
            self.csrf = signed.json()["csrf_token"]
        return client

    def ask(self, method: str, row: Row, ids: dict[str, str]) -> Any:
        if self.client is None:
            self.client = self.open()
        client = self.open() if row.fresh else self.client
        csrf = self.csrf
        url = (row.url or "{path}").format(**ids)
        if method == "GET":
            response = client.get(url)
        else:
            form = {k: v.format(**ids) for k, v in (row.form or {}).items()}
            form["csrf"] = _login_token(client) if row.login_form else csrf
            response = client.post(url, data=form, files=_upload(row.upload), headers=JSON)
        if row.fresh and self.person is not None:  # it may have ended every session
            self.client = self.open()
        return response

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _login_token(client: TestClient) -> str:
    form = client.get("/login")
    return form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _upload(kind: str) -> dict[str, Any] | None:
    if kind == "pdf":
        return {"file": ("article.pdf", make_pdf(), "application/pdf")}
    if kind == "ris":  # a new file each time (an identical one is refused as re-imported)
        text = f"TY  - JOUR\nTI  - Uploaded {uuid.uuid4().hex}\nPY  - 2024\nER  - \n"
        return {"file": ("upload.ris", text.encode(), "application/x-research-info-systems")}
    return None


def _expected(person: str | None, row: Row) -> str:
    """The outcome class: "ok", "denied" (403), "hidden" (404) or "login"."""
    if row.needs == PUBLIC:
        return "ok"
    if person is None:
        return "login"
    if row.needs == SIGNED:
        return "ok"
    may = MAY[person]
    if may is None:
        return "hidden"  # not a member: as if the review did not exist
    return "ok" if row.needs in may else "denied"


def _outcome(response: Any, method: str, row: Row, want: str) -> str:
    """The class of an answer; a row whose permitted answer is 404 (nothing built yet, an
    unknown link) cannot tell "hidden" from "ok", so it is read as what was wanted."""
    status = response.status_code
    location = response.headers.get("location", "")
    if status == 401 or (method == "GET" and status == 303 and location.startswith("/login")):
        return "login"
    if status == 404 and want in ("hidden", "ok") and 404 in row.ok:
        return want
    if status in row.ok:
        return "ok"
    return {403: "denied", 404: "hidden"}.get(status, f"status {status}")


def _ordered() -> list[tuple[tuple[str, str], Row]]:
    return sorted(MATRIX.items(), key=lambda item: item[1].last)


@pytest.fixture
def app(
    seeded: tuple[Path, dict[str, dict[str, str]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    monkeypatch.setenv("EVIDENS_JOBS", "memory")
    monkeypatch.setenv("EVIDENS_JOBS_INPROCESS", "0")  # queued only: the routes are judged
    db = tmp_path / "review.db"
    shutil.copyfile(seeded[0], db)
    store = open_review(db, seeded[1]["main"]["slug"])
    yield create_app(store.engine)
    store.dispose()


def test_each_role_on_every_route(app: Any, seeded: tuple[Path, dict[str, Any]]) -> None:
    ids = dict(seeded[1]["main"])
    olga = Asker(app, "olga")
    built = olga.ask("POST", MATRIX[("POST", "/r/{slug}/outputs/build")], ids)
    ids["job_id"] = built.json()["id"]
    others = {**seeded[1]["other"], "job_id": ids["job_id"]}
    wrong: list[str] = []
    for person in MAY:
        asker = Asker(app, person)
        for (method, path), row in _ordered():
            values = {
                **ids,
                "own_study": ids.get(f"study_{person}", ids["study_olga"]),
                "path": row.url or path.format(**ids),
                "unique": uuid.uuid4().hex[:12],
            }
            response = asker.ask(method, row, values)
            want = _expected(person, row)
            got = _outcome(response, method, row, want)
            if got != want:
                wrong.append(f"{person or 'nobody'}: {method} {path} -> {got}, not {want}")
            if NOTE in response.text:
                wrong.append(f"{person or 'nobody'}: {method} {path} shows Alice's open decision")
            if person == "bruno" and (method, path) in BLINDED_TWINS and "alice" in response.text:
                wrong.append(f"bruno: {method} {path} names Alice's open decision")
            if person in (None, "zed") or not path.startswith("/r/{slug}"):
                continue
            theirs = {
                **others,
                "own_study": others["study_id"],
                "path": row.url or path.format(**others),
                "unique": "x",
            }
            got = _outcome(asker.ask(method, row, theirs), method, row, "hidden")
            if got != "hidden":  # another review's pages: 404, as if it did not exist
                wrong.append(f"{person}: {method} {path} of another review -> {got}, not hidden")
        asker.close()
    # the check has teeth: Alice herself is shown her note
    alice = Asker(app, "alice")
    row = MATRIX[("GET", "/r/{slug}/screen/{stage}.json")]
    assert NOTE in alice.ask("GET", row, {**ids, "path": ""}).text
    alice.close()
    olga.close()
    assert not wrong, "\n".join(wrong)
