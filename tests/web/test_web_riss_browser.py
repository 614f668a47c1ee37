"""The RISS review finished entirely in the browser (issue 20's Tests), from its included
study to the report, and the report's numbers equal what ``evidens run examples/riss`` writes.

The store is built the way the team had it before extraction: ``evidens run``'s own loader
(:func:`load_review`, what ``evidens run`` calls) over a copy of examples/riss without
``extraction/``, ``rob/``, ``grade/`` and the ``[[analysis]]`` tables, so it holds the
protocol, the searches, the reported PRISMA counts and the included study (the seed's
screening was done in Rayyan: there are no records to screen). The extraction form is set
as ``evidens extract set-form examples/riss/extraction/form.toml`` sets it, and three web
accounts are made as ``evidens user add`` makes them: two reviewers (``mv``, ``rc``) who
extract and assess, and the owner (``avh``), who settles, defines, grades and builds.

Then, in Chromium and only through the pages: both extract Sharma 2021 with the seed's
values except one field (``rc`` types 90 children, as rc.xlsx did); the discrepancies page
shows exactly that field; the owner settles it to 91. Both walk RoB 2 question by question
to the seed's Table 3 (the proposal redrawn as they answer); the owner records the
consensus. The owner defines review.toml's four analyses, looks at a forest plot, grades the
four outcomes with examples/riss/grade/judgments.toml's judgments, builds the outputs (a job
with a progress bar) and downloads them as a zip, whose files are compared with the CLI's.
Screenshots go to the test's tmp folder (and, with EVIDENS_SCREENSHOTS=DIR, to DIR).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from evidens.extraction.model import flatten
from evidens.grade.judgments import parse_judgments
from evidens.rob import load_assessment
from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.run import load_review
from evidens.services.folders.step_files import folder_extraction
from evidens.services.review import accounts

from .browser_support import MARKS, PASSWORD, serve, shot

pytestmark = MARKS

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"
STUDY = "Sharma 2021"
TEAM = {"mv": "reviewer", "rc": "reviewer", "avh": "owner"}
DIFFERS = ("characteristics.sample_size", "90")  # rc's one different answer (as in rc.xlsx)
TABLE_3 = {
    "D1": "Low",
    "D2-assignment": "Some concerns",
    "D2-adhering": "High",
    "D3": "Low",
    "D4": "High",
    "D5": "Low",
    "overall": "High",
}
COMPARED = ("sof.json", "rob.json", "prisma.json", "analyses.json")


def _before_extraction(tmp: Path) -> Path:
    """examples/riss as it stood before extraction, loaded into a store by ``evidens run``'s
    loader; the form set and the accounts made. Returns the store's path."""
    folder = tmp / "riss"
    shutil.copytree(RISS, folder, ignore=shutil.ignore_patterns("extraction", "rob", "grade"))
    review = folder / "review.toml"
    text = review.read_text(encoding="utf-8")
    review.write_text(text.split("\n[[analysis]]", 1)[0] + "\n", encoding="utf-8")
    db = tmp / "riss.db"
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    try:
        with load_review(read_review_dir(folder), db) as (store, _):
            from evidens.services.assessment.extraction_edit import set_form

            form = (RISS / "extraction" / "form.toml").read_text(encoding="utf-8")
            set_form(store, form, actor="avh")
            for name, role in TEAM.items():
                accounts.create_user(store.engine, name, PASSWORD)
                accounts.add_member(store, name, role, actor="avh")
    finally:
        accounts.use_hasher(previous)
    return db


