"""The real server driven by Debian's headless chromium: two extractors fill the form for
one study blind, a resolver settles their one discrepancy; two assessors walk RoB 2 question
by question to the RISS review's Table 3 judgments (the proposal redrawn as they answer), a
resolver records the consensus, and the traffic-light and summary figures are shown.
Screenshots go to the test's tmp folder (and, with EVIDENS_SCREENSHOTS=DIR, to DIR)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evidens.rob import load_assessment

from .browser_support import MARKS, serve, shot, sign_in

pytestmark = MARKS

SHARMA = Path(__file__).parents[2] / "examples" / "riss" / "rob" / "sharma2021.toml"
STUDY = "Sharma 2021"
FORM = """
[form]
name = "RISS form"
version = "1"
[[sections]]
id = "characteristics"
title = "Study characteristics"
[[sections.fields]]
id = "sample_size"
label = "Sample size"
type = "integer"
min = 1
[[sections.fields]]
id = "country"
label = "Country"
type = "text"
[[outcomes]]
id = "spasm_free"
name = "Spasm freedom at 4 weeks"
kind = "binary"
"""
TABLE_3 = {
    "D1": "Low",
    "D2-assignment": "Some concerns",
    "D2-adhering": "High",
    "D3": "Low",
    "D4": "High",
    "D5": "Low",
    "overall": "High",
}


@pytest.fixture
def server(review_file: Path) -> Iterator[str]:
    """``evidens serve`` over the review with the study and the extraction form set."""
    from evidens.services.assessment.extraction_edit import set_form
    from evidens.services.screening.studies import create_study
    from evidens.services.store import open_review

    store = open_review(review_file, "main")
    try:
        create_study(store, STUDY, design="RCT", actor="olga")
        set_form(store, FORM, "olga")
    finally:
        store.dispose()
    yield from serve(review_file)


def _click(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _extract(page: Any, size: str) -> None:
    """From the dashboard to a saved extraction, by following links."""
    _click(page, "text=Data extraction")
    _click(page, f'tr[data-study="{STUDY}"] >> text=Extract')
    page.fill('[name="characteristics.sample_size"]', size)
    page.fill('[name="characteristics.country"]', "India")
    for arm, events, total in (("experimental", "11", "46"), ("comparator", "0", "45")):
        page.fill(f'[name="outcomes.spasm_free.{arm}.events"]', events)
        page.fill(f'[name="outcomes.spasm_free.{arm}.total"]', total)
    _click(page, "text=Save my extraction")


def _assess(page: Any, base: str, changes: dict[str, str]) -> None:
    """RoB 2 of Sharma 2021 as the RISS example answers it, question by question: each
    question is answered once the answers before it make it apply (the page shows it)."""
    example = load_assessment(SHARMA.read_text(encoding="utf-8"))
    page.goto(base + "/r/main")
    _click(page, "text=Risk of bias")
    page.select_option("#start-rob select[name=study_id]", label=STUDY)
    page.fill("#start-rob input[name=outcome]", example.outcome)
    _click(page, "#start-rob button")
    for name, value in example.settings.items():
        page.select_option(f'select[name="setting.{name}"]', value)
    _click(page, "text=Save my assessment")  # the settings decide which domains there are
    assert page.locator('fieldset[data-domain="D2-adhering"]').count() == 1
    for domain, answers in example.answers.items():
        for question, answer in answers.items():
            if answer.value == "NA":
                continue  # not asked: the page does not show it
            chosen = changes.get(f"{domain} {question}", answer.value)
            page.select_option(f'select[name="answer.{domain}.{question}"]', chosen)
        proposed = page.locator(f'output[data-for="{domain}"]')
        page.wait_for_function(
            "([el, want]) => el.textContent === want",
            arg=[proposed.element_handle(), TABLE_3[domain]],
        )
    overall = page.locator('output[data-for="overall"]').element_handle()
    page.wait_for_function("el => el.textContent === 'High'", arg=overall)
    assert page.locator('.question[data-question="2.4"]').first.is_hidden()
    _click(page, "text=Save my assessment")
    assert "Saved." in page.inner_text("main")


def test_two_extractors_and_two_assessors_reach_the_consensus_and_the_figures(
    server: str, browser: Any, tmp_path: Path
) -> None:
    alice = sign_in(browser, server, "alice")
    _extract(alice, "ninety-one")  # refused: every refused answer is marked, nothing saved
    assert "Saved." not in alice.inner_text("main")
    assert "is not a number" in alice.inner_text(".field.invalid")
    assert alice.input_value('[name="characteristics.country"]') == "India"  # kept as typed
    shot(alice, tmp_path, "extraction-refused")
    alice.fill('[name="characteristics.sample_size"]', "91")
    _click(alice, "text=Save my extraction")
    assert "Saved." in alice.inner_text("main")
    shot(alice, tmp_path, "extraction-form")
    bruno = sign_in(browser, server, "bruno")
    _extract(bruno, "90")
    assert "Saved." in bruno.inner_text("main")
    assert bruno.input_value('[name="characteristics.sample_size"]') == "90"
    assert "91" not in bruno.inner_text("main")  # alice's answer stays hidden

    rita = sign_in(browser, server, "rita")
    _click(rita, "text=Data extraction")
    _click(rita, f'tr[data-study="{STUDY}"] >> text=Discrepancies')
    row = rita.locator('tr[data-field="characteristics.sample_size"]')
    assert "91" in row.inner_text()
    assert "90" in row.inner_text()
    shot(rita, tmp_path, "extraction-discrepancies")
    row.locator('input[value="take:alice"]').check()
    row.locator("input[name=note]").fill("Table 1: 46 + 45 randomised")
    with rita.expect_navigation():
        row.locator("button").click()
    assert "The study is agreed" in rita.inner_text("#agreed")
    bruno.reload()
    assert "91" in bruno.inner_text("#agreed")  # agreed: now both see the agreed record

    _assess(alice, server, {})
    shot(alice, tmp_path, "rob-form")
    _assess(bruno, server, {"D1 1.3": "N"})
    rita.goto(server + "/r/main")
    _click(rita, "text=Risk of bias")
    assert rita.locator("#figures img").count() == 0  # no consensus: nothing drawn yet
    _click(rita, "text=Compare and agree")
    rita.select_option('select[name="agree.D1.1.3"]', "NI")
    rita.fill('input[name="because.D1.1.3"]', "the review gives no baseline table")
    shot(rita, tmp_path, "rob-compare")
    _click(rita, "text=Record the consensus")
    assert rita.inner_text("#agreed .overall") == "High"
    _click(rita, "text=risk of bias")
    assert rita.inner_text("#rob-assessed .overall") == "High"
    images = rita.locator("#figures img")
    assert images.count() == 2
    for i in range(2):
        width = images.nth(i).evaluate("img => img.complete && img.naturalWidth")
        assert width
        assert width > 100
    shot(rita, tmp_path, "rob-figures")
