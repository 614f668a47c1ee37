"""The web app under load: `evidens serve` on PostgreSQL with a 100,000-record review and 20
reviewers screening concurrently over loopback for 60 s, then a kill -9 of the server
mid-load (``--phase screening``, the default); or, with ``--phase pages``, 20 users loading
every page of a 50,000-record review part-way through screening while jobs run
(benchmarks/web_pages.py: per page p50/p95/p99 against the 150 ms target, decide-and-next
against 100 ms, a job's first progress against 1 s).

Figures: p50/p95/p99 of "decide and get next" (one POST answering with the next record;
target p95 < 100 ms), decisions per second, and, counted in the database afterwards, lost
decisions (acknowledged but absent: target 0), duplicated decisions (target 0) and records
given more decisions than required (a race between reviewers fetching the same next record;
reported, not a loss). After kill -9: acknowledged decisions missing (target 0).
There is no peer web app to run here; the ratio printed is against the issue's target.

    .venv/bin/python benchmarks/web.py [--records N] [--reviewers N] [--seconds S]
    .venv/bin/python benchmarks/web.py --phase pages [--records 50000] [--store sqlite]

Needs the PostgreSQL server of the tests (EVIDENS_TEST_PG, default
postgresql://postgres@127.0.0.1:5432/test); a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from evidens.services.identification import imports
from evidens.services.review import accounts
from evidens.services.store import create_review

ADMIN = os.environ.get("EVIDENS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "benchmark password 1"
SLUG = "bench"
WORDS = [
    "trial",
    "randomized",
    "ketogenic",
    "diet",
    "infant",
    "spasm",
    "epilepsy",
    "vigabatrin",
    "hormone",
    "surgery",
]


@dataclass
class Reviewer:
    name: str
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)
    errors: int = 0


def _ris(n: int) -> str:
    rng = random.Random(7)
    parts = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(10))
        abstract = " ".join(rng.choice(WORDS) for _ in range(120))
        parts.append(
            f"TY  - JOUR\nTI  - {title} {i}\nAB  - {abstract}\nAU  - Author, A{i % 97}\n"
            f"PY  - {1990 + i % 35}\nDO  - 10.9999/bench.{i}\nER  - \n"
        )
    return "".join(parts)


def build(url: str, records: int, reviewers: int) -> float:
    started = time.perf_counter()
    store = create_review(
        url,
        title="Load test review",
        slug=SLUG,
        settings={"reviewers_required": {"title_abstract": 2, "full_text": 2}},
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.ris"
        path.write_text(_ris(records), encoding="utf-8")
        imports.import_file(store, path, source="PubMed", actor="bench")
    for i in range(reviewers):
        name = f"reviewer{i:02d}"
        accounts.create_user(store.engine, name, PASSWORD)
        accounts.add_member(store, name, "reviewer", actor="bench")
    store.dispose()
    with psycopg.connect(url, autocommit=True) as conn:
        # what autovacuum does soon after a bulk import (PostgreSQL 13 and later vacuum
        # after inserts too): statistics, and the visibility map index-only scans need
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(
    url: str, workers: int, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """`evidens serve` in its own process group (so kill -9 reaches every worker)."""
    port = _port()
    command = [sys.executable, "-m", "evidens.cli", "serve", url, "--port", str(port)]
    command += ["--workers", str(workers)]
    log = os.environ.get("EVIDENS_BENCH_SERVER_LOG")  # where the server's errors go
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=Path(log).open("ab") if log else subprocess.DEVNULL,  # noqa: SIM115 - the child keeps it
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def sign_in(client: httpx.Client, name: str) -> str:
    form = client.get("/login").text
    token = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf": token},
        headers={"accept": "application/json"},
    )
    answer.raise_for_status()
    csrf: str = answer.json()["csrf_token"]
    return csrf


def screen(
    base: str, who: Reviewer, gate: threading.Barrier, clock: dict[str, float], think: float
) -> None:
    """Sign in, wait for everyone, then read each record (the think time) and decide and
    get next until the deadline (or the server dies: the first failure ends this
    reviewer's run). Reading comes before deciding, so reviewers do not all decide in the
    same instant when the clock starts."""
    rng = random.Random(who.name)
    with httpx.Client(base_url=base, timeout=30) as client:
        try:
            csrf = sign_in(client, who.name)
            card = client.get(f"/r/{SLUG}/screen/title_abstract.json").json()
        finally:
            gate.wait()
        while time.perf_counter() < clock["deadline"] and card.get("record"):
            if think:
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))
                if time.perf_counter() >= clock["deadline"]:
                    return
            record = card["record"]["record_id"]
            form = {"record_id": str(record), "decision": rng.choice(["include", "exclude"])}
            started = time.perf_counter()
            try:
                answer = client.post(
                    f"/r/{SLUG}/screen/title_abstract",
                    data={**form, "csrf": csrf},
                    headers={"accept": "application/json"},
                )
            except httpx.HTTPError:
                who.errors += 1
                return
            if answer.status_code != 200:
                who.errors += 1
                return
            who.latencies.append(time.perf_counter() - started)
            who.acknowledged.append(record)
            card = answer.json()


def run_load(
    base: str, reviewers: int, seconds: float, think: float, kill: Any = None
) -> list[Reviewer]:
    """Every reviewer signs in first; the clock (and the optional kill timer) starts when
    all have."""
    people = [Reviewer(f"reviewer{i:02d}") for i in range(reviewers)]
    gate = threading.Barrier(reviewers + 1)
    clock = {"deadline": float("inf")}
    threads = [
        threading.Thread(target=screen, args=(base, who, gate, clock, think)) for who in people
    ]
    for thread in threads:
        thread.start()
    gate.wait()
    clock["deadline"] = time.perf_counter() + seconds
    if kill is not None:
        kill.start()
    for thread in threads:
        thread.join()
    return people


def stored(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT reviewer, record_id FROM screening_decisions WHERE stage = 'title_abstract'"
        ).fetchall()
    return [(str(r), int(i)) for r, i in rows]


def count(people: list[Reviewer], rows: list[tuple[str, int]]) -> dict[str, int]:
    acknowledged = {(p.name, r) for p in people for r in p.acknowledged}
    present = set(rows)
    per_record: dict[int, int] = {}
    for _, record in rows:
        per_record[record] = per_record.get(record, 0) + 1
    return {
        "acknowledged": len(acknowledged),
        "lost": len(acknowledged - present),
        "duplicated": len(rows) - len(present),
        "acknowledged twice": sum(len(p.acknowledged) - len(set(p.acknowledged)) for p in people),
        "records over-assigned": sum(1 for n in per_record.values() if n > 2),
    }


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages (it is shared: other work running
    alongside shows up in the latencies, and is named next to them)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def report(
    people: list[Reviewer],
    seconds: float,
    think: float,
    rows: list[tuple[str, int]],
    loads: tuple[str, str],
) -> None:
    latencies = sorted(t for p in people for t in p.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    print(
        f"{len(people)} reviewers, think time {think:.1f} s per record "
        f"(load average {loads[0]} before, {loads[1]} after; 2 cores):"
    )
    print(
        f"  decide and get next: {len(latencies)} requests in {seconds:.0f} s "
        f"({len(latencies) / seconds:.1f}/s), errors {sum(p.errors for p in people)}"
    )
    print(
        f"  p50 {1000 * statistics.median(latencies):.1f} ms  p95 {1000 * p95:.1f} ms  "
        f"p99 {1000 * p99:.1f} ms  (target p95 < 100 ms: ratio {p95 / 0.100:.2f})"
    )
    for key, value in count(people, rows).items():
        print(f"  {key}: {value}")


def pages_phase(args: argparse.Namespace, url: str) -> None:
    """Seed a review part-way through screening, then 20 users load pages while jobs run."""
    import web_pages
    import web_report

    started = time.perf_counter()
    if args.keep and not args.fresh:
        seeded = web_pages.seeded_in(url, args.reviewers)
    else:
        seeded = web_pages.seed(url, args.records or 50_000, args.reviewers, args.screened)
        print(f"built in {time.perf_counter() - started:.1f} s")
    if "://" in url:
        # what autovacuum would have done by now: the CI machines' PostgreSQL runs with
        # autovacuum off, and a kept store carries the last run's dead row versions
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    if args.profile:
        web_pages.profile(url, seeded)
        return
    env, worker = {}, None
    if args.jobs_queue:
        # a team's deployment (docs/web-app.md): the web processes leave the shared queue to
        # a worker process of its own
        env = {
            "EVIDENS_JOBS": args.jobs_queue,
            "EVIDENS_JOBS_NAME": f"bench-{uuid.uuid4().hex}",
            "EVIDENS_JOBS_INPROCESS": "0",
            "EVIDENS_SERVE_STORE": url,
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "evidens.web.jobs"],
            stdout=subprocess.DEVNULL,
            env={**os.environ, **env},
        )
    process, base = start_server(url, args.workers, env)
    before = os.getloadavg()
    try:
        timings, job_times = web_pages.run(
            base,
            seeded,
            seconds=args.seconds,
            think=args.think[-1],
            decide_share=args.decide_share,
            job_kind=args.job_kind,
            job_count=args.job_count,
            warmup=args.warmup,
        )
    finally:
        after = os.getloadavg()
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        if worker is not None:
            worker.kill()
            worker.wait(timeout=30)
    print(
        f"{args.store}, {len(seeded.records)} records, {args.reviewers} users, think time "
        f"{args.think[-1]:.1f} s, {args.seconds:.0f} s after {args.warmup:.0f} s of warm-up, "
        f"{args.workers} server processes; "
        f"load average {before[0]:.2f} {before[1]:.2f} before, {after[0]:.2f} {after[1]:.2f} "
        f"after, on {os.cpu_count()} cores shared with other work"
    )
    web_report.report(timings, job_times, args.job_kind, args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phase", choices=["screening", "pages"], default="screening")
    parser.add_argument("--store", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--records", type=int, default=0, help="100,000 (screening) or 50,000 (pages)"
    )
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--warmup",
        type=float,
        default=10,
        help="pages: seconds of load before the measured --seconds (each server process "
        "fills its memories: canonical ids, statuses, figures)",
    )
    parser.add_argument("--kill-after", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2, help="evidens serve --workers")
    parser.add_argument(
        "--think",
        type=float,
        nargs="+",
        default=[0.0, 1.0],
        help="mean seconds a reviewer reads before deciding (0: back to back, saturating); "
        "the page phase uses the last",
    )
    parser.add_argument("--screened", type=float, default=0.3, help="pages: share screened")
    parser.add_argument("--decide-share", type=float, default=0.3, help="pages: clicks deciding")
    parser.add_argument("--job-kind", choices=["dedup", "outputs"], default="dedup")
    parser.add_argument("--profile", action="store_true", help="pages: each page once, SQL")
    parser.add_argument(
        "--keep",
        default="",
        help="pages: a database name (or SQLite path) seeded on first use and kept, so runs "
        "after a fix skip the seeding",
    )
    parser.add_argument("--job-count", type=int, default=5)
    parser.add_argument(
        "--jobs-queue",
        default="redis://127.0.0.1:6379/0",
        help="pages: $EVIDENS_JOBS for the server (one queue its processes share); "
        "empty: the default (memory beside PostgreSQL, a file beside SQLite)",
    )
    args = parser.parse_args()
    if args.store == "sqlite":
        if args.keep:
            args.fresh = not Path(args.keep).exists()
            pages_phase(args, args.keep)
            return
        with tempfile.TemporaryDirectory() as folder:
            pages_phase(args, str(Path(folder) / "review.db"))
        return
    name = args.keep or f"evidens_bench_web_{uuid.uuid4().hex[:8]}"
    args.fresh = not _exists(name)
    if args.fresh:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        if args.phase == "pages":
            pages_phase(args, url)
        else:
            screening_phase(args, url)
    finally:
        if not args.keep:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _exists(database: str) -> bool:
    """Whether the PostgreSQL server has ``database`` (a store kept by ``--keep``)."""
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        return found.fetchone() is not None


def screening_phase(args: argparse.Namespace, url: str) -> None:
    """The first benchmark: decide-and-next, lost decisions, kill -9."""
    records = args.records or 100_000
    built = build(url, records, args.reviewers)
    print(f"built a {records}-record review with {args.reviewers} reviewers: {built:.1f} s")
    for think in args.think:
        process, base = start_server(url, args.workers)
        before = load_average()
        try:
            people = run_load(base, args.reviewers, args.seconds, think)
        finally:
            after = load_average()
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        report(people, args.seconds, think, stored(url), (before, after))
    process, base = start_server(url, args.workers)
    killer = threading.Timer(args.kill_after, os.killpg, (process.pid, signal.SIGKILL))
    survivors = run_load(base, args.reviewers, args.kill_after + 5, args.think[-1], killer)
    process.wait(timeout=30)
    result = count(survivors, stored(url))
    print(
        f"kill -9 after {args.kill_after:.0f} s of load: {result['acknowledged']} decisions "
        f"acknowledged in that run, {result['lost']} lost, {result['duplicated']} duplicated"
    )


if __name__ == "__main__":
    main()
