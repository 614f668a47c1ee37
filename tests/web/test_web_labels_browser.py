"""Labels in Chromium, keyboard only: ``l`` focuses the label field (not typed into it),
Enter adds the label and keeps the record on screen, a suggestion comes from one's earlier
labels, Esc leaves the field so the decision keys work again."""

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


def test_a_reviewer_labels_a_record_with_the_keyboard(
    server: str, browser: Any, tmp_path: Path
) -> None:
    alice = sign_in(browser, server, "alice")
    alice.goto(server + "/r/main/screen/title_abstract")
    shown = alice.get_attribute("article", "data-record")
    alice.keyboard.press("l")
    assert alice.evaluate("document.activeElement.id") == "label-input"
    assert alice.input_value("#label-input") == ""  # the key focused the field, typed nothing
    alice.keyboard.type("check protocol")
    with alice.expect_navigation():
        alice.keyboard.press("Enter")
    assert alice.get_attribute("article", "data-record") == shown  # still this record
    assert "check protocol" in alice.inner_text("#labels")
    assert alice.locator("#label-suggestions option").evaluate_all(
        "options => options.map(o => o.value)"
    ) == ["check protocol"]
    shot(alice, tmp_path, "screen-labels")
    alice.keyboard.press("l")
    alice.keyboard.press("Escape")  # leaves the field: i decides again
    with alice.expect_navigation():
        alice.keyboard.press("i")
    assert alice.get_attribute("article", "data-record") != shown
