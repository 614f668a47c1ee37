"""The real server driven by Debian's headless chromium: an owner creates a review from the
form, invites a colleague who joins by the link, changes the colleague's role, and reads
it all in the audit log. Screenshots of each page go to the test's tmp folder (and, with
EVIDENS_SCREENSHOTS=DIR, to DIR)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-gpu"]  # fmt: skip
PASSWORD = "correct horse battery"  # conftest.PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; scripts/setup-system.sh does it)",
    ),
]


@pytest.fixture
def server(review_file: Path) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "evidens.cli", "serve", str(review_file), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


def _shot(page: Any, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("EVIDENS_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def _sign_in(browser: Any, base: str, name: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(base + "/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == base + "/"
    return page


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_an_owner_creates_a_review_invites_changes_a_role_and_reads_the_audit(
    server: str, browser: Any, tmp_path: Path
) -> None:
    olga = _sign_in(browser, server, "olga")
    _submit(olga, "text=New review")
    olga.fill("input[name=title]", "Steroids for croup in children")
    olga.fill("input[name=slug]", "croup")
    olga.fill("textarea[name=question]", "Do corticosteroids reduce return visits?")
    olga.fill("textarea[name=population]", "Children under 6 with croup")
    olga.fill("textarea[name=inclusion]", "Randomised trials\nChildren with croup")
    olga.fill("input[aria-label='outcome 1 name']", "Return visits")
    olga.fill("input[aria-label='outcome 2 name']", "Length of stay")
    olga.select_option("select[aria-label='outcome 2 role']", "secondary")
    olga.select_option("select[aria-label='outcome 2 importance']", "important")
    _shot(olga, tmp_path, "new-review")
    _submit(olga, "button:has-text('Create the review')")
    assert olga.url == server + "/r/croup/team"
    assert "olga" in olga.inner_text("#members")

    olga.select_option("select[aria-label='role of the invited person']", "reviewer")
    _submit(olga, "button:has-text('Create invitation link')")
    link = olga.input_value("input[aria-label='invitation link']")
    vera = _sign_in(browser, server, "vera")
    vera.goto(link)
    _submit(vera, "button:has-text('Join as reviewer')")
    assert vera.url == server + "/r/croup"

    olga.goto(server + "/r/croup/team")
    assert "reviewer" in olga.inner_text("tr[data-member=vera] .role")
    row = olga.locator("tr[data-member=vera]")
    row.locator("select[name=role]").select_option("extractor")
    row.locator("input[value='can assess']").check()
    with olga.expect_navigation():
        row.locator("button:has-text('Save')").click()
    assert olga.inner_text("tr[data-member=vera] .role") == "extractor"
    assert olga.inner_text("tr[data-member=vera] .permissions") == "can assess"
    _shot(olga, tmp_path, "team")

    olga.goto(server + "/r/croup")
    _submit(olga, "a:has-text('Audit log')")
    olga.select_option("select[name=person]", "olga")
    olga.select_option("select[name=entity]", "member")
    _submit(olga, "button:has-text('Filter')")
    text = olga.inner_text("#audit")
    assert "role: extractor" in text
    assert "role: owner" in text
    _shot(olga, tmp_path, "audit")

    olga.goto(server + "/account")
    _shot(olga, tmp_path, "account")
    assert "Change your password" in olga.inner_text("main")
