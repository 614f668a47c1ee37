"""The real server (``evidens serve`` in a subprocess) on the seed's RISS review, driven by
Debian's headless chromium: the owner follows links from the dashboard to define an analysis
and sees its forest plot, sets a GRADE judgment beside its suggestion, builds the outputs as
a background job (the progress bar polls it) and downloads the report. Screenshots of each
page are written to the test's tmp folder (and, with EVIDENS_SCREENSHOTS=DIR, kept in DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.run import load_review
from evidens.services.review import accounts

from .browser_support import MARKS, PASSWORD, serve, shot

pytestmark = MARKS

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    db = tmp_path / "riss.db"
    with load_review(read_review_dir(RISS), db) as (store, _):
        accounts.create_user(store.engine, "olga", PASSWORD)
        accounts.add_member(store, "olga", "owner", actor="olga")
    accounts.use_hasher(previous)
    yield from serve(db)


def _follow(page: Any, text: str) -> None:
    with page.expect_navigation():
        page.click(f"a:text-is('{text}')")


def test_an_owner_defines_an_analysis_grades_and_downloads_the_report(
    server: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = page.new_page()
    page.goto(server + "/r/riss")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    _follow(page, "Analyses")
    page.fill("#define-analysis input[name=name]", "spasm-free-or")
    page.select_option("#define-analysis select[name=outcome]", "spasm_free")
    page.select_option("#define-analysis select[name=measure]", "OR")
    page.select_option("#define-analysis select[name=preset]", "revman")
    with page.expect_navigation():
        page.click("#define-analysis button[type=submit]")
    section = page.locator("section[data-analysis='spasm-free-or']")
    assert "RevMan 5" in section.inner_text()
    forest = section.locator("img.forest")
    forest.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=forest.element_handle()
    )
    shot(page, tmp_path, "analyses")

    page.goto(server + "/r/riss")
    _follow(page, "GRADE")
    row = page.locator("section.outcome").first.locator("tr[data-domain=imprecision]")
    assert "participants: 91" in row.inner_text()  # the suggestion's inputs beside it
    row.locator("select[name=rating]").select_option("very serious")
    row.locator("textarea[name=reason]").fill("One trial of 91 children")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    row = page.locator("section.outcome").first.locator("tr[data-domain=imprecision]")
    assert "very serious" in row.locator(".rating").inner_text()
    assert "One trial of 91 children" in row.inner_text()
    shot(page, tmp_path, "grade")

    page.goto(server + "/r/riss")
    _follow(page, "Outputs")
    with page.expect_navigation():
        page.click("#build-form button")
    assert page.is_visible("#build progress")
    page.wait_for_selector("a[href$='/outputs/files/report.html']", timeout=120_000)
    shot(page, tmp_path, "outputs")
    with page.expect_download() as download:
        page.click("a[href$='/outputs/files/report.html']")
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "Sharma 2021" in text
    assert "One trial of 91 children" in text  # the judgment set above is in the report
