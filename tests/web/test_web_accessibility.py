"""axe-core (from the npm registry, installed by ``make`` from package-lock.json) over every
HTML page of the web app, in Debian's headless chromium against the real server: no page
may have a violation of impact "serious" or "critical".

Every page means every GET route of the app: PAGES maps each route's path template to the
pages visited for it, in a review that has everything (the seed's RISS review, with its
study, two extractions and a consensus, RoB 2, analyses and GRADE, plus imported records
with decisions and a conflict). A GET route that is in neither PAGES nor NOT_PAGES (routes
that answer something other than a page, each with its reason) fails the test, so a new page
is checked from the day it is added. With EVIDENS_AXE_REPORT=FILE the counts of every
impact per page are written to FILE as JSON."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, select

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.rob import Answer
from evidens.rob.dual import Resolution
from evidens.services.assessment.risk_of_bias_edit import add_assessment, record_consensus
from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.run import load_review
from evidens.services.identification import dedup, imports
from evidens.services.review import accounts, members
from evidens.services.screening.decisions import record_decision
from evidens.store.models import RecordRow, StudyRow
from evidens.web.app import create_app

from .browser_support import MARKS, PASSWORD, serve, shot
from .conftest import RIS

pytestmark = MARKS

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RISS = ROOT / "examples" / "riss"
STUDY, OUTCOME = "Sharma 2021", "Spasm freedom at 4 weeks (parental report)"  # riss/rob
BLOCKING = ("serious", "critical")
TIMES: dict[str, float] = {}
# every rule axe has; only violations are collected in full (passes are only counted)
RUN = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"

# Route path template -> the pages visited for it ({...} filled from the seeded review).
PAGES: dict[str, tuple[str, ...]] = {
    "/login": ("/login",),
    "/": ("/",),
    "/reviews/new": ("/reviews/new",),
    "/account": ("/account",),
    "/invite/{token}": ("/invite/{invite}",),
    "/reset/{token}": ("/reset/{reset}",),
    "/r/{slug}": ("/r/riss",),
    "/r/{slug}/records/{box}": (
        "/r/riss/records/records_identified",
        "/r/riss/records/studies_included_in_review",
    ),
    "/r/{slug}/records": ("/r/riss/records?q=spasms",),
    "/r/{slug}/screen/{stage}": ("/r/riss/screen/title_abstract", "/r/riss/screen/full_text"),
    "/r/{slug}/mine/{stage}": ("/r/riss/mine/title_abstract",),
    "/r/{slug}/conflicts/{stage}": ("/r/riss/conflicts/title_abstract",),
    "/r/{slug}/setup": ("/r/riss/setup",),
    "/r/{slug}/team": ("/r/riss/team",),
    "/r/{slug}/audit": ("/r/riss/audit",),
    "/r/{slug}/duplicates": ("/r/riss/duplicates",),
    "/r/{slug}/record/{record_id}": ("/r/riss/record/{record}", "/r/riss/record/{conflict}"),
    "/r/{slug}/fulltexts": ("/r/riss/fulltexts",),
    "/r/{slug}/studies": ("/r/riss/studies",),
    "/r/{slug}/extraction": ("/r/riss/extraction",),
    "/r/{slug}/studies/{study_id}/extraction": ("/r/riss/studies/{study}/extraction",),
    "/r/{slug}/studies/{study_id}/discrepancies": ("/r/riss/studies/{study}/discrepancies",),
    "/r/{slug}/rob": ("/r/riss/rob",),
    "/r/{slug}/studies/{study_id}/rob": ("/r/riss/studies/{study}/rob?outcome={outcome}",),
    "/r/{slug}/studies/{study_id}/rob/compare": (
        "/r/riss/studies/{study}/rob/compare?outcome={outcome}",
    ),
    "/r/{slug}/analyses": ("/r/riss/analyses",),
    "/r/{slug}/grade": ("/r/riss/grade",),
    "/r/{slug}/grade/{name}": ("/r/riss/grade/sof.html", "/r/riss/grade/evidence-profile.html"),
    "/r/{slug}/outputs": ("/r/riss/outputs",),
    "/r/{slug}/jobs/{job_id}": ("/r/riss/jobs/{job}",),
    "/r/{slug}/searches": ("/r/riss/searches",),
    "/r/{slug}/imports/jobs/{job_id}": ("/r/riss/imports/jobs/{job}",),
}
# GET routes that are not pages (JSON twins, ending in .json, are left out by their name).
NOT_PAGES: dict[str, str] = {
    "/r/{slug}/analyses/{name}/{figure}.svg": "an SVG figure (its page's <img> has the alt)",
    "/r/{slug}/rob/figures/{name}": "an SVG figure (its page's <img> has the alt)",
    "/r/{slug}/record/{record_id}/pdf": "a PDF file",
    "/r/{slug}/outputs/files/{name}": "a download of a built output",
    "/r/{slug}/exports/{name}": "a download (RIS, CSV, DOCX, SVG)",
    "/r/{slug}/rob/start": "a redirect to the result's RoB page (visited as such)",
    "/r/{slug}/outputs/all.zip": "a download of every built output",
}
SIGNED_OUT = ("/login", "/reset/{reset}")
REVIEWER_PAGES = ("/r/riss/screen/title_abstract", "/r/riss/mine/title_abstract")
ERROR_PAGE = "/r/no-such-review"


def get_routes() -> set[str]:
    """Path templates of the app's GET routes (the app built on a throwaway engine)."""
    app = create_app(create_engine("sqlite://"))
    found = set()
    for route in app.routes:
        if "GET" in (getattr(route, "methods", None) or ()):
            found.add(getattr(route, "path", ""))
    return {path for path in found if not path.endswith(".json")}


