"""The web app probed as a hostile or careless user would: one test per finding of the
blinding/hardening issue, at the HTTP level (the rules themselves are tested in
tests/services/test_services_blinding.py)."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from evidens.services.review import accounts
from evidens.store.models import AuditRow, ImportBatchRow
from evidens.web.app import create_app
from evidens.web.settings import ServerSettings

Site = Any  # the `site` fixture of conftest.py
JSON = {"accept": "application/json"}
TA = "/r/main/screen/title_abstract"
ERROR_KEYS = {"status", "code", "message", "field"}


def _decide(site: Site, client: TestClient, record: int, decision: str, **extra: str) -> Any:
    form = {"record_id": str(record), "decision": decision, "csrf": site.csrf_of(client), **extra}
    return client.post(TA, data=form, headers=JSON)


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The one error body, checked whole."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


def test_deciding_does_not_reveal_a_vote_and_a_locked_decision_cannot_change(site: Site) -> None:
    """Finding 1: Bruno decides, reopens the record by id, and neither sees Alice's vote nor
    can change or withdraw his own; the conflict stays for a resolver."""
    record = site.record_ids[0]
    alice, bruno = site.login("alice"), site.login("bruno")
    assert _decide(site, alice, record, "maybe").status_code == 200
    assert _decide(site, bruno, record, "include").status_code == 200
    card = bruno.get(f"{TA}.json?record={record}").json()["record"]
    assert [d["reviewer"] for d in card["visible"]] == ["bruno"]
    assert card["locked"] is True
    assert "alice" not in bruno.get(f"{TA}?record={record}").text
    refused = _error(_decide(site, bruno, record, "maybe"), 409, "conflict")
    assert "resolver can reopen" in refused["message"]
    undo = bruno.post(f"{TA}/undo", data={"csrf": site.csrf_of(bruno)}, headers=JSON)
    _error(undo, 409, "conflict")
    page = bruno.post(f"{TA}/undo", data={"csrf": site.csrf_of(bruno)})  # a browser's form
    assert page.status_code == 409
    assert "resolver can reopen" in page.text
    assert f'href="{TA}" id="back"' in page.text  # back to screening, not a dead end
    progress = site.login("olga").get("/r/main.json").json()["progress"][0]
    assert progress["conflicts"] == 1


def test_a_resolver_reopens_a_record_for_its_reviewers(site: Site) -> None:
    record = site.record_ids[0]
    alice, bruno, rita = site.login("alice"), site.login("bruno"), site.login("rita")
    _decide(site, alice, record, "include")
    _decide(site, bruno, record, "exclude")
    form = {"record_id": str(record), "reason": "", "csrf": site.csrf_of(rita)}
    _error(
        alice.post(f"{TA}/reopen", data={**form, "csrf": site.csrf_of(alice)}, headers=JSON),
        403,
        "permission_denied",
    )
    missing = _error(rita.post(f"{TA}/reopen", data=form, headers=JSON), 400, "invalid_value")
    assert missing["field"] == "reason"
    form["reason"] = "Bruno pressed e for i"
    done = rita.post(f"{TA}/reopen", data=form, headers=JSON)
    assert done.json() == {"reopened": record, "withdrawn": 2}
    assert _decide(site, bruno, record, "include").status_code == 200
    card = bruno.get(f"{TA}.json?record={record}").json()["record"]
    assert [d["reviewer"] for d in card["visible"]] == ["bruno"]


class _Upload:
    """A raw ASGI POST whose body is handed over in chunks, counting how many the app read:
    the proof that a refused request's body was never read."""

    def __init__(self, path: str, size: int, headers: dict[str, str], declare: bool = True):
        self.path, self.size, self.read = path, size, 0
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if declare:
            self.headers.append((b"content-length", str(size).encode()))
        self.status = 0
        self.body = b""

    def run(self, app: Any) -> None:
        chunk = 1024 * 1024
        left = self.size
        head = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.ris"\r\n\r\n'

        async def receive() -> dict[str, Any]:
            nonlocal left
            take = min(chunk, left)
            body = (head if self.read == 0 else b"") + b"x" * take
            self.read += 1
            left -= take
            return {"type": "http.request", "body": body[:chunk], "more_body": left > 0}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                self.body += message.get("body", b"")

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), *self.headers],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }
        asyncio.run(app(scope, receive, send))


