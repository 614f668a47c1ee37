"""Take the web app's screenshots for the clinician guide from a real server, so they never
go stale: build a small review store, serve it with ``evidens serve`` on 127.0.0.1, and drive
Debian's headless chromium through Playwright to each page the guide shows.

Run before ``mkdocs build`` (``make docs`` does); writes ``docs/img/web/*.png`` (ignored by
git). The screening pages show ``examples/living-update`` rebuilt with ``evidens run``, plus a
few new records: two copies of one report that de-duplication leaves to a person, one record
the two reviewers disagree on, and records still to screen. The later stages (extraction, risk
of bias, analyses, GRADE, outputs) show the seed's review, ``examples/riss``, which has them.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
SLUG = "living-update"
RISS_OWNER = "M.V."  # the owner named in examples/riss/review.toml
PASSWORD = "a passphrase for the screenshots"  # noqa: S105 - a throwaway store

NEW_RECORDS = """TY  - JOUR
TI  - Modified Atkins diet versus adrenocorticotropic hormone for infantile spasms
AU  - Mensah, Ama
PY  - 2025
JO  - Pediatric Neurology
DO  - 10.1000/docs.conflict
ER  -
TY  - JOUR
TI  - Ketogenic diet after failed vigabatrin: a randomised trial
AU  - Larsen, Ida
PY  - 2025
JO  - Epilepsia
DO  - 10.1000/docs.open
ER  -
TY  - JOUR
TI  - Ketogenic diet for spasms in infancy: a cohort study
AU  - Osei, Kwame
PY  - 2024
JO  - Seizure
ER  -
"""
TWIN = """TY  - JOUR
TI  - Ketogenic diet for spasms in infancy: a cohort study
AU  - Osei, Kwame
PY  - 2024
JO  - Epilepsy Research
ER  -
"""
_END = ("ER  -\n", "ER  - \n")  # RIS ends a record with "ER  - " (a trailing space)
NEW_RECORDS, TWIN = (NEW_RECORDS.replace(*_END), TWIN.replace(*_END))
DECISIONS = """record,reviewer,decision,reason,note
doi:10.1000/docs.conflict,alice,include,,
doi:10.1000/docs.conflict,bruno,exclude,Not a randomised controlled trial,no control arm?
"""


def _evidens(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command, no shell
        [sys.executable, "-m", "evidens.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "120"},
    )
    if done.returncode != 0:
        raise SystemExit(f"evidens {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def build_store(work: Path) -> Path:
    """The example review, with new records to screen, a conflict and a pair to judge."""
    _evidens("run", str(ROOT / "examples" / SLUG), "--out", str(work / "out"))
    db = str(work / "out" / "review.db")
    (work / "new.ris").write_text(NEW_RECORDS, encoding="utf-8")
    (work / "twin.ris").write_text(TWIN, encoding="utf-8")
    (work / "decisions.csv").write_text(DECISIONS, encoding="utf-8")
    for export in ("new.ris", "twin.ris"):
        _evidens("import", str(work / export), "--source", "Embase", "--as", "alice", "--db", db)
    _evidens("dedup", "--db", db)
    _evidens("screen", "import", str(work / "decisions.csv"), "--db", db)
    for name in ("alice", "bruno"):
        _add_user(name, db)
    return Path(db)


def build_riss(work: Path) -> Path:
    """The seed's review, finished: studies, extraction, RoB 2, analyses and GRADE."""
    _evidens("run", str(ROOT / "examples" / "riss"), "--out", str(work / "riss"))
    db = work / "riss" / "review.db"
    _add_user(RISS_OWNER, str(db))
    return db


def _add_user(name: str, db: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own command, no shell
        [sys.executable, "-m", "evidens.cli", "user", "add", name, "--db", db, "--password-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"evidens user add {name} failed: {done.stderr.strip()}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """``evidens serve`` on 127.0.0.1 until the block ends."""
    port = _free_port()
    command = [sys.executable, "-m", "evidens.cli", "serve", str(db), "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our own command, no shell
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _shoot(page: Any, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


SCREENING_PAGES = (
    ("dashboard", ""),
    ("screen", "/screen/title_abstract"),
    ("conflicts", "/conflicts/title_abstract"),
    ("records", "/records"),
    ("setup", "/setup"),
    ("duplicates", "/duplicates"),
    ("team", "/team"),
    ("audit", "/audit"),
    ("fulltexts", "/fulltexts"),
    ("studies", "/studies"),
)
SEARCH_PAGES = (("searches", "/searches"),)
"""Shown by the information specialist's guide; the others by the clinician's."""
LATER_PAGES = (
    ("extraction", "/extraction"),
    ("extraction-study", "/studies/{study}/extraction"),
    ("rob", "/rob"),
    ("rob-study", "/studies/{study}/rob?outcome={outcome}"),
    ("analyses", "/analyses"),
    ("grade", "/grade"),
    ("outputs", "/outputs"),
)


def _signed_in(browser: Any, base: str, name: str, folder: Path | None) -> Any:
    page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    if folder is not None:
        _shoot(page, folder, "login")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def _pages(page: Any, review: str, pages: tuple[tuple[str, str], ...], folder: Path) -> list[Path]:
    where = {"study": "", "outcome": ""}
    if any("{study}" in address for _, address in pages):
        overview = page.request.get(review + "/extraction.json").json()
        where["study"] = str(overview["studies"][0]["study"]["id"])
        rob = page.request.get(review + "/rob.json").json()
        where["outcome"] = quote(rob["assessed"][0]["outcome"])
    shots = []
    for name, address in pages:
        page.goto(review + address.format(**where))
        shots.append(_shoot(page, folder, name))
    return shots


def take(base: str, folder: Path, *, riss: str | None = None) -> list[Path]:
    """Each page the clinician guide shows, signed in as the review's owner; the later
    stages from the server at ``riss`` (the seed's review) where given."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = _signed_in(browser, base, "alice", folder)
        shots = [folder / "login.png"]
        shots += _pages(page, f"{base}/r/{SLUG}", SCREENING_PAGES + SEARCH_PAGES, folder)
        if riss is not None:
            page = _signed_in(browser, riss, RISS_OWNER, None)
            shots += _pages(page, f"{riss}/r/riss", LATER_PAGES, folder)
        browser.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "web")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"no chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as work:
        db = build_store(Path(work))
        riss = build_riss(Path(work))
        with serving(db) as base, serving(riss) as riss_base:
            for path in take(base, args.out, riss=riss_base):
                print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