@pytest.fixture
def reference(tmp_path: Path) -> Iterator[Path]:
    """``evidens run examples/riss`` in a subprocess, running while the browser works."""
    out = tmp_path / "cli"
    process = subprocess.Popen(
        [sys.executable, "-m", "evidens.cli", "run", str(RISS), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield out
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err.decode()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    yield from serve(_before_extraction(tmp_path))


def _page(browser: Any, base: str, name: str) -> Any:
    page = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True
    ).new_page()
    page.goto(base + "/r/riss")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == base + "/r/riss"
    return page


def _click(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _seed_answers() -> dict[str, str]:
    """MV's workbook, field by field, as the form's inputs take them."""
    seed = folder_extraction(RISS)
    assert seed is not None
    mv = next(e for e in seed.extractions if e.extractor == "MV")
    flat = flatten(mv.values, mv.arms)
    skip = (".name", ".kind", ".timepoint", ".unit")  # the form's own, not typed
    return {k: str(v) for k, v in flat.items() if not k.endswith(skip)}


def _extract(page: Any, answers: dict[str, str]) -> None:
    """From the dashboard to a saved extraction, by following links."""
    _click(page, "a:text-is('Data extraction')")
    _click(page, f'tr[data-study="{STUDY}"] >> text=Extract')
    for key, value in answers.items():
        field = page.locator(f'[name="{key}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    _click(page, "text=Save my extraction")
    assert "Saved." in page.inner_text("main"), page.inner_text("main")


def _assess(page: Any, base: str) -> None:
    """RoB 2 of Sharma 2021 as examples/riss/rob answers it, question by question, each
    answered once the answers before it make it apply, with the seed's support text."""
    seed = load_assessment((RISS / "rob" / "sharma2021.toml").read_text(encoding="utf-8"))
    page.goto(base + "/r/riss")
    _click(page, "a:text-is('Risk of bias')")
    page.select_option("#start-rob select[name=study_id]", label=STUDY)
    page.fill("#start-rob input[name=outcome]", seed.outcome)
    _click(page, "#start-rob button")
    page.fill("input[name=result]", seed.result_label or "")
    for name, value in seed.settings.items():
        page.select_option(f'select[name="setting.{name}"]', value)
    _click(page, "text=Save my assessment")  # the settings decide which domains there are
    for domain, answers in seed.answers.items():
        for question, answer in answers.items():
            if answer.value == "NA":
                assert page.locator(
                    f'fieldset[data-domain="{domain}"] .question[data-question="{question}"]'
                ).is_hidden()
                continue  # not asked: the page does not show it
            page.select_option(f'select[name="answer.{domain}.{question}"]', answer.value)
            why = seed.justifications.get(domain, {}).get(question, "")
            page.fill(f'input[name="why.{domain}.{question}"]', why)
        proposed = page.locator(f'output[data-for="{domain}"]')
        page.wait_for_function(
            "([el, want]) => el.textContent === want",
            arg=[proposed.element_handle(), TABLE_3[domain]],
        )
    overall = page.locator('output[data-for="overall"]').element_handle()
    page.wait_for_function("el => el.textContent === 'High'", arg=overall)
    _click(page, "text=Save my assessment")
    assert "Saved." in page.inner_text("main")


def _define_analyses(page: Any, tmp: Path) -> None:
    """review.toml's [[analysis]] tables, typed into the analyses page."""
    import tomllib

    specs = tomllib.loads((RISS / "review.toml").read_text(encoding="utf-8"))["analysis"]
    page.goto(page.url.split("/r/")[0] + "/r/riss")
    _click(page, "a:text-is('Analyses')")
    for spec in specs:
        form = page.locator("#define-analysis")
        form.locator("input[name=name]").fill(spec["name"])
        form.locator("select[name=outcome]").select_option(spec["outcome"])
        form.locator("select[name=measure]").select_option(spec["measure"])
        form.locator("select[name=preset]").select_option(spec["preset"])
        if "pooling" in spec:
            form.locator("select[name=pooling]").select_option(spec["pooling"])
        form.locator("input[name=labels]").fill(" | ".join(spec["labels"]))
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert page.locator(f"section[data-analysis='{spec['name']}'] .pooled").count() == 1
    forest = page.locator("section[data-analysis='spasm-free-rr'] img.forest")
    forest.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=forest.element_handle()
    )
    shot(page, tmp, "04-analyses")


def _grade(page: Any, tmp: Path) -> None:
    """Each outcome of examples/riss/grade/judgments.toml graded on the GRADE page."""
    doc, _ = parse_judgments((RISS / "grade" / "judgments.toml").read_bytes())
    base = page.url.split("/r/")[0]
    page.goto(base + "/r/riss")
    _click(page, "a:text-is('GRADE')")
    defaults = doc["all_outcomes"]
    for outcome in doc["outcomes"]:
        form = page.locator("#grade-outcome")
        source = outcome.get("analysis") or "extraction:" + outcome["extraction_outcome"]
        form.locator("select[name=analysis]").select_option(source)
        form.locator("input[name=name]").fill(outcome["name"])
        form.locator("select[name=kind]").select_option(outcome["kind"])
        form.locator("select[name=importance]").select_option(outcome["importance"])
        form.locator("select[name=indirectness]").select_option(defaults["indirectness"]["rating"])
        form.locator("textarea[name=reason]").fill(defaults["indirectness"].get("reason", ""))
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        section = page.locator(f"section.outcome[data-outcome='{outcome['name']}']")
        section.locator("details summary").click()
        details = section.locator("form.details")
        details.locator("input[name=follow_up]").fill(outcome.get("follow_up", ""))
        details.locator("textarea[name=comment]").fill(outcome.get("comment", ""))
        details.locator("textarea[name=notes]").fill("\n".join(outcome.get("notes", [])))
        with page.expect_navigation():
            details.locator("button[type=submit]").click()
        for domain in ("risk_of_bias", "inconsistency", "imprecision", "publication_bias"):
            judged = {**defaults[domain], **outcome.get(domain, {})}
            row = page.locator(f"section.outcome[data-outcome='{outcome['name']}']").locator(
                f"tr[data-domain={domain}]"
            )
            assert row.locator("ul.inputs li").count() > 0  # the suggestion's inputs shown
            row.locator("select[name=rating]").select_option(judged["rating"])
            row.locator("textarea[name=reason]").fill(judged.get("reason", ""))
            with page.expect_navigation():
                row.locator("button[type=submit]").click()
    page.click("#sof-header-card summary")
    header = page.locator("#sof-header")
    for key in (
        "title",
        "population",
        "setting",
        "intervention",
        "comparison",
        "intervention_short",
        "comparison_short",
    ):
        header.locator(f"[name={key}]").fill(str(doc.get(key, "")))
    header.locator("[name=per]").fill(str(doc["per"]))
    with page.expect_navigation():
        header.locator("button[type=submit]").click()
    for outcome in doc["outcomes"]:
        section = page.locator(f"section.outcome[data-outcome='{outcome['name']}']")
        assert section.locator(".certainty").inner_text() == "Very low"
    shot(page, tmp, "05-grade")


def test_the_riss_review_is_finished_in_the_browser_and_its_outputs_equal_the_cli_run(
    server: str, reference: Path, browser: Any, tmp_path: Path
) -> None:
    shots = tmp_path / "shots"
    seed = _seed_answers()
    mv = _page(browser, server, "mv")
    _extract(mv, seed)
    shot(mv, shots, "01-extraction-mv")
    rc = _page(browser, server, "rc")
    key, typed = DIFFERS
    _extract(rc, {**seed, key: typed})
    assert seed[key] not in rc.input_value(f'[name="{key}"]')  # mv's answer stays hidden

    owner = _page(browser, server, "avh")
    _click(owner, "a:text-is('Data extraction')")
    _click(owner, f'tr[data-study="{STUDY}"] >> text=Discrepancies')
    rows = owner.locator("#discrepancies tbody tr")
    assert rows.count() == 1  # exactly the one field rc typed differently
    row = owner.locator(f'tr[data-field="{key}"]')
    assert seed[key] in row.inner_text()
    assert typed in row.inner_text()
    shot(owner, shots, "02-discrepancies")
    row.locator('input[value="take:mv"]').check()
    row.locator("input[name=note]").fill(
        "91 children were randomised: 46 to the modified Atkins diet, 45 to the normal diet"
    )
    with owner.expect_navigation():
        row.locator("button").click()
    assert "The study is agreed" in owner.inner_text("#agreed")

    _assess(mv, server)
    shot(mv, shots, "03-rob-mv")
    _assess(rc, server)
    owner.goto(server + "/r/riss")
    _click(owner, "a:text-is('Risk of bias')")
    _click(owner, "text=Compare and agree")
    assert owner.locator("#rob-discrepancies tr[data-question]").count() == 0
    _click(owner, "text=Record the consensus")
    assert owner.inner_text("#agreed .overall") == "High"
    _click(owner, "a:text-is('risk of bias')")
    assert owner.inner_text("#rob-assessed .overall") == "High"
    shot(owner, shots, "03-rob-figures")

    _define_analyses(owner, shots)
    _grade(owner, shots)

    owner.goto(server + "/r/riss")
    _click(owner, "a:text-is('Outputs')")
    with owner.expect_navigation():
        owner.click("#build-form button")
    assert owner.is_visible("#build progress")
    shot(owner, shots, "06-outputs-building")
    owner.wait_for_selector("a#outputs-zip", timeout=170_000)
    shot(owner, shots, "07-outputs")
    with owner.expect_download() as download:
        owner.click("a#outputs-zip")
    saved = tmp_path / "outputs.zip"
    download.value.save_as(saved)
    built = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))

    # byte for byte: `evidens run` writes these identically run after run
    figures = [n for n in built.namelist() if n.startswith(("rob-", "forest-", "prisma."))]
    for name in ("sof.json", "prisma.json", "analyses.json", *figures):
        if name.endswith((".svg", ".json")):
            assert built.read(name) == (reference / name).read_bytes(), name
    _same_rob(json.loads(built.read("rob.json")), json.loads((reference / "rob.json").read_text()))
    if os.environ.get("EVIDENS_SCREENSHOTS"):
        shutil.copytree(shots, os.environ["EVIDENS_SCREENSHOTS"], dirs_exist_ok=True)


def _same_rob(web: dict[str, Any], cli: dict[str, Any]) -> None:
    """Every judgment (proposed and final), answer, support and setting is the seed's. Two
    things differ by design, and are set aside: ``assessor`` (the seed's one reconstructed
    assessor against the consensus of two people), and the seed file's explicit "NA"
    answers to questions RoB 2 does not ask given the earlier answers, which the page never
    shows and so never records (the judgments are the same either way)."""
    for data in (web, cli):
        for item in data["assessments"]:
            item.pop("assessor")
            for domain in item["domains"]:
                answers = domain["answers"]
                domain["answers"] = {q: a for q, a in answers.items() if a["answer"] != "NA"}
    assert [d["final"] for a in web["assessments"] for d in a["domains"]] == [
        "low",
        "some_concerns",
        "high",
        "low",
        "high",
        "low",
    ]
    assert web == cli
