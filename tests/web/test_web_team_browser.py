"""The real server driven by Debian's headless chromium: an owner creates a review from the
form, invites a colleague who joins by the link, changes the colleague's role, and reads
it all in the audit log. Screenshots of each page go to the test's tmp folder (and, with
EVIDENS_SCREENSHOTS=DIR, to DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser_support import MARKS, serve, shot, sign_in

pytestmark = MARKS


@pytest.fixture
def server(review_file: Path) -> Iterator[str]:
    yield from serve(review_file)


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_an_owner_creates_a_review_invites_changes_a_role_and_reads_the_audit(
    server: str, browser: Any, tmp_path: Path
) -> None:
    olga = sign_in(browser, server, "olga", start="/")
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
    shot(olga, tmp_path, "new-review")
    _submit(olga, "button:has-text('Create the review')")
    assert olga.url == server + "/r/croup/team"
    assert "olga" in olga.inner_text("#members")

    olga.select_option("select[aria-label='role of the invited person']", "reviewer")
    _submit(olga, "button:has-text('Create invitation link')")
    link = olga.input_value("input[aria-label='invitation link']")
    vera = sign_in(browser, server, "vera", start="/")
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
    shot(olga, tmp_path, "team")

    olga.goto(server + "/r/croup")
    _submit(olga, "a:has-text('Audit log')")
    olga.select_option("select[name=person]", "olga")
    olga.select_option("select[name=entity]", "member")
    _submit(olga, "button:has-text('Filter')")
    text = olga.inner_text("#audit")
    assert "role: extractor" in text
    assert "role: owner" in text
    shot(olga, tmp_path, "audit")

    olga.goto(server + "/account")
    shot(olga, tmp_path, "account")
    assert "Change your password" in olga.inner_text("main")
