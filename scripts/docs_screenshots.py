"""Take the web app's screenshots for the clinician guide from a real server, so they never
go stale: build a small review store, serve it with ``evidens serve`` on 127.0.0.1, and drive
Debian's headless chromium through Playwright to each page the guide shows.

Run before ``mkdocs build`` (``make docs`` does); writes ``docs/img/web/*.png`` (ignored by
git). The review is ``examples/living-update`` rebuilt with ``evidens run``, plus a few new
records: two copies of one report that de-duplication leaves to a person, one record the
two reviewers disagree on, and records still to screen.
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


def take(base: str, folder: Path) -> list[Path]:
    """Each page the clinician guide shows, signed in as the review's owner."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
        page.goto(base + "/login")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD)
        shots.append(_shoot(page, folder, "login"))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        review = f"{base}/r/{SLUG}"
        for name, address in (
            ("dashboard", review),
            ("screen", review + "/screen/title_abstract"),
            ("conflicts", review + "/conflicts/title_abstract"),
            ("setup", review + "/setup"),
            ("duplicates", review + "/duplicates"),
        ):
            page.goto(address)
            shots.append(_shoot(page, folder, name))
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
        with serving(db) as base:
            for path in take(base, args.out):
                print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