def _session_cookie(client: TestClient) -> str:
    return f"evidens_session={client.cookies['evidens_session']}"


def test_uploads_are_judged_before_their_bodies_are_read(site: Site) -> None:
    """Finding 2: anonymous, outside, unprivileged and over-limit uploads are refused
    before a byte of the body is read."""
    app = create_app(site.store.engine, ServerSettings(max_upload_bytes=4 * 1024 * 1024))
    multipart = {"content-type": "multipart/form-data; boundary=x"}
    cases = [
        ("/r/main/imports", 120 * 1024 * 1024, {}, 413),  # anonymous and far too large
        ("/r/main/imports", 2 * 1024 * 1024, {}, 401),  # anonymous
        ("/r/no-such-review/imports", 2 * 1024 * 1024, {}, 401),
        ("/r/main/imports", 2 * 1024 * 1024, {"cookie": _session_cookie(site.login("zed"))}, 404),
        ("/r/main/imports", 2 * 1024 * 1024, {"cookie": _session_cookie(site.login("vera"))}, 403),
        ("/r/main/setup", 2 * 1024 * 1024, {"cookie": _session_cookie(site.login("olga"))}, 413),
    ]
    for path, size, headers, status in cases:
        upload = _Upload(path, size, {**multipart, **headers})
        upload.run(app)
        assert (path, upload.status) == (path, status)
        assert upload.read == 0, (path, status)
        assert b'"code"' in upload.body
    # a member's streamed body with no length is cut off once it passes the limit
    olga = {"cookie": _session_cookie(site.login("olga"))}
    streamed = _Upload("/r/main/imports", 40 * 1024 * 1024, {**multipart, **olga}, declare=False)
    streamed.run(app)
    assert streamed.status == 413
    assert streamed.read <= 5  # 4 MiB in 1 MiB chunks, then refused


@pytest.fixture
def counting_hasher() -> Iterator[list[int]]:
    """A real argon2 hasher (cheap parameters) that counts its verifications."""
    calls: list[int] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            calls.append(1)
            return super().verify(hash, password)

    previous = accounts.use_hasher(Counting(time_cost=1, memory_cost=1024, parallelism=1))
    yield calls
    accounts.use_hasher(previous)


def _login(site: Site, client: TestClient, name: str, password: str, **headers: str) -> Any:
    token = site.login_token(client)
    form = {"username": name, "password": password, "csrf": token, "next": "/"}
    return client.post("/login", data=form, headers={**JSON, **headers})


def test_login_does_the_same_work_whether_or_not_the_account_exists(
    site: Site, counting_hasher: list[int]
) -> None:
    """Finding 3: an unknown name verifies a stand-in hash, so it costs what a wrong
    password for a real account costs, and both answers are the same."""
    client = site.app_client()
    unknown = _login(site, client, "nobody-here", "wrong password!")
    after_unknown = len(counting_hasher)
    known = _login(site, client, "alice", "wrong password!")
    assert after_unknown == 1
    assert len(counting_hasher) == 2
    assert unknown.status_code == known.status_code == 403
    assert unknown.json() == known.json()


