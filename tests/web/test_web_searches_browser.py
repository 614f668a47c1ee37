"""The searches page in Debian's headless chromium against the real server: an owner
reaches it from the dashboard, translates a strategy for two databases from the keyboard,
reads each translation's warnings, logs a search as run, and a viewer sees the log without
the forms. Screenshots go to the test's tmp folder (and, with EVIDENS_SCREENSHOTS=DIR, to
DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser_support import MARKS, serve, shot, sign_in

pytestmark = MARKS
STRATEGY = '1. "Spasms, Infantile"[Mesh]\n2. ketogenic diet[tiab] OR ACTH[tiab]\n3. 1 AND 2'


@pytest.fixture
def server(review_file: Path) -> Iterator[str]:
    yield from serve(review_file)


def test_an_owner_translates_and_logs_searches_from_the_page(
    server: str, browser: Any, tmp_path: Path
) -> None:
    olga = sign_in(browser, server, "olga")
    with olga.expect_navigation():
        olga.click("text=Searches")
    assert olga.url == server + "/r/main/searches"
    assert "No searches logged yet" in olga.content()
    olga.fill("#translate-query", STRATEGY)
    for label in ("Embase.com", "Scopus"):
        olga.locator("#translate fieldset label", has_text=label).first.locator("input").check()
    olga.focus("#translate button[type=submit]")
    with olga.expect_navigation():
        olga.keyboard.press("Enter")
    assert "/r/main/searches?logged=" in olga.url
    assert olga.locator("article.search").count() == 2
    olga.locator("article.search details summary").first.click()
    warnings = olga.locator("article.search ul.warnings li")
    assert warnings.count() >= 1
    shot(olga, tmp_path, "searches-translated")

    olga.fill("#add-search input[name=source]", "CENTRAL")
    olga.fill("#add-search input[name=platform]", "Cochrane Library")
    olga.fill("#add-search input[name=hits]", "57")
    olga.fill("#add-strategy", "#1 <b>spasms</b> AND ketogenic")
    with olga.expect_navigation():
        olga.click("#add-search button[type=submit]")
    central = olga.locator("article.search").last
    assert "CENTRAL via Cochrane Library" in central.inner_text()
    assert central.locator("pre.strategy").inner_text() == "#1 <b>spasms</b> AND ketogenic"
    shot(olga, tmp_path, "searches-logged")

    vera = sign_in(browser, server, "vera", start="/r/main/searches")
    assert vera.locator("article.search").count() == 3
    assert vera.locator("#translate").count() == 0
    shot(vera, tmp_path, "searches-viewer")
