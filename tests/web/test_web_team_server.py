"""A team's deployment, for real: two ``evidens serve`` processes on one PostgreSQL store, the
job queue shared on Redis (then on PostgreSQL), the web processes not working it
(``EVIDENS_JOBS_INPROCESS=0``) and one worker process (``python -m evidens.web.jobs``).

Over HTTP, two reviewers signed in on different servers screen the same review: what one
server records the other serves (the queue's hand-outs, blinding, conflicts, a final record's
lock); a session opened on one is honoured (and ended) on the other, because sessions live in
the store, and so do failed logins (five guesses in all, not five a server). A
de-duplication job submitted on one server is followed to done on the other; its worker,
killed with SIGKILL while the job's transaction waits on a lock, leaves nothing of it in the
store, and the job is retried and finishes once."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis
from argon2 import PasswordHasher

from evidens.services.identification import dedup, imports
from evidens.services.review import accounts
from evidens.services.store import create_review, open_review

ADMIN = os.environ.get("EVIDENS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("EVIDENS_TEST_REDIS", "redis://127.0.0.1:6379/15")
EVIDENS = Path(sys.executable).with_name("evidens")
STALE = 3.0  # seconds a worker's heartbeat may be silent before its job is taken for dead
PASSWORD = "correct horse battery"
JSON = {"accept": "application/json"}
TOPICS = ("diet", "ACTH", "vigabatrin", "prednisolone", "surgery", "cannabidiol")


def _ris(prefix: str, count: int, source_tag: str = "") -> str:
    """``count`` distinct trials (DOIs ``10.5000/{prefix}.{i}``); the same prefix again is
    the same articles as another database exports them."""
    entries = []
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        entries.append(
            f"TY  - JOUR\nTI  - {topic.title()} for infantile spasms: trial {prefix} {i}\n"
            f"AB  - Infants were randomised to {topic}{source_tag}.\nAU  - Author{i}, A\n"
            f"PY  - {2010 + i}\nJO  - Epilepsia\nDO  - 10.5000/{prefix}.{i}\nER  - \n"
        )
    return "".join(entries)


@dataclass
class Deployment:
    store: str  # the PostgreSQL URL both servers serve
    database: str
    queue: str
    name: str
    servers: tuple[str, str]
    folder: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "EVIDENS_JOBS": self.queue,
            "EVIDENS_JOBS_NAME": self.name,
            "EVIDENS_JOBS_INPROCESS": "0",
            "EVIDENS_JOBS_STALE": str(STALE),
            "EVIDENS_SERVE_STORE": self.store,
        }

    def start_worker(self) -> subprocess.Popen[bytes]:
        with (self.folder / f"worker-{uuid.uuid4().hex[:6]}.log").open("wb") as log:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "evidens.web.jobs"],
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(self.worker)
        return self.worker

    def sql(self, statement: str) -> Any:
        with psycopg.connect(self.store) as conn:
            return conn.execute(statement).fetchone()[0]  # type: ignore[index]


# the queue's server: screening and sessions do not touch the queue, so they run on one
ON_REDIS = pytest.mark.parametrize("team", ["redis"], indirect=True)
ON_EITHER = pytest.mark.parametrize("team", ["redis", "postgres"], indirect=True)


def _reachable(queue: str) -> None:
    """Skip, saying why, when this machine has no PostgreSQL or Redis (CI has both)."""
    try:
        with psycopg.connect(ADMIN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL at {ADMIN} (set EVIDENS_TEST_PG): {exc}")
    if queue == "redis":
        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            pytest.skip(f"no Redis at {REDIS_URL} (set EVIDENS_TEST_REDIS): {exc}")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _build(url: str, folder: Path) -> None:
    """Review "main" (screened by two, six records, de-duplicated) and review "dups" (whose
    records the jobs de-duplicate); Olga owns both, Alice reviews "main". Bruno is added
    with ``evidens user add``, as an administrator does, while the servers start."""
    needs_two = {"reviewers_required": {"title_abstract": 2, "full_text": 2}}
    protocol = {"question": "Does diet help infantile spasms?", "inclusion_criteria": ["RCT"]}
    main = create_review(
        url, title="Team review", slug="main", protocol=protocol, settings=needs_two
    )
    path = folder / "main.ris"
    path.write_text(_ris("main", 6), encoding="utf-8")
    imports.import_file(main, path, source="PubMed", actor="olga")
    dedup.deduplicate(main, actor="olga")
    dups = create_review(url, title="Duplicates", slug="dups", protocol=protocol)
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    previous = accounts.use_hasher(cheap)  # real argon2id, small: the servers verify often
    try:
        for name, role in (("olga", "owner"), ("alice", "reviewer")):
            accounts.create_user(main.engine, name, PASSWORD)
            accounts.add_member(main, name, role, actor="olga")
        accounts.add_member(dups, "olga", "owner", actor="olga")
    finally:
        accounts.use_hasher(previous)
        main.dispose()
        dups.dispose()


def _user_add(url: str, name: str, role: str) -> subprocess.Popen[bytes]:
    """``evidens user add`` as an administrator runs it (the password goes to its stdin)."""
    command = ["user", "add", name, "--db", url, "--review", "main", "--role", role]
    return subprocess.Popen(
        [str(EVIDENS), *command, "--password-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _serve(deployment: Deployment, port: int) -> subprocess.Popen[bytes]:
    with (deployment.folder / f"serve-{port}.log").open("wb") as log:
        process = subprocess.Popen(
            [str(EVIDENS), "serve", deployment.store, "--host", "127.0.0.1", "--port", str(port)],
            env=deployment.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deployment.processes.append(process)
    return process


def _until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180  # a loaded machine starts Python slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{base} exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} never answered: {log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def team(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """A scratch database with the reviews and accounts, two servers and a worker; all torn
    down (processes killed, queue flushed, database dropped) whatever happens."""
    _reachable(request.param)
    folder = tmp_path_factory.mktemp(f"team-{request.param}")
    database = f"evidens_team_{uuid.uuid4().hex[:10]}"
    url = ADMIN.rsplit("/", 1)[0] + "/" + database
    queue = REDIS_URL if request.param == "redis" else url
    ports = (_port(), _port())
    deployment = Deployment(
        url,
        database,
        queue,
        f"evidens_team_{uuid.uuid4().hex[:8]}",
        (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"),
        folder,
    )
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        _build(url, folder)
        adding = _user_add(url, "bruno", "reviewer")  # every process starts at once
        started = [_serve(deployment, port) for port in ports]
        deployment.start_worker()
        _, errors = adding.communicate(f"{PASSWORD}\n".encode(), timeout=180)
        assert adding.returncode == 0, errors.decode()
        for base, process, port in zip(deployment.servers, started, ports, strict=True):
            _until_up(base, process, folder / f"serve-{port}.log")
        yield deployment
    finally:
        for process in deployment.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
        if request.param == "redis":
            from evidens.services.web.jobs import queue_at

            queue_at(REDIS_URL, name=deployment.name).flush()
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


SIGNED_IN: list[httpx.Client] = []
"""The clients a test signed in, closed after it whether it passed or not."""


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while SIGNED_IN:
        SIGNED_IN.pop().close()


def _sign_in(base: str, name: str) -> tuple[httpx.Client, str]:
    """A client signed in on server ``base`` and its session's CSRF token."""
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    SIGNED_IN.append(client)
    form = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    login = {"username": name, "password": PASSWORD, "csrf": token.group(1), "next": "/"}
    signed = client.post("/login", data=login, headers=JSON)
    assert signed.status_code == 200, signed.text
    return client, str(signed.json()["csrf_token"])


