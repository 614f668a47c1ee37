"""The real server driven by Debian's headless chromium through a full text's life: a
reviewer attaches a PDF from the record page, reads it there and on the full-text screening
page beside the abstract, decides, and the owner links the report to a new study. Also
looks through the screening aids (record search, my decisions) and keeps screenshots of
each page (EVIDENS_SCREENSHOTS=DIR keeps them in DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser_support import MARKS, serve, shot, sign_in
from .test_web_fulltext import make_pdf

pytestmark = MARKS

RECORD = 1  # conftest's first record, "Ketogenic diet for refractory infantile spasms"
CONFLICT = 3  # "Vigabatrin in adults with focal epilepsy" (no abstract)


@pytest.fixture
def server(review_file: Path) -> Iterator[str]:
    """The review with record 1 included at title/abstract by both required reviewers, and
    record 3 in conflict (alice includes it, bruno excludes it)."""
    from evidens.core import Decision, ScreeningDecision, Stage
    from evidens.services.screening.decisions import record_decision
    from evidens.services.store import open_review

    store = open_review(review_file, "main")
    try:
        for reviewer in ("alice", "bruno"):
            made = ScreeningDecision(RECORD, Stage.TITLE_ABSTRACT, reviewer, Decision.INCLUDE)
            record_decision(store, made)
        for reviewer, decision in (("alice", Decision.INCLUDE), ("bruno", Decision.EXCLUDE)):
            made = ScreeningDecision(CONFLICT, Stage.TITLE_ABSTRACT, reviewer, decision)
            record_decision(store, made)
    finally:
        store.dispose()
    yield from serve(review_file)


def test_attach_read_decide_and_link(server: str, browser: Any, tmp_path: Path) -> None:
    pdf = tmp_path / "Rivera 2020 (final).pdf"
    pdf.write_bytes(make_pdf())
    alice = sign_in(browser, server, "alice")
    with alice.expect_navigation():
        alice.click("a[href='/r/main/fulltexts']")
    assert "not yet sought" in alice.inner_text(f"tr[data-record='{RECORD}']")
    shot(alice, tmp_path, "fulltexts")
    with alice.expect_navigation():
        alice.click(f"tr[data-record='{RECORD}'] a")
    alice.set_input_files("#attach input[type=file]", str(pdf))
    with alice.expect_navigation():
        alice.click("#attach button")
    assert alice.url == f"{server}/r/main/record/{RECORD}"
    assert alice.get_attribute("#pdf", "src") == f"/r/main/record/{RECORD}/pdf"
    assert alice.inner_text("#pdf-link") == pdf.name
    served = alice.request.get(f"{server}/r/main/record/{RECORD}/pdf")
    assert served.status == 200
    assert served.body() == pdf.read_bytes()
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith('inline; filename="Rivera 2020')
    shot(alice, tmp_path, "fulltext-record")

    # the full-text screening page shows the PDF beside the abstract; include it there
    alice.goto(f"{server}/r/main/screen/full_text")
    assert int(alice.get_attribute("article", "data-record")) == RECORD
    assert alice.get_attribute("#pdf", "src") == f"/r/main/record/{RECORD}/pdf"
    shot(alice, tmp_path, "screen-full-text-with-pdf")
    with alice.expect_navigation():
        alice.keyboard.press("i")
    alice.goto(f"{server}/r/main/mine/full_text")
    assert "include" in alice.inner_text(f"tr[data-record='{RECORD}']")
    shot(alice, tmp_path, "my-decisions")
    alice.goto(f"{server}/r/main/records?q=ketogenic")
    assert alice.locator("table.records tbody tr[data-record]").count() == 2
    shot(alice, tmp_path, "records-search")

    olga = sign_in(browser, server, "olga")
    with olga.expect_navigation():
        olga.click("a[href='/r/main/studies']")
    olga.fill("#new-study input[name=label]", "Rivera 2020")
    with olga.expect_navigation():
        olga.click("#new-study button")
    row = f"table.candidates tr[data-record='{RECORD}']"
    with olga.expect_navigation():
        olga.click(f"{row} button[value=link]")
    assert "Rivera 2020" in olga.inner_text(f"{row} td:nth-child(4)")
    assert f"#{RECORD}" in olga.inner_text(".study[data-study='Rivera 2020']")
    shot(olga, tmp_path, "studies")
    olga.goto(f"{server}/r/main/duplicates")
    with olga.expect_navigation():
        olga.click("#run-dedup button")
    assert "De-duplication ran" in olga.inner_text("#ran")
    shot(olga, tmp_path, "duplicates-run")
    olga.goto(f"{server}/r/main")
    shot(olga, tmp_path, "dashboard-links")

    # the conflicts page: each record's abstract, and a link to the record
    with olga.expect_navigation():
        olga.click("a[href='/r/main/conflicts/title_abstract']")
    conflict = olga.locator(f".conflict[data-record='{CONFLICT}']")
    assert "(no abstract)" in conflict.inner_text()
    shot(olga, tmp_path, "conflicts-with-abstract")
    with olga.expect_navigation():
        conflict.locator("h2 a").click()
    assert olga.url == f"{server}/r/main/record/{CONFLICT}"
    assert "conflict" in olga.inner_text("li[data-stage=title_abstract]")