def test_login_limits_trust_x_forwarded_for_only_from_named_proxies(site: Site) -> None:
    """Finding 4: by default the header is ignored, so rotating it gains nothing; behind a
    named proxy it names the client, and the per-account limit still holds."""
    plain = site.app_client()
    for _ in range(accounts.MAX_FAILURES):
        _login(site, plain, "alice", "wrong password!")
    locked = _login(site, plain, "alice", site.password, **{"x-forwarded-for": "10.9.9.9"})
    _error(locked, 429, "rate_limited")

    proxied = create_app(site.store.engine, ServerSettings(trusted_proxies=("127.0.0.1",)))
    behind = TestClient(proxied, follow_redirects=False, client=("127.0.0.1", 4000))
    ok = _login(site, behind, "bruno", site.password, **{"x-forwarded-for": "10.1.1.1"})
    assert ok.status_code == 200
    for _ in range(accounts.MAX_FAILURES):
        _login(site, behind, "bruno", "wrong password!", **{"x-forwarded-for": "10.1.1.1"})
    same = _login(site, behind, "bruno", site.password, **{"x-forwarded-for": "10.1.1.1"})
    _error(same, 429, "rate_limited")
    other = _login(site, behind, "bruno", site.password, **{"x-forwarded-for": "10.1.1.2"})
    assert other.status_code == 200  # another client behind the same proxy is not locked out
    # guessing one account from many addresses hits the per-account limit
    for i in range(accounts.MAX_ACCOUNT_FAILURES):
        _login(site, behind, "rita", "wrong password!", **{"x-forwarded-for": f"10.2.{i}.1"})
    refused = _login(site, behind, "rita", site.password, **{"x-forwarded-for": "10.3.0.1"})
    assert "for this username" in _error(refused, 429, "rate_limited")["message"]
    behind.close()


def test_record_lists_show_a_reviewer_only_their_own_state(site: Site) -> None:
    """Finding 5."""
    record = site.record_ids[0]
    _decide(site, site.login("alice"), record, "include")
    path = "/r/main/records/records_identified.json"
    lines = {r["record_id"]: r["statuses"] for r in site.login("bruno").get(path).json()["records"]}
    assert lines[record] == []
    mine = {r["record_id"]: r["statuses"] for r in site.login("alice").get(path).json()["records"]}
    assert mine[record] == [["title_abstract", "your decision: include"]]
    assert "pending" not in site.login("bruno").get(path[:-5]).text


def test_a_changed_decision_keeps_its_note_for_its_author(site: Site) -> None:
    """Finding 6."""
    record = site.record_ids[0]
    alice = site.login("alice")
    _decide(site, alice, record, "maybe", note="ask about the age range")
    _decide(site, alice, record, "include")
    card = alice.get(f"{TA}.json?record={record}").json()["record"]
    assert card["visible"][0]["note"] == "ask about the age range"
    assert ">ask about the age range</textarea>" in alice.get(f"{TA}?record={record}").text


def test_fewer_reviewers_required_is_confirmed_first(site: Site) -> None:
    """Finding 7: one decision in; lowering to one reviewer asks first, then audits."""
    _decide(site, site.login("alice"), site.record_ids[0], "exclude")
    olga = site.login("olga")
    form = {
        "question": "Q",
        "required_title_abstract": "1",
        "required_full_text": "2",
        "csrf": site.csrf_of(olga),
    }
    asked = _error(olga.post("/r/main/setup", data=form, headers=JSON), 409, "confirmation_needed")
    assert "1 record at title/abstract" in asked["message"]
    page = olga.post("/r/main/setup", data=form)
    assert page.status_code == 409
    assert 'name="confirm"' in page.text
    assert "bruno" not in str(site.login("bruno").get(f"{TA}.json?record={site.record_ids[0]}"))
    done = olga.post("/r/main/setup", data={**form, "confirm": "1"}, headers=JSON)
    assert done.status_code == 200
    assert done.json()["saved"]["reviewers_required"]["title_abstract"] == 1