def _decide(client: httpx.Client, csrf: str, record: int, decision: str, note: str = "") -> int:
    form = {"record_id": str(record), "decision": decision, "csrf": csrf, "note": note}
    return client.post("/r/main/screen/title_abstract", data=form, headers=JSON).status_code


def _card(client: httpx.Client, record: int | None = None) -> dict[str, Any]:
    query = "" if record is None else f"?record={record}"
    got = client.get(f"/r/main/screen/title_abstract.json{query}")
    assert got.status_code == 200, got.text
    card: dict[str, Any] = got.json()["record"]
    return card


@ON_REDIS
def test_decisions_made_on_one_server_are_what_the_other_serves(team: Deployment) -> None:
    a, b = team.servers
    alice, alice_csrf = _sign_in(a, "alice")
    bruno, bruno_csrf = _sign_in(b, "bruno")
    olga, olga_csrf = _sign_in(b, "olga")
    # the queue holds the record it hands out in the store: never the same to both at once
    x = _card(alice)["record_id"]
    y = _card(bruno)["record_id"]
    assert x != y
    assert _card(alice)["record_id"] == x  # asked again, Alice keeps hers
    # Alice's decision on server A is blinded on server B, on the page and its JSON twin
    assert _decide(alice, alice_csrf, x, "include", "ALICE-PRIVATE-NOTE") == 200
    assert _card(bruno, x)["visible"] == []
    assert "ALICE-PRIVATE-NOTE" not in bruno.get(f"/r/main/screen/title_abstract?record={x}").text
    assert olga.get("/r/main/conflicts/title_abstract.json").json()["conflicts"] == []
    # Bruno disagrees on B: the conflict appears on B at once
    assert _decide(bruno, bruno_csrf, x, "exclude") == 200
    conflicts = olga.get("/r/main/conflicts/title_abstract.json").json()["conflicts"]
    assert [c["record_id"] for c in conflicts] == [x]
    # both include y, one on each server: final, and locked on the other server
    assert _decide(bruno, bruno_csrf, y, "include") == 200
    assert _decide(alice, alice_csrf, y, "include") == 200
    seen = _card(bruno, y)["visible"]
    assert sorted(d["reviewer"] for d in seen) == ["alice", "bruno"]
    assert _decide(bruno, bruno_csrf, y, "exclude") == 409
    # Olga resolves the conflict on A; B has no conflict left
    olga_a, olga_a_csrf = _sign_in(a, "olga")
    form = {"record_id": str(x), "decision": "exclude", "csrf": olga_a_csrf}
    assert (
        olga_a.post("/r/main/conflicts/title_abstract", data=form, headers=JSON).status_code == 200
    )
    assert olga.get("/r/main/conflicts/title_abstract.json").json()["conflicts"] == []
    del olga_csrf
    for client in (alice, bruno, olga, olga_a):
        client.close()


