"""The real server (``evidens serve`` in a subprocess) driven by Debian's headless chromium:
two reviewers screen the same records blind with the keyboard, a conflict appears for the
resolver and is resolved, the dashboard shows the new counts. Screenshots of each main page
are written to tests' tmp folder (and, with EVIDENS_SCREENSHOTS=DIR, kept in DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser_support import MARKS, serve, shot, sign_in

pytestmark = MARKS

TWIN = (
    "TY  - JOUR\nTI  - <script>alert('title')</script> Ketogenic <b>diet</b> & spasms\n"
    "AU  - Osei, Kwame\nPY  - 2019\nJO  - Seizure\nER  - \n"
)


@pytest.fixture
def server(review_file: Path) -> Iterator[str]:
    yield from serve(review_file)


@pytest.fixture
def server_with_twin(review_file: Path, tmp_path: Path) -> Iterator[str]:
    """The same review with a second copy of record 2 from another journal, which the
    de-duplication engine leaves to a person."""
    from evidens.services.identification import dedup, imports
    from evidens.services.store import open_review

    twin = tmp_path / "twin.ris"
    twin.write_text(TWIN, encoding="utf-8")
    store = open_review(review_file, "main")
    try:
        imports.import_file(store, twin, source="Embase", actor="olga")
        dedup.deduplicate(store, actor="olga")
    finally:
        store.dispose()
    yield from serve(review_file)


def _key(page: Any, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def _shown(page: Any) -> int:
    return int(page.get_attribute("article", "data-record"))


def test_two_reviewers_screen_blind_and_a_resolver_settles_the_conflict(
    server: str, browser: Any, tmp_path: Path
) -> None:
    # records 1-3 of review "main"; record 2's title carries <script> and markup
    alice_plan, bruno_plan = {1: "i", 2: "i", 3: "e"}, {1: "e", 2: "i", 3: "e"}
    alice = sign_in(browser, server, "alice")
    shot(alice, tmp_path, "dashboard-start")
    alice.goto(server + "/r/main/screen/title_abstract")
    assert "You have decided 0 of 3" in alice.inner_text("#progress")
    shot(alice, tmp_path, "screen-title-abstract")
    alice.keyboard.press("n")
    alice.keyboard.type("not infants")
    alice.keyboard.press("Escape")
    undone = _shown(alice)
    _key(alice, "m")
    _key(alice, "u")  # undo the "maybe" while the record is open: it comes back, undecided
    assert _shown(alice) == undone
    assert "alice: maybe" not in alice.inner_text("main")
    for done in range(3):
        assert f"You have decided {done} of 3" in alice.inner_text("#progress")
        if _shown(alice) == 2:
            assert "<script>alert('title')</script>" in alice.inner_text("h1.title")
        _key(alice, alice_plan.pop(_shown(alice)))
    assert "Nothing left for you to screen" in alice.inner_text("main")

    bruno = sign_in(browser, server, "bruno")
    bruno.goto(server + "/r/main/screen/title_abstract")
    assert "alice" not in bruno.inner_text("main")  # blind: alice's decisions are hidden
    bruno.keyboard.press("?")
    assert bruno.is_visible("#help")
    shot(bruno, tmp_path, "screen-help")
    bruno.keyboard.press("Escape")
    # the finding 1, as a person tries it: decide, open the record again by id, undo
    first = 1  # alice included it; bruno excludes it, so it is in conflict, not final
    bruno.goto(server + f"/r/main/screen/title_abstract?record={first}")
    _key(bruno, bruno_plan[first])
    bruno.goto(server + f"/r/main/screen/title_abstract?record={first}")
    assert "alice" not in bruno.inner_text("main")
    assert "locked" in bruno.inner_text("#locked")
    assert bruno.locator("#decide").count() == 0  # nothing to press: i, e, m do nothing
    shot(bruno, tmp_path, "screen-locked")
    _key(bruno, "u")
    assert "resolver can reopen" in bruno.inner_text("main")
    shot(bruno, tmp_path, "undo-refused")
    bruno.goto(server + "/r/main/screen/title_abstract")
    while bruno.locator("article").count():
        _key(bruno, bruno_plan[_shown(bruno)])
    assert "Nothing left for you to screen" in bruno.inner_text("main")

    rita = sign_in(browser, server, "rita")
    rita.goto(server + "/r/main/conflicts/title_abstract")
    assert "Conflicts at title abstract: 1" in rita.inner_text("h1")
    assert "alice: include" in rita.inner_text(".conflict")
    assert "bruno: exclude" in rita.inner_text(".conflict")
    shot(rita, tmp_path, "conflicts")
    with rita.expect_navigation():
        rita.click(".conflict button.include")
    assert "No conflicts to resolve" in rita.inner_text("main")

    olga = sign_in(browser, server, "olga")
    row = olga.locator("tr[data-stage=title_abstract]")
    assert row.locator(".complete").inner_text() == "3"
    assert row.locator(".conflicts").inner_text() == "0"
    assert "Records excluded" in olga.inner_text(".prisma")
    shot(olga, tmp_path, "dashboard-after")
    with olga.expect_navigation():
        olga.click(".prisma-box[data-box=records_excluded] a")
    assert olga.inner_text("h1") == "Records excluded (1)"
    shot(olga, tmp_path, "records-excluded")
    login = browser.new_page()
    login.goto(server + "/login")
    shot(login, tmp_path, "login")


def test_owner_sets_up_the_review_and_settles_a_duplicate_pair(
    server_with_twin: str, browser: Any, tmp_path: Path
) -> None:
    server = server_with_twin
    olga = sign_in(browser, server, "olga")
    with olga.expect_navigation():
        olga.click("a[href='/r/main/setup']")
    olga.fill("textarea[name=inclusion]", "Infants under 2 years\nRandomised trials")
    olga.fill("input[name=required_full_text]", "3")
    with olga.expect_navigation():
        olga.click("form.setup button[type=submit]")
    assert "Saved" in olga.inner_text("#saved")
    assert olga.input_value("input[name=required_full_text]") == "3"
    shot(olga, tmp_path, "setup")
    olga.goto(server + "/r/main/screen/title_abstract")
    assert "Randomised trials" in olga.inner_text("aside.criteria")

    olga.goto(server + "/r/main")
    with olga.expect_navigation():
        olga.click("a[href='/r/main/duplicates']")
    assert "1 pair waiting" in olga.inner_text("#waiting")
    journal = olga.locator("tr[data-field=journal]")
    assert journal.get_attribute("class") == "differs"
    assert "Seizure" in journal.inner_text()
    assert "Epilepsia" in journal.inner_text()
    assert "<script>alert('title')</script>" in olga.inner_text("tr[data-field=title]")
    shot(olga, tmp_path, "duplicates")
    with olga.expect_navigation():
        olga.click("section.pair button[value=same]")
    assert "0 pairs waiting" in olga.inner_text("#waiting")
    olga.goto(server + "/r/main/screen/title_abstract")
    assert "of 3 records" in olga.inner_text("#progress")  # the merged copy is not screened
