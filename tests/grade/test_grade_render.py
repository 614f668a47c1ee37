"""Renderings: escaping of untrusted text, footnote lettering, and the machine formats."""

from __future__ import annotations

import csv
import io
import json

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html

from evidens.core import OutcomeKind
from evidens.errors import ValidationError
from evidens.grade import (
    ArmTotals,
    BaselineRisk,
    CertaintyAssessment,
    Domain,
    DomainJudgment,
    EffectEstimate,
    Measure,
    OutcomeEvidence,
    Rating,
    SofHeader,
    SofTable,
    build_sof,
    profile_html,
    render,
    sof_csv,
    sof_docx,
    sof_html,
    sof_json,
    sof_markdown,
)
from evidens.grade.sof import continuous_text

NASTY = '<script>alert("x")</script> | =HYPERLINK("evil")'


def _assessment(name: str, reason: str, comment: str = "") -> CertaintyAssessment:
    rr = EffectEstimate(Measure.RR, 0.80, 0.60, 1.10, k=3, method="Mantel-Haenszel, fixed effect")
    ev = OutcomeEvidence(
        name, OutcomeKind.BINARY, 3, ArmTotals(500, 40), ArmTotals(500, 50), relative=rr
    )
    judgments = tuple(
        DomainJudgment(
            d,
            Rating.SERIOUS if d is Domain.IMPRECISION else Rating.NOT_SERIOUS,
            reason if d is Domain.IMPRECISION else "",
        )
        for d in Domain
    )
    return CertaintyAssessment(
        ev,
        judgments,
        comment=comment,
        baseline_risks=(BaselineRisk("High-risk population", 0.30),),
    )


def _table() -> SofTable:
    header = SofHeader(title=f"A vs B {NASTY}", population=NASTY, per=1000)
    return build_sof(
        header,
        [
            _assessment(NASTY, "CI includes no effect"),
            _assessment("Second", "CI includes no effect", comment=NASTY),
        ],
    )


def test_html_escapes_everything_a_person_typed() -> None:
    table = _table()
    for page in (sof_html(table), profile_html(table)):
        assert "<script>" not in page
        assert "&lt;script&gt;" in page
        tree = lxml_html.fromstring(page)
        assert not tree.xpath("//script")


def test_each_page_has_one_heading_naming_it() -> None:
    table = _table()
    for page, kind in (
        (sof_html(table), "Summary of findings"),
        (profile_html(table), "Evidence profile"),
    ):
        tree = lxml_html.fromstring(page)
        (heading,) = tree.xpath("//h1")
        assert heading.text_content() == kind
        assert tree.findtext(".//title") == f"{kind}: {table.header.title}"


def test_shared_reasons_share_a_letter_and_cells_carry_them() -> None:
    table = _table()
    notes = table.footnotes
    assert [f.letter for f in notes] == ["a", "b"]
    assert notes[0].text == "Imprecision: rated down one level. CI includes no effect."
    assert notes[1].text == "Mantel-Haenszel, fixed effect."
    rows = table.rows
    assert rows[0].certainty_letters == rows[1].certainty_letters == ("a",)
    assert rows[1].relative_letters == ("b",)
    assert rows[0].certainty_text == "⊕⊕⊕◯ Moderate"


def test_absolute_effects_for_control_and_user_baseline_risks() -> None:
    row = _table().rows[0]
    labels = [a.label for a in row.absolute]
    assert labels == ["Study population", "High-risk population"]
    # RR 0.80 (0.60 to 1.10): at 100 per 1000 -> 20 fewer (40 fewer to 10 more);
    # at 300 per 1000 -> 60 fewer (120 fewer to 30 more)
    assert row.absolute[0].text == "20 fewer per 1000 (40 fewer to 10 more)"
    assert row.absolute[1].text == "60 fewer per 1000 (120 fewer to 30 more)"


def test_markdown_escapes_pipes() -> None:
    text = sof_markdown(_table())
    table_lines = [line for line in text.splitlines() if line.startswith("| ")]
    header_cells = table_lines[0].count(" | ")
    assert all(line.count(" | ") == header_cells for line in table_lines)
    assert "\\|" in text


def test_csv_neutralises_formulas_and_round_trips() -> None:
    rows = list(csv.DictReader(io.StringIO(sof_csv(_table()))))
    assert len(rows) == 2
    assert rows[1]["comment"].startswith("<script>")
    assert rows[0]["imprecision"] == "serious"
    assert rows[0]["publication_bias"] == "undetected"
    assert rows[0]["certainty"] == "Moderate"
    assert rows[0]["footnotes"].startswith("a. Imprecision")


def test_csv_cells_starting_like_formulas_are_quoted_out() -> None:
    header = SofHeader(title="t")
    table = build_sof(header, [_assessment("=1+1", "r")])
    rows = list(csv.DictReader(io.StringIO(sof_csv(table))))
    assert rows[0]["outcome"].startswith("'=1+1")


def test_json_keeps_every_judgment_and_suggestion_slot() -> None:
    doc = json.loads(sof_json(_table()))
    first = doc["outcomes"][0]
    assert set(first["domains"]) == {d.value for d in Domain}
    assert first["domains"]["imprecision"]["levels"] == 1
    assert first["domains"]["imprecision"]["footnotes"] == ["a"]
    assert first["certainty"] == {"level": "Moderate", "symbol": "⊕⊕⊕◯", "footnotes": ["a"]}
    assert first["absolute_effects"][1]["difference_low"] == -120
    assert doc["footnotes"][0]["letter"] == "a"


def test_docx_has_the_cochrane_layout() -> None:
    document = Document(io.BytesIO(sof_docx(_table())))
    table = document.tables[0]
    assert table.rows[0].cells[0].text.startswith("A vs B <script>")  # kept as plain text
    assert table.rows[2].cells[0].text == "Outcomes"
    assert table.rows[3].cells[1].text == "Risk with Comparator"
    assert len(table.rows) == 4 + 2
    footer = "\n".join(p.text for p in document.paragraphs)
    assert "a. Imprecision: rated down one level." in footer
    assert "GRADE Working Group grades of evidence" in footer


def test_render_dispatches_and_refuses_unknown_formats() -> None:
    table = _table()
    assert render(table, "md").decode().startswith("**A vs B")
    assert render(table, "docx")[:2] == b"PK"
    with pytest.raises(ValidationError, match="unknown SoF format"):
        render(table, "pdf")


def test_continuous_effects_read_higher_and_lower() -> None:
    # metafor REML MD for normand1999: -15.106 (-32.641 to 2.429) days
    md = EffectEstimate(Measure.MD, -15.106, -32.641, 2.429, k=9)
    assert continuous_text(md, "days") == "MD 15.11 days lower (32.64 lower to 2.43 higher)"
    assert continuous_text(None, "") == "not estimable"


@given(st.lists(st.sampled_from(["r1", "r2", "r3", "r4"]), min_size=1, max_size=6))
def test_letters_follow_first_appearance_and_repeat_for_the_same_text(
    reasons: list[str],
) -> None:
    table = build_sof(
        SofHeader(title="t"), [_assessment(f"o{i}", r) for i, r in enumerate(reasons)]
    )
    distinct = list(dict.fromkeys(reasons))
    expected_letters = "abcdefghijklmnopqrstuvwxyz"[: len(distinct) + 1]
    assert "".join(f.letter for f in table.footnotes) == expected_letters
    by_text = {f.text: f.letter for f in table.footnotes}
    for row, reason in zip(table.rows, reasons, strict=True):
        text = f"Imprecision: rated down one level. {reason}."
        assert row.certainty_letters == (by_text[text],)