@ON_REDIS
def test_a_session_opened_on_one_server_is_honoured_and_ended_on_the_other(
    team: Deployment,
) -> None:
    """Sessions are rows of the store (not process memory): any server reads them."""
    a, b = team.servers
    on_a, csrf = _sign_in(a, "alice")
    on_b = httpx.Client(base_url=b, timeout=30, follow_redirects=False, cookies=on_a.cookies)
    SIGNED_IN.append(on_b)
    assert on_b.get("/r/main.json").status_code == 200
    assert on_b.get("/account.json").json()["username"] == "alice"
    # the CSRF token belongs to the session, so B accepts a form A's page carried
    record = _card(on_b)["record_id"]
    assert _decide(on_b, csrf, record, "include") == 200
    assert _decide(on_b, "forged", record, "include") == 403
    ended = on_a.post("/logout", data={"csrf": csrf})
    assert ended.status_code == 303
    assert on_b.get("/r/main.json").status_code == 401
    on_a.close()
    on_b.close()


@ON_REDIS
def test_failed_logins_are_counted_once_for_every_server(team: Deployment) -> None:
    """Three wrong passwords on A and two on B reach the limit of five: the counts are rows
    of the store, so a second server is not a second allowance of guesses."""
    answers = []
    for base in (team.servers[0], team.servers[1]) * 3:
        with httpx.Client(base_url=base, timeout=30) as client:
            form = client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token is not None
            login = {"username": "mallory", "password": "a guess", "csrf": token.group(1)}
            answers.append(client.post("/login", data=login, headers=JSON).status_code)
    assert answers == [403] * 5 + [429]


def _import(team: Deployment, prefix: str, count: int, tag: str) -> None:
    store = open_review(team.store, "dups")
    try:
        path = team.folder / f"{prefix}-{tag}.ris"
        path.write_text(_ris(prefix, count, tag), encoding="utf-8")
        imports.import_file(store, path, source=f"Database {tag}", actor="olga")
    finally:
        store.dispose()


