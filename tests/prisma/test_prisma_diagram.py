"""The PRISMA 2020 diagram: wording and counts per template, every output format, escaping,
and the PRISMA2020 app's CSV in and out."""

from __future__ import annotations

import pytest
from lxml import etree

from evidens.core import Decision, SourceKind
from evidens.errors import CountsDoNotAddUpError, InputError
from evidens.prisma.counts import RecordFlow, SourceCount, assert_consistent, derive
from evidens.prisma.diagram import OtherMethods, PreviousReview, Template, build_diagram
from evidens.prisma.prisma2020_csv import read_prisma2020_csv, write_prisma2020_csv
from evidens.prisma.render import render, render_html

INC, EXC = Decision.INCLUDE, Decision.EXCLUDE
EVIL = "<script>alert(1)</script> & wrong population"


def counts():  # type: ignore[no-untyped-def]
    sources = [
        SourceCount("PubMed", SourceKind.DATABASE, 5),
        SourceCount("Embase", SourceKind.DATABASE, 2),
        SourceCount("ICTRP", SourceKind.REGISTER, 1),
        SourceCount("Citation searching", SourceKind.OTHER, 3),
    ]
    flows = [
        RecordFlow(EXC),
        RecordFlow(EXC),
        RecordFlow(INC, True, INC),
        RecordFlow(INC, False),
        RecordFlow(INC, True, EXC, EVIL),
    ]
    return derive(sources, duplicates_removed=3, flows=flows)


def test_new_review_template_has_prisma_wording_and_derived_counts() -> None:
    d = build_diagram(counts())
    identified = d.box("records_identified")
    assert identified.heading == "Records identified from*:"
    assert "Databases (n = 7)" in identified.lines
    assert "  PubMed (n = 5)" in identified.lines
    assert "Registers (n = 1)" in identified.lines
    assert d.box("records_screened").lines == ("(n = 5)",)
    assert d.box("reports_not_retrieved").lines == ("(n = 1)",)
    assert d.box("reports_excluded").lines == (f"  {EVIL} (n = 1)",)
    assert d.box("studies_included_in_review").heading == "Studies included in review"
    assert {b.column for b in d.boxes} == {"main", "side"}
    assert [p[0] for p in d.phases] == ["Identification", "Screening", "Included"]


def test_updated_review_with_other_methods_adds_both_columns_and_totals() -> None:
    d = build_diagram(
        counts(),
        Template.UPDATED_OTHER,
        previous=PreviousReview(4, 6),
        other=OtherMethods(sought=3, not_retrieved=1, assessed=2, excluded=(("No outcome", 1),)),
    )
    assert d.box("studies_included_in_review").heading == "New studies included in review"
    assert d.box("total_studies").lines == (
        "(n = 5)",
        "Reports of total included studies",
        "(n = 7)",
    )
    assert "  Citation searching (n = 3)" in d.box("other_records_identified").lines
    assert d.box("other_reports_excluded").lines == ("  No outcome (n = 1)",)
    assert d.columns() == ["previous", "main", "side", "other", "other_side"]


def test_reported_counts_are_marked() -> None:
    from evidens.prisma.counts import with_reported

    d = build_diagram(with_reported(counts(), {"records_screened": 5}))
    assert d.box("records_screened").lines == ("(n = 5)†",)
    assert any("Reported count" in note for note in d.footnotes)


def test_svg_png_pdf_are_real_and_repeatable() -> None:
    d = build_diagram(counts())
    svg = render(d, "svg")
    tree = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True))
    assert tree.tag.endswith("svg")
    assert b"Records screened" in svg or b"Records" in svg
    assert render(d, "svg") == svg
    assert render(d, "png").startswith(b"\x89PNG")
    assert render(d, "pdf").startswith(b"%PDF")


def test_html_escapes_text_and_links_each_box() -> None:
    page = render_html(build_diagram(counts()), link=lambda box: f"/records?box={box}")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; wrong population" in page
    assert "href='/records?box=records_screened'" in page


def test_prisma2020_csv_round_trips() -> None:
    text = write_prisma2020_csv(
        counts(), previous=PreviousReview(4, 6), other=OtherMethods(3, 1, 2, (("No outcome", 1),))
    )
    again, previous, other = read_prisma2020_csv(text)
    assert previous == PreviousReview(4, 6)
    assert other == OtherMethods(3, 1, 2, (("No outcome", 1),))
    original = counts()
    for box in (
        "records_screened",
        "records_excluded",
        "duplicate_records_removed",
        "reports_sought_for_retrieval",
        "reports_not_retrieved",
        "reports_assessed_for_eligibility",
        "reports_excluded",
        "studies_included_in_review",
        "reports_of_included_studies",
    ):
        assert getattr(again, box) == getattr(original, box), box
    assert [(s.name, s.records) for s in again.sources] == [
        (s.name, s.records) for s in original.sources
    ]
    assert write_prisma2020_csv(again, previous=previous, other=other) == text
    assert_consistent(again)


def test_a_malformed_count_is_refused_naming_its_line() -> None:
    text = write_prisma2020_csv(counts()).replace(
        "records_screened,node13,,,,,,5", "records_screened,node13,,,,,,5O"
    )
    with pytest.raises(InputError) as info:
        read_prisma2020_csv(text, name="PRISMA.csv")
    assert "PRISMA.csv:14:n" in str(info.value)
    assert "records_screened" in str(info.value)


def test_inconsistent_counts_from_the_app_are_refused_naming_the_box() -> None:
    text = write_prisma2020_csv(counts()).replace(
        "records_excluded,node14,,,,,,2", "records_excluded,node14,,,,,,1"
    )
    imported, _, _ = read_prisma2020_csv(text)
    with pytest.raises(CountsDoNotAddUpError) as info:
        assert_consistent(imported)
    assert info.value.box == "reports_sought_for_retrieval"
