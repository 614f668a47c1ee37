"""Page loads of the web app under load (the page phase of benchmarks/web.py).

A review as a team has it part-way: the seed's RISS review (examples/riss: its included
studies, extraction, RoB 2, analyses and GRADE) plus N generated records, of which a share is
screened by two of the users (some disagreeing: conflicts, half of them resolved), and some
carried to full text. 20 users then work at once over loopback, each loading a weighted mix
of every GET page (and some JSON twins) between think times, deciding and getting the next
record as they go. Meanwhile an owner submits jobs and polls the job's progress endpoint:
the time from submit until it first shows a step other than "waiting" (or progress > 0).

Targets (issue 20): page loads p95 < 150 ms, decide-and-next p95 < 100 ms, a job's progress
within 1 s. There is no peer web app to run, so the ratio printed is against the target.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from import_store import generate_ris
from sqlalchemy import insert, select
from web_report import Timings

from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.run import load_review
from evidens.services.identification import imports
from evidens.services.review import accounts
from evidens.services.screening import statuses
from evidens.services.store import transaction
from evidens.store.models import (
    AuditRow,
    RecordRow,
    ResolutionRow,
    ScreeningDecisionRow,
    StudyRow,
)
from web import PASSWORD, sign_in

RISS = Path(__file__).resolve().parents[1] / "examples" / "riss"
SLUG = "riss"
OWNERS = 4  # users 0-3 own the review; the others screen, resolve, import and synthesise
PERMISSIONS = ("resolver", "can import", "can synthesise")
QUERIES = ["spasm", "ketogenic diet", "vigabatrin", "cohort", "placebo", "seizure 12"]


@dataclass
class Seeded:
    records: list[int]
    studies: list[int]
    users: list[str]


def _decision_rows(
    review: int, ids: list[int], users: list[str], share: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two reviewers' title/abstract decisions on the first ``share`` of the records (8% of
    pairs disagree), one reviewer's on the next 5%; full-text decisions for the agreed
    includes; resolutions for half of the conflicts."""
    rng = random.Random(11)
    start = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    decisions, resolutions = [], []
    screened = int(share * len(ids))
    for n, rid in enumerate(ids[: screened + len(ids) // 20]):
        a, b = rng.sample(users, 2)
        first = rng.choices(["exclude", "include", "maybe"], [85, 12, 3])[0]
        second = first if rng.random() > 0.08 else ("include" if first != "include" else "exclude")
        when = start + dt.timedelta(seconds=7 * n)
        pairs = [(a, first)] if n >= screened else [(a, first), (b, second)]
        for who, decision in pairs:
            decisions.append((rid, "title_abstract", who, decision, when))
        if n < screened and first != second and rng.random() < 0.5:
            resolutions.append((rid, "title_abstract", a, "include", when))
        if n < screened and first == second == "include":
            for who in (a, b):
                ft = "include" if rng.random() < 0.3 else "exclude"
                decisions.append((rid, "full_text", who, ft, when + dt.timedelta(days=20)))
    rows = [
        {"review_id": review, "record_id": r, "stage": s, "reviewer": w, "decision": d}
        | {
            "decided_at": t,
            "reason": "Not randomized" if d == "exclude" and s == "full_text" else None,
        }
        for r, s, w, d, t in decisions
    ]
    resolved = [
        {
            "review_id": review,
            "record_id": r,
            "stage": s,
            "resolver": w,
            "decision": d,
            "decided_at": t,
        }
        for r, s, w, d, t in resolutions
    ]
    return rows, resolved


def _audit_rows(
    review: int, rows: list[dict[str, Any]], kind: str, who: str
) -> list[dict[str, Any]]:
    return [
        {
            "review_id": review,
            "actor": r[who],
            "action": "decide" if kind == "screening_decision" else "resolve",
            "entity": kind,
            "entity_id": str(r["record_id"]),
            "after": {"record_id": r["record_id"], "stage": r["stage"], "decision": r["decision"]},
            "at": r["decided_at"],
        }
        for r in rows
    ]


def seed(url: str, records: int, users: int, screened: float) -> Seeded:
    """The RISS review from its folder, ``records`` generated records imported into it (the
    ordinary import path), ``users`` members, and decisions written in bulk (with their audit
    rows, as the screening service writes them)."""
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    names = [f"user{i:02d}" for i in range(users)]
    try:
        with load_review(read_review_dir(RISS), url) as (store, _):  # type: ignore[arg-type]
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "records.ris"
                path.write_text(generate_ris(records), encoding="utf-8")
                imports.import_file(store, path, source="PubMed", actor="user00")
            for i, name in enumerate(names):
                accounts.create_user(store.engine, name, PASSWORD)
                role = "owner" if i < OWNERS else "reviewer"
                extra = () if i < OWNERS else PERMISSIONS
                accounts.add_member(store, name, role, permissions=extra, actor="user00")
            with transaction(store, "user00") as uow:
                ids = list(
                    uow.session.scalars(
                        select(RecordRow.id)
                        .where(RecordRow.review_id == uow.review_id)
                        .order_by(RecordRow.id)
                    )
                )
                taken = set(
                    uow.session.scalars(
                        select(ScreeningDecisionRow.record_id).where(
                            ScreeningDecisionRow.review_id == uow.review_id
                        )
                    )
                )
                fresh = [i for i in ids if i not in taken]
                rows, resolved = _decision_rows(uow.review_id, fresh, names, screened)
                uow.session.execute(insert(ScreeningDecisionRow), rows)
                uow.session.execute(insert(ResolutionRow), resolved)
                audit = _audit_rows(uow.review_id, rows, "screening_decision", "reviewer")
                audit += _audit_rows(uow.review_id, resolved, "resolution", "resolver")
                uow.session.execute(insert(AuditRow), audit)
                statuses.rederive(uow)  # the bulk INSERTs went round the session's hook
                studies = list(
                    uow.session.scalars(
                        select(StudyRow.id).where(StudyRow.review_id == uow.review_id)
                    )
                )
            print(
                f"  seeded: {len(ids)} records, {len(rows)} decisions, {len(resolved)} "
                f"resolutions, {len(studies)} studies, {users} users"
            )
    finally:
        accounts.use_hasher(previous)
    return Seeded(ids, studies, names)


# --- the users -------------------------------------------------------------------------


Pick = Callable[[random.Random], str]


def _mix(seeded: Seeded, owner: bool) -> list[tuple[str, int, Pick]]:
    """(page name, weight, path maker): what a member loads while working."""
    r = f"/r/{SLUG}"

    def search(rng: random.Random) -> str:
        q = rng.choice(QUERIES)
        status = rng.choice(["", "", "undecided", "mine", "conflict", "final"])
        decision = rng.choice(["", "", "include", "exclude"])
        return f"{r}/records?q={q}&status={status}&decision={decision}&page={rng.randint(1, 3)}"

    mix: list[tuple[str, int, Pick]] = [
        ("dashboard", 5, lambda _: r),
        ("dashboard.json", 1, lambda _: r + ".json"),
        ("screen", 4, lambda _: f"{r}/screen/title_abstract"),
        ("screen full_text", 1, lambda _: f"{r}/screen/full_text"),
        ("records search", 8, search),
        ("records.json search", 2, lambda g: search(g).replace("/records?", "/records.json?")),
        ("records all", 2, lambda g: f"{r}/records?page={g.randint(1, 50)}"),
        ("PRISMA box list", 2, lambda _: f"{r}/records/records_screened"),
        ("record", 6, lambda g: f"{r}/record/{g.choice(seeded.records)}"),
        ("my decisions", 4, lambda _: f"{r}/mine/title_abstract"),
        ("conflicts", 3, lambda _: f"{r}/conflicts/title_abstract"),
        ("conflicts.json", 1, lambda _: f"{r}/conflicts/title_abstract.json"),
        ("full texts", 2, lambda _: f"{r}/fulltexts"),
        ("studies", 2, lambda _: f"{r}/studies"),
        ("extraction", 2, lambda _: f"{r}/extraction"),
        ("study extraction", 1, lambda g: f"{r}/studies/{g.choice(seeded.studies)}/extraction"),
        ("rob", 2, lambda _: f"{r}/rob"),
        (
            "study rob",
            1,
            lambda g: (
                f"{r}/studies/{g.choice(seeded.studies)}/rob?outcome=Electroclinical%20response"
            ),
        ),
        ("analyses", 2, lambda _: f"{r}/analyses"),
        ("analyses.json", 1, lambda _: f"{r}/analyses.json"),
        ("grade", 2, lambda _: f"{r}/grade"),
        ("outputs", 2, lambda _: f"{r}/outputs"),
        ("audit", 2, lambda _: f"{r}/audit"),
        ("duplicates", 1, lambda _: f"{r}/duplicates"),
        ("reviews", 1, lambda _: "/"),
    ]
    if owner:
        mix += [("team", 3, lambda _: f"{r}/team"), ("setup", 3, lambda _: f"{r}/setup")]
    return mix


def _timed(
    timings: Timings, page: str, call: Callable[[], httpx.Response]
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        answer = call()
    except httpx.HTTPError:
        answer = None
    if started < timings.since:  # the warm-up: each server process fills its memories
        return answer
    if answer is None:
        timings.add(page, 0.0, False)
        return None
    timings.add(page, time.perf_counter() - started, answer.status_code == 200)
    name, _, took = answer.headers.get("server-timing", "").partition(";dur=")
    if answer.status_code == 200 and name == "app":
        with timings.lock:
            timings.in_server[page].append(float(took) / 1000)
    if answer.status_code != 200:
        with timings.lock:
            timings.answers[(page, answer.status_code)] += 1
            timings.said.setdefault((page, answer.status_code), answer.text[:300])
    return answer


def work(
    base: str,
    name: str,
    owner: bool,
    seeded: Seeded,
    timings: Timings,
    gate: threading.Barrier,
    clock: dict[str, float],
    think: float,
    decide_share: float,
) -> None:
    """One user: between think times, decide and get next (``decide_share`` of the clicks)
    or load a page from the mix."""
    rng = random.Random(name)
    mix = _mix(seeded, owner)
    weights = [w for _, w, _ in mix]
    with httpx.Client(base_url=base, timeout=60) as client:
        try:
            csrf = sign_in(client, name)
            card = client.get(f"/r/{SLUG}/screen/title_abstract.json").json()
        finally:
            gate.wait()
        while time.perf_counter() < clock["deadline"]:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
            if rng.random() < decide_share and card.get("record"):
                form = {
                    "record_id": str(card["record"]["record_id"]),
                    "decision": rng.choice(["include", "exclude", "exclude"]),
                    "csrf": csrf,
                }
                answer = _timed(
                    timings,
                    "decide and next",
                    partial(
                        client.post,
                        f"/r/{SLUG}/screen/title_abstract",
                        data=form,
                        headers={"accept": "application/json"},
                    ),
                )
                if answer is not None and answer.status_code == 200:
                    card = answer.json()
                elif answer is not None and answer.status_code == 409:
                    # while this user browsed other pages the record's hold lapsed and two
                    # teammates decided it: the service refuses a third decision; the user
                    # reloads the screening page for the next record, as a person would
                    screen = f"/r/{SLUG}/screen/title_abstract.json"
                    again = _timed(timings, "screen", partial(client.get, screen))
                    card = again.json() if again is not None and again.status_code == 200 else card
                continue
            page, _, path = rng.choices(mix, weights)[0]
            where = path(rng)
            _timed(timings, page, partial(client.get, where))


def jobs(
    base: str,
    name: str,
    kind: str,
    count: int,
    timings: Timings,
    gate: threading.Barrier,
    clock: dict[str, float],
) -> list[float]:
    """Submit ``count`` jobs one after another while the users work; the time from submit
    until the progress endpoint first shows a step other than waiting (or progress > 0)."""
    seen: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        try:
            csrf = sign_in(client, name)
        finally:
            gate.wait()
        time.sleep(max(0.0, timings.since - time.perf_counter()) + 3)  # the users are busy
        for _ in range(count):
            if time.perf_counter() > clock["deadline"]:
                break
            try:
                shown = _follow(client, csrf, kind, clock)
            except httpx.HTTPError:
                shown = None
            if shown is None:
                timings.add(f"job {kind}", 0.0, False)
            else:
                seen.append(shown)
    return seen


def _follow(client: httpx.Client, csrf: str, kind: str, clock: dict[str, float]) -> float | None:
    """Submit one job, poll its progress every 50 ms until it shows, then every 0.5 s
    until it ends (or the load is over): seconds to the first progress, None on failure."""
    route = {"dedup": "dedup-job", "outputs": "outputs/build"}[kind]
    started = time.perf_counter()
    answer = client.post(
        f"/r/{SLUG}/{route}", data={"csrf": csrf}, headers={"accept": "application/json"}
    )
    if answer.status_code != 202:
        return None
    job, shown = answer.json()["id"], None
    while time.perf_counter() < clock["deadline"] + 5:
        data = client.get(f"/r/{SLUG}/jobs/{job}.json").json()
        if shown is None and (data["done"] > 0 or not data["step"].startswith("waiting")):
            shown = time.perf_counter() - started
        if data["state"] in ("done", "failed"):
            return None if data["state"] == "failed" else shown
        time.sleep(0.05 if shown is None else 0.5)
    return shown


def run(
    base: str,
    seeded: Seeded,
    *,
    seconds: float,
    think: float,
    decide_share: float,
    job_kind: str,
    job_count: int,
    warmup: float = 0.0,
) -> tuple[Timings, list[float]]:
    timings = Timings()
    users = seeded.users
    gate = threading.Barrier(len(users) + 2)
    clock = {"deadline": float("inf")}
    threads = [
        threading.Thread(
            target=work,
            args=(base, name, i < OWNERS, seeded, timings, gate, clock, think, decide_share),
        )
        for i, name in enumerate(users)
    ]
    job_times: list[float] = []
    submitter = threading.Thread(
        target=lambda: job_times.extend(
            jobs(base, users[0], job_kind, job_count, timings, gate, clock)
        )
    )
    for thread in [*threads, submitter]:
        thread.start()
    gate.wait()
    timings.since = time.perf_counter() + warmup
    clock["deadline"] = timings.since + seconds
    for thread in threads:
        thread.join()
    submitter.join()
    return timings, job_times


def profile(url: str, seeded: Seeded) -> None:
    """Each page of the mix once, in-process, with its SQL statements counted and timed
    (SQLAlchemy's cursor events): where the time of a slow page goes."""
    import warnings

    from sqlalchemy import event

    from evidens.services.store import open_review
    from evidens.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    store = open_review(url, SLUG)
    spent: list[float] = []

    def before(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, many):  # type: ignore[no-untyped-def]
        spent.append(time.perf_counter() - conn.info.pop("started"))

    event.listen(store.engine, "before_cursor_execute", before)
    event.listen(store.engine, "after_cursor_execute", after)
    rng = random.Random(3)
    with TestClient(create_app(store.engine)) as client:
        form = client.get("/login").text
        token = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        client.post(
            "/login", data={"username": seeded.users[0], "password": PASSWORD, "csrf": token}
        )
        print(f"  {'page (in-process, once)':<26}{'ms':>8}{'CPU ms':>8}{'queries':>9}{'SQL ms':>8}")
        for page, _, path in _mix(seeded, True):
            where = path(rng)
            client.get(where)  # warm
            spent.clear()
            started, cpu = time.perf_counter(), time.process_time()
            status = client.get(where).status_code
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            sql = f"{1000 * cpu:>8.1f}{len(spent):>9}{1000 * sum(spent):>8.1f}"
            print(f"  {page:<26}{1000 * took:>8.1f}{sql}  {status} {where}", flush=True)
    store.dispose()


def seeded_in(url: str, users: int) -> Seeded:
    """What :func:`seed` returned, read back from a store seeded earlier (``--keep``)."""
    from evidens.services.store import open_review

    store = open_review(url, SLUG)
    with transaction(store, "bench") as uow:
        ids = list(
            uow.session.scalars(
                select(RecordRow.id)
                .where(RecordRow.review_id == uow.review_id)
                .order_by(RecordRow.id)
            )
        )
        studies = list(
            uow.session.scalars(select(StudyRow.id).where(StudyRow.review_id == uow.review_id))
        )
    store.dispose()
    return Seeded(ids, studies, [f"user{i:02d}" for i in range(users)])