def _follow(
    client: httpx.Client, job: str, ready: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        got = client.get(f"/r/dups/jobs/{job}.json")
        assert got.status_code == 200, got.text
        if ready(got.json()):
            return dict(got.json())
        time.sleep(0.1)
    raise AssertionError(f"job {job} never got there: {got.json()}")


def _clustered(team: Deployment) -> int:
    return int(
        team.sql(
            "SELECT count(*) FROM records r JOIN reviews v ON v.id = r.review_id "
            "WHERE v.slug = 'dups' AND r.cluster_id IS NOT NULL"
        )
    )


def _dedup_runs(team: Deployment) -> int:
    return int(team.sql("SELECT count(*) FROM audit_log WHERE action = 'deduplicate'"))


@ON_EITHER
def test_a_job_submitted_on_one_server_is_followed_to_done_on_the_other(
    team: Deployment,
) -> None:
    _import(team, "pair", 3, "one")
    _import(team, "pair", 3, "two")  # the same three articles again
    a, b = team.servers
    olga_a, csrf = _sign_in(a, "olga")
    olga_b, _ = _sign_in(b, "olga")
    runs = _dedup_runs(team)
    started = olga_a.post("/r/dups/dedup-job", data={"csrf": csrf}, headers=JSON)
    assert started.status_code == 202, started.text
    job = started.json()["id"]
    done = _follow(olga_b, job, lambda j: j["state"] in ("done", "failed"))
    assert (done["state"], done["percent"], done["attempts"]) == ("done", 100, 1)
    assert _clustered(team) == 6
    assert _dedup_runs(team) == runs + 1
    page = olga_b.get(f"/r/dups/jobs/{job}")
    assert page.status_code == 200
    assert "De-duplicating" in page.text
    olga_a.close()
    olga_b.close()


@ON_EITHER
def test_a_worker_killed_mid_job_leaves_nothing_and_the_job_is_retried(
    team: Deployment,
) -> None:
    """The job's transaction is made to wait (the audit log locked) so the kill lands
    inside it: its writes are rolled back, the job re-queued, and a new worker runs it."""
    _import(team, "kill", 4, "one")
    _import(team, "kill", 4, "two")
    a, b = team.servers
    olga_a, csrf = _sign_in(a, "olga")
    olga_b, _ = _sign_in(b, "olga")
    before, runs = _clustered(team), _dedup_runs(team)
    assert team.worker is not None
    worker = team.worker
    with psycopg.connect(team.store) as lock:
        lock.execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        started = olga_a.post("/r/dups/dedup-job", data={"csrf": csrf}, headers=JSON)
        assert started.status_code == 202, started.text
        job = started.json()["id"]
        _follow(olga_b, job, lambda j: j["state"] == "running")
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock(team) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_on_a_lock(team), "the job's transaction never reached the lock"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        lock.rollback()  # the dead worker's transaction now fails and is rolled back
    assert worker.returncode == -signal.SIGKILL
    _gone_from_the_database(team)
    assert (_clustered(team), _dedup_runs(team)) == (before, runs)  # nothing half-applied
    time.sleep(STALE + 0.5)
    retried = _follow(olga_b, job, lambda j: j["state"] != "running")
    assert (retried["state"], retried["attempts"]) == ("queued", 1)
    assert retried["step"].startswith("retrying")
    team.start_worker()
    done = _follow(olga_b, job, lambda j: j["state"] in ("done", "failed"))
    assert (done["state"], done["attempts"]) == ("done", 2), done
    assert (_clustered(team), _dedup_runs(team)) == (before + 8, runs + 1)
    olga_a.close()
    olga_b.close()


def _waiting_on_a_lock(team: Deployment) -> bool:
    return bool(
        team.sql(
            "SELECT count(*) FROM pg_stat_activity "
            f"WHERE datname = '{team.database}' AND wait_event_type = 'Lock'"
        )
    )


def _gone_from_the_database(team: Deployment) -> None:
    """Wait until no backend is left inside a transaction that wrote (the killed one)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = team.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
            f"'{team.database}' AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        )
        if not left:
            return
        time.sleep(0.1)
    raise AssertionError("the killed worker's transaction is still open")