def test_every_get_route_is_a_visited_page_or_named_as_not_one() -> None:
    routes = get_routes()
    unlisted = routes - set(PAGES) - set(NOT_PAGES)
    assert not unlisted, f"add these GET routes to PAGES (or NOT_PAGES, with why): {unlisted}"
    stale = (set(PAGES) | set(NOT_PAGES)) - routes
    assert not stale, f"no longer routes of the app: {stale}"


def _seed(db: Path, tmp: Path) -> dict[str, str]:
    """The RISS review with three imported records: one included by both reviewers (now at
    full text), one they disagree on (a conflict), one not screened yet; the owner's RoB 2
    beside the seed's, and their consensus."""
    with load_review(read_review_dir(RISS), db) as (store, _):
        for name, role, rights in (
            ("olga", "owner", ("resolver",)),
            ("alice", "reviewer", ()),
            ("bruno", "reviewer", ()),
        ):
            accounts.create_user(store.engine, name, PASSWORD)
            accounts.add_member(store, name, role, permissions=rights, actor="olga")
        ris = tmp / "records.ris"
        ris.write_text(RIS, encoding="utf-8")
        imports.import_file(store, ris, source="PubMed", actor="olga")
        dedup.deduplicate(store, actor="olga")
        with store.engine.connect() as conn:
            ids = list(
                conn.scalars(
                    select(RecordRow.id)
                    .where(RecordRow.review_id == store.review_id)
                    .order_by(RecordRow.id)
                )
            )
            study = conn.scalars(
                select(StudyRow.id).where(StudyRow.review_id == store.review_id)
            ).first()
        for record, alice, bruno in (
            (ids[0], Decision.INCLUDE, Decision.INCLUDE),
            (ids[1], Decision.INCLUDE, Decision.EXCLUDE),
        ):
            for name, said in (("alice", alice), ("bruno", bruno)):
                reason = "Not randomized" if said is Decision.EXCLUDE else None
                made = ScreeningDecision(record, Stage.TITLE_ABSTRACT, name, said, reason=reason)
                record_decision(store, made)
        # two assessors of the seed's result, one answer apart: a pair to compare and agree
        seed = (RISS / "rob" / "sharma2021.toml").read_text(encoding="utf-8")
        for name in ("olga", "alice"):
            rob, count = re.subn(r'(?m)^assessor = ".*$', f'assessor = "{name}"', seed)
            assert count == 1, "the seed's assessment names no assessor"
            if name == "olga":
                rob = rob.replace('"1.3" = { answer = "NI"', '"1.3" = { answer = "N"')
            add_assessment(store, rob, path=None, actor=name)
        agreed = Resolution("D1", "1.3", Answer.NI, "no baseline table")
        record_consensus(store, STUDY, resolutions=[agreed], decided_by="olga", actor="olga")
        invite = accounts.create_invitation(store, "reviewer", actor="olga")
        reset = members.create_password_reset(store, "bruno", actor="olga")
    return {
        "record": str(ids[0]),
        "conflict": str(ids[1]),
        "study": str(study),
        "invite": invite,
        "reset": reset,
        "outcome": quote(OUTCOME),
    }


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    db = tmp_path / "riss.db"
    try:
        values = _seed(db, tmp_path)
    finally:
        accounts.use_hasher(previous)
    for base in serve(db):
        yield base, values


def _page(browser: Any) -> Any:
    """A page whose Content-Security-Policy lets the test add axe's script to it."""
    return browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()