def test_invitation_links_use_the_public_address_and_say_what_they_offer(site: Site) -> None:
    """Finding 8."""
    public = "https://reviews.example.org"
    app = create_app(site.store.engine, ServerSettings(public_url=public))
    olga = TestClient(app, follow_redirects=False)
    site.sign_in(olga, "olga")
    made = olga.post(
        "/r/main/invitations",
        data={"role": "viewer", "csrf": site.csrf_of(olga)},
        headers={**JSON, "host": "evil.example"},
    ).json()
    assert made["link"].startswith(public + "/invite/")
    path = made["link"].removeprefix(public)
    zed = TestClient(app, follow_redirects=False)
    site.sign_in(zed, "zed")
    offer = zed.get(path).text
    assert "Spasms review main" in offer
    assert "viewer" in offer
    assert zed.post(path, data={"csrf": site.csrf_of(zed)}).status_code == 303
    used = zed.get(path)
    assert used.status_code == 404
    assert "used already" in used.text
    assert '<form method="post" action="/invite' not in used.text
    assert "used already" in _error(zed.get(path, headers=JSON), 404, "not_found")["message"]
    olga.close()
    zed.close()


def test_an_upload_is_named_by_its_own_file_name_everywhere(site: Site) -> None:
    """Finding 9: no server temporary path in the page, the JSON, errors or the store."""
    ivan = site.login("ivan")
    ris = b"TY  - JOUR\nTI  - A record uploaded by its own name\nPY  - 2024\nER  - \n"
    answer = ivan.post(
        "/r/main/imports",
        data={"source": "Embase", "csrf": site.csrf_of(ivan)},
        files={"file": ("embase-2024-03.ris", ris)},
        headers=JSON,
    )
    assert answer.status_code == 200
    assert "embase-2024-03.ris" in answer.text
    assert "/tmp" not in answer.text
    assert "upload" not in answer.json()["report"].get("file", "")
    bad = ivan.post(
        "/r/main/imports",
        data={"source": "Embase", "csrf": site.csrf_of(ivan)},
        files={"file": ("broken.ris", b"TY  - JOUR\nTI  - cut off")},
        headers=JSON,
    )
    assert bad.status_code == 400
    assert "broken.ris" in bad.json()["error"]["message"]
    assert "/tmp" not in bad.text
    with site.store.engine.connect() as conn:
        names = set(conn.scalars(select(ImportBatchRow.file_name)))
    assert "embase-2024-03.ris" in names
    assert not any("/" in n for n in names)


def test_every_failure_has_the_one_error_body(site: Site) -> None:
    """Finding 11: one shape for 400, 401, 403, 404, 405, 409 and 413."""
    alice = site.login("alice")
    anonymous = site.app_client()
    _error(anonymous.get("/r/main.json"), 401, "not_signed_in")
    _error(alice.get("/no-such-page", headers=JSON), 404, "not_found")
    _error(alice.get("/r/nope.json"), 404, "not_found")
    _error(alice.get("/r/main/conflicts/title_abstract.json"), 403, "permission_denied")
    _error(alice.delete("/r/main", headers=JSON), 405, "method_not_allowed")
    _error(alice.get("/r/main/records/records_identified.json?page=x"), 400, "invalid_input")
    wrong = _decide(site, alice, site.record_ids[0], "perhaps")
    assert _error(wrong, 400, "invalid_value")["field"] == "decision"
    big = alice.post("/r/main/setup", content=b"x" * (2 * 1024 * 1024), headers=JSON)
    _error(big, 413, "too_large")


def test_the_audit_log_names_the_command_that_added_a_member(review_file: Any) -> None:
    """Finding 10: `evidens user add carol --review main --role viewer` was logged as carol."""
    from typer.testing import CliRunner

    from evidens.cli.app import app

    result = CliRunner().invoke(
        app,
        [
            "user",
            "add",
            "carol",
            "--db",
            str(review_file),
            "--review",
            "main",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{review_file}")
    with engine.connect() as conn:
        row = conn.execute(
            select(AuditRow.actor, AuditRow.entity_id)
            .where(AuditRow.action == "member")
            .order_by(AuditRow.id.desc())
        ).first()
    engine.dispose()
    assert row is not None
    assert tuple(row) == ("evidens user add", "carol")
