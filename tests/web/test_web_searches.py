"""The searches page: the search log with each strategy as run (escaped), its translation
and warnings; translating and logging from the page; logging a search as run; recording
hits; bad input as one clear line; and who may do what (every role, another review's
member, nobody)."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape

from evidens.core import Search, SourceKind
from evidens.services.identification import search_log
from evidens.services.review import accounts

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
SCRIPT = "asthma[tiab] AND <script>alert('strategy')</script>"
# a strategy the Embase translation approximates (a MeSH heading) and Scopus warns about
STRATEGY = '"Spasms, Infantile"[Mesh] AND (ketogenic diet[tiab] OR ACTH[tiab])'


@pytest.fixture
def team(site: Site) -> Site:
    """The conftest team, with an extractor (eddy) and an assessor (ann)."""
    for name, role in (("eddy", "extractor"), ("ann", "assessor")):
        accounts.create_user(site.store.engine, name, site.password)
        accounts.add_member(site.store, name, role, actor="olga")
    return site


def _post(client: Any, url: str, data: dict[str, Any], json: bool = True) -> Any:
    headers = JSON if json else {}
    return client.post(url, data={**data, "csrf": _csrf(client)}, headers=headers)


def _csrf(client: Any) -> str:
    page = client.get("/")
    return str(page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0])


def test_the_log_shows_each_search_as_run_escaped_with_imports_and_who(site: Site) -> None:
    search = Search("Embase", SCRIPT, None, 120, "Ovid", None, "olga")
    logged = search_log.log_search(site.store, search, SourceKind.DATABASE, actor="olga")
    vera = site.login("vera")
    page = vera.get("/r/main/searches")
    assert page.status_code == 200
    assert "<script>alert('strategy')" not in page.text  # shown as text, never run
    assert "&lt;script&gt;alert(&#39;strategy&#39;)&lt;/script&gt;" in page.text
    assert '<pre class="strategy"' in page.text
    assert "Embase via Ovid" in page.text
    twin = vera.get("/r/main/searches.json").json()
    (entry,) = [s for s in twin["searches"] if s["id"] == logged.id]
    assert entry["strategy"] == SCRIPT  # the JSON keeps the text exactly
    assert (entry["hits"], entry["run_by"], entry["imported"]) == (120, "olga", 0)
    assert entry["translation"] is None
    assert "/r/main/searches" in vera.get("/r/main").text  # linked from the dashboard
    assert 'action="/r/main/searches/translate"' not in page.text  # a viewer sees no forms


def test_translating_logs_one_search_per_database_with_its_warnings(site: Site) -> None:
    olga = site.login("olga")
    form = {"query": STRATEGY, "syntax": "pubmed", "to": ["embase", "scopus"], "date": "2026-03-01"}
    answer = _post(olga, "/r/main/searches/translate", form)
    assert answer.status_code == 200, answer.text
    ids = answer.json()["searches"]
    assert len(ids) == 2
    twin = olga.get("/r/main/searches.json").json()
    logged = {s["id"]: s for s in twin["searches"]}
    embase, scopus = logged[ids[0]], logged[ids[1]]
    assert (embase["source"], embase["platform"]) == ("Embase", "Embase.com")
    assert scopus["source"] == "Scopus"
    for entry, target in ((embase, "embase"), (scopus, "scopus")):
        translation = entry["translation"]
        assert translation["syntax"] == "pubmed"
        assert translation["query"] == STRATEGY
        assert translation["target"] == target
        assert entry["date_run"] == "2026-03-01"
        assert entry["run_by"] == "olga"
        assert entry["hits"] is None
    assert "emtree" in embase["strategy"].lower() or "/exp" in embase["strategy"]
    warned = embase["translation"]["warnings"] + scopus["translation"]["warnings"]
    assert warned, "the Scopus rendering of a MeSH heading is an approximation"
    assert all(w["message"] for w in warned)
    page = olga.get("/r/main/searches").text
    assert "Translated from pubmed for" in page
    parts = [w["part"] for w in warned if w["part"]]
    assert parts  # each warning is shown with the part of the query it concerns
    assert all(str(escape(p)) in page for p in parts)

    # the HTML form answers with the log, the new searches named
    browser = _post(olga, "/r/main/searches/translate", {**form, "to": ["cochrane"]}, json=False)
    assert browser.status_code == 303
    assert browser.headers["location"].startswith("/r/main/searches?logged=")


def test_logging_a_search_as_run_and_recording_its_hits(site: Site) -> None:
    ivan = site.login("ivan")  # a viewer who may import
    form = {
        "source": "CENTRAL",
        "platform": "Cochrane Library",
        "kind": "database",
        "date": "2026-02-02",
        "hits": "",
        "strategy": "#1 MeSH descriptor: [Spasms, Infantile] explode all trees",
    }
    answer = _post(ivan, "/r/main/searches", form)
    assert answer.status_code == 200, answer.text
    (search_id,) = answer.json()["searches"]
    hits = _post(ivan, "/r/main/searches/hits", {"search": str(search_id), "hits": "57"})
    assert hits.status_code == 200, hits.text
    (entry,) = [s for s in search_log.list_searches(site.store) if s.id == search_id]
    assert (entry.source, entry.platform, entry.hits) == ("CENTRAL", "Cochrane Library", 57)
    assert entry.date_run is not None
    assert entry.date_run.isoformat() == "2026-02-02"


@pytest.mark.parametrize(
    ("url", "form", "field"),
    [
        ("/r/main/searches/translate", {"query": STRATEGY, "to": ["nowhere"]}, "to"),
        ("/r/main/searches/translate", {"query": "", "to": ["embase"]}, "query"),
        ("/r/main/searches/translate", {"query": "((asthma", "to": ["embase"]}, None),
        ("/r/main/searches/translate", {"query": STRATEGY, "syntax": "klingon"}, "syntax"),
        (
            "/r/main/searches/translate",
            {"query": STRATEGY, "to": ["embase"], "date": "soon"},
            "date",
        ),
        ("/r/main/searches", {"source": "", "strategy": "x"}, "source"),
        ("/r/main/searches", {"source": "Embase", "strategy": "  "}, "strategy"),
        ("/r/main/searches", {"source": "Embase", "strategy": "x", "hits": "many"}, "hits"),
        ("/r/main/searches", {"source": "Embase", "strategy": "x", "kind": "oracle"}, "kind"),
        ("/r/main/searches/hits", {"search": "99999", "hits": "3"}, None),
        ("/r/main/searches/hits", {"search": "1", "hits": "-3"}, "hits"),
        ("/r/main/searches/run", {"source": "gopher", "query": "x"}, "source"),
        ("/r/main/searches/run", {"source": "pubmed", "query": " "}, "query"),
        ("/r/main/searches/run", {"source": "pubmed", "query": "x", "max": "0"}, "max"),
    ],
)
def test_bad_input_is_one_clear_line(
    site: Site, url: str, form: dict[str, Any], field: str
) -> None:
    olga = site.login("olga")
    before = len(search_log.list_searches(site.store))
    answer = _post(olga, url, form)
    assert answer.status_code in (400, 404, 422), answer.text
    error = answer.json()["error"]
    assert error["message"]
    assert "\n" not in error["message"]
    assert "Traceback" not in answer.text
    if field is not None:
        assert error["field"] == field
    assert len(search_log.list_searches(site.store)) == before  # nothing half-logged
    page = _post(olga, url, form, json=False)  # a browser's form gets the error page
    assert "Traceback" not in page.text


OK, DENIED, HIDDEN, ANON = 200, 403, 404, 401
ACTIONS = ("view", "view_json", "translate", "add", "hits", "run")
VIEWERS = dict.fromkeys(ACTIONS, DENIED) | {"view": OK, "view_json": OK}
IMPORTERS = dict.fromkeys(ACTIONS, OK)
EXPECTED = {
    "olga": IMPORTERS,  # owner
    "ivan": IMPORTERS,  # viewer who may import
    "alice": VIEWERS,  # reviewer
    "eddy": VIEWERS,  # extractor
    "ann": VIEWERS,  # assessor
    "vera": VIEWERS,  # viewer
    "zed": dict.fromkeys(ACTIONS, HIDDEN),  # a member of another review only
}


def _attempt(client: Any, action: str, search_id: int) -> int:
    if action == "view":
        return int(client.get("/r/main/searches").status_code)
    if action == "view_json":
        return int(client.get("/r/main/searches.json").status_code)
    forms = {
        "translate": ("/r/main/searches/translate", {"query": STRATEGY, "to": ["embase"]}),
        "add": ("/r/main/searches", {"source": "Embase", "strategy": "x"}),
        "hits": ("/r/main/searches/hits", {"search": str(search_id), "hits": "4"}),
        "run": ("/r/main/searches/run", {"source": "pubmed", "query": "x"}),
    }
    url, form = forms[action]
    token = client.cookies.get("evidens_session") and _csrf(client)
    answer = client.post(url, data={**form, "csrf": token or ""}, headers=JSON)
    return 202 if answer.status_code == 202 else int(answer.status_code)


@pytest.mark.parametrize("person", [*EXPECTED, "anonymous"])
def test_who_may_see_and_add_searches(
    team: Site, person: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENS_JOBS", "memory")
    monkeypatch.setenv("EVIDENS_JOBS_INPROCESS", "0")  # the run is queued, never sent out
    search = Search("Embase", "x", None, None, None, None, "olga")
    search_id = search_log.log_search(team.store, search, SourceKind.DATABASE, actor="olga").id
    client = team.app_client() if person == "anonymous" else team.login(person)
    for action in ACTIONS:
        got = _attempt(client, action, search_id)
        if person == "anonymous":
            assert got in (ANON, 303), (action, got)
            continue
        wanted = EXPECTED[person][action]
        if action == "run" and wanted == OK:
            wanted = 202  # a job was queued
        assert got == wanted, (person, action, got)


def test_another_review_search_is_not_reachable(site: Site) -> None:
    """A search id of another review is as absent as an unknown one."""
    other = Search("Embase", "x", None, None, None, None, "zed")
    other_id = search_log.log_search(site.other, other, SourceKind.DATABASE, actor="zed").id
    olga = site.login("olga")
    answer = _post(olga, "/r/main/searches/hits", {"search": str(other_id), "hits": "9"})
    assert answer.status_code == 404
    (entry,) = search_log.list_searches(site.other)
    assert entry.hits is None