def _signed_in(browser: Any, base: str, name: str) -> Any:
    page = _page(browser)
    page.goto(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == base + "/"
    return page


def _axe(
    page: Any,
    base: str,
    path: str,
    tmp: Path,
    found: dict[str, list[dict[str, Any]]],
    *,
    name: str = "",
    status: int = 200,
) -> None:
    """Open ``path`` (a page: HTML, answered with ``status``) and check it."""
    answer = page.goto(base + path)
    assert answer is not None
    kind = answer.headers.get("content-type", "")
    assert (answer.status, kind.split(";")[0]) == (status, "text/html"), f"{path}: {kind}"
    _check(page, name or path, tmp, found)


def _check(page: Any, name: str, tmp: Path, found: dict[str, list[dict[str, Any]]]) -> None:
    """Run axe over the page as it stands and keep its violations under ``name``."""
    started = time.perf_counter()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(RUN)
    TIMES[name] = round(time.perf_counter() - started, 2)
    found[name] = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]],
        }
        for v in result
    ]
    if os.environ.get("EVIDENS_SCREENSHOTS"):
        shot(page, tmp, "".join(c if c.isalnum() else "_" for c in name).strip("_") or "root")


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _after_forms(
    owner: Any, signed_out: Any, base: str, tmp: Path, found: dict[str, list[dict[str, Any]]]
) -> None:
    """The pages a form answers with (POST results): each checked as it is shown."""
    owner.goto(base + "/r/riss/team")
    _submit(owner, "form[action$='/invitations'] button")
    _check(owner, "invitation created (POST /r/riss/invitations)", tmp, found)
    owner.goto(base + "/r/riss/team")
    _submit(owner, "form[action$='/team/reset'] button >> nth=0")
    _check(owner, "reset link shown (POST /r/riss/team/reset)", tmp, found)
    owner.goto(base + "/reviews/new")
    owner.fill("input[name=title]", "Another review")
    owner.fill("input[name=slug]", "riss")  # taken: the form comes back with the error
    _submit(owner, "main form button[type=submit]")
    _check(owner, "new review refused (POST /reviews)", tmp, found)
    owner.goto(base + "/r/riss")
    ris = tmp / "more.ris"
    ris.write_text(RIS.replace("10.4000/web.", "10.4000/more."), encoding="utf-8")
    owner.fill("form[action$='/imports'] input[name=source]", "Embase")
    owner.set_input_files("form[action$='/imports'] input[type=file]", str(ris))
    _submit(owner, "form[action$='/imports'] button[type=submit]")
    _check(owner, "import report (POST /r/riss/imports)", tmp, found)
    signed_out.goto(base + "/login")
    signed_out.fill("input[name=username]", "olga")
    signed_out.fill("input[name=password]", "not the password")
    _submit(signed_out, "form button[type=submit]")
    _check(signed_out, "login refused (POST /login)", tmp, found)


def _counts(found: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for path, violations in found.items():
        counts[path] = {}
        for v in violations:
            counts[path][v["impact"]] = counts[path].get(v["impact"], 0) + len(v["targets"])
    return counts


def test_no_page_has_a_serious_or_critical_violation(
    seeded: tuple[str, dict[str, str]], browser: Any, tmp_path: Path
) -> None:
    assert AXE.exists(), "axe-core is not installed: `npm ci` (make test runs it) installs it"
    base, values = seeded
    found: dict[str, list[dict[str, Any]]] = {}
    signed_out = _page(browser)
    owner = _signed_in(browser, base, "olga")
    # a job to look at: a de-duplication run as a background job (no page posts it yet)
    csrf = owner.input_value("input[name=csrf] >> nth=0")
    started = owner.request.post(f"{base}/r/riss/dedup-job", form={"csrf": csrf}, max_redirects=0)
    assert started.status == 303, started.text()
    values["job"] = started.headers["location"].rsplit("/", 1)[1]
    for template in sorted({p for pages in PAGES.values() for p in pages}):
        page = signed_out if template in SIGNED_OUT else owner
        _axe(page, base, template.format(**values), tmp_path, found)
    _axe(owner, base, ERROR_PAGE, tmp_path, found, status=404)
    _after_forms(owner, signed_out, base, tmp_path, found)
    reviewer = _signed_in(browser, base, "alice")
    for path in REVIEWER_PAGES:
        _axe(reviewer, base, path, tmp_path, found, name=f"{path} (as a reviewer)")

    report = os.environ.get("EVIDENS_AXE_REPORT")
    if report:
        Path(report).write_text(
            json.dumps(
                {"counts": _counts(found), "violations": found, "axe_seconds": TIMES}, indent=1
            ),
            "utf-8",
        )
    blocking = [
        f"{path}: {v['impact']} {v['id']} at {', '.join(v['targets'])}"
        for path, violations in found.items()
        for v in violations
        if v["impact"] in BLOCKING
    ]
    assert not blocking, "axe found serious or critical violations:\n" + "\n".join(blocking)
