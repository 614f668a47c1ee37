"""What every browser test shares: Debian's headless chromium, the real server
(``evidens serve`` in a subprocess), signing in and screenshots (written to the test's tmp
folder and, with EVIDENS_SCREENSHOTS=DIR, kept in DIR to be looked at)."""

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
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
PASSWORD = "correct horse battery"  # conftest.PASSWORD
MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; scripts/setup-system.sh does it)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(review_file: Path) -> Iterator[str]:
    """``evidens serve REVIEW_FILE`` on a free loopback port, until the test ends (its
    background jobs worked in the server's own thread, whatever the caller's environment)."""
    port = free_port()
    command = [sys.executable, "-m", "evidens.cli", "serve", str(review_file), "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENS_JOBS")}
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
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
            raise AssertionError("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def launch() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


def shot(page: Any, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("EVIDENS_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


def sign_in(browser: Any, base: str, name: str, *, start: str = "/r/main") -> Any:
    """A new browser context signed in as ``name``, landed back on ``start``."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(base + start)
    assert page.url.startswith(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == base + start
    return page
