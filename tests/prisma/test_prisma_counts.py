"""PRISMA counts derived from per-record outcomes, reported overlays, arithmetic checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidens.core import Decision, SourceKind
from evidens.errors import CountsDoNotAddUpError
from evidens.prisma.counts import (
    RecordFlow,
    SourceCount,
    assert_consistent,
    check,
    derive,
    derive_counted,
    with_reported,
)

INC, EXC, MAYBE = Decision.INCLUDE, Decision.EXCLUDE, Decision.MAYBE
SOURCES = (
    SourceCount("PubMed", SourceKind.DATABASE, 6),
    SourceCount("Embase", SourceKind.DATABASE, 3),
    SourceCount("ClinicalTrials.gov", SourceKind.REGISTER, 1),
)


def flows() -> list[RecordFlow]:
    return [
        RecordFlow(EXC),
        RecordFlow(EXC),
        RecordFlow(None),  # still awaiting its second reviewer
        RecordFlow(MAYBE, retrieved=False),
        RecordFlow(INC, retrieved=True, full_text=EXC, exclusion_reason="Wrong population"),
        RecordFlow(INC, retrieved=True, full_text=EXC, exclusion_reason="Wrong population"),
        RecordFlow(INC, retrieved=True, full_text=EXC, exclusion_reason="Not randomized"),
        RecordFlow(INC, retrieved=True, full_text=INC),
    ]


def test_derived_counts_follow_each_record_through_the_flow() -> None:
    counts = derive(SOURCES, duplicates_removed=2, flows=flows())
    assert counts.records_identified == 10
    assert counts.records_screened == 7
    assert counts.records_awaiting_screening == 1
    assert counts.records_excluded == 2
    assert counts.reports_sought_for_retrieval == 5  # a maybe is sought, never dropped
    assert counts.reports_not_retrieved == 1
    assert counts.reports_assessed_for_eligibility == 4
    assert counts.reports_excluded == (("Wrong population", 2), ("Not randomized", 1))
    assert counts.reports_of_included_studies == 1
    assert counts.studies_included_in_review == 1
    assert all(c.ok for c in check(counts))
    assert set(counts.basis.values()) == {"derived"}


def test_to_dict_names_the_boxes_and_lists_per_source_counts() -> None:
    data = derive(SOURCES, duplicates_removed=2, flows=flows()).to_dict()
    assert data["records_identified"]["databases"] == {"PubMed": 6, "Embase": 3}
    assert data["records_identified"]["registers"] == {"ClinicalTrials.gov": 1}
    assert data["reports_excluded"] == {
        "total": 3,
        "reasons": {"Wrong population": 2, "Not randomized": 1},
    }
    assert data["records_removed_before_screening"]["duplicate_records_removed"] == 2
    assert all(item["ok"] for item in data["checks"])


def test_reported_counts_replace_and_are_marked() -> None:
    counts = with_reported(
        derive(SOURCES, 0, []),
        {
            "records_identified": 100,
            "duplicate_records_removed": 40,
            "records_screened": 60,
            "records_excluded": 50,
            "reports_sought_for_retrieval": 10,
            "reports_assessed_for_eligibility": 10,
            "reports_excluded": {"unstated": 9},
            "reports_of_included_studies": 1,
            "studies_included_in_review": 1,
        },
    )
    assert counts.basis["records_screened"] == "reported"
    assert counts.basis["reports_not_retrieved"] == "derived"
    assert counts.reports_excluded == (("unstated", 9),)
    assert_consistent(counts)


def test_inconsistent_reported_counts_are_refused_naming_the_box() -> None:
    counts = with_reported(
        derive(SOURCES, 0, []),
        {"records_identified": 100, "duplicate_records_removed": 40, "records_screened": 61},
    )
    with pytest.raises(CountsDoNotAddUpError) as info:
        assert_consistent(counts)
    assert info.value.box == "records_screened"
    assert "is 61" in str(info.value)
    assert "gives 60" in str(info.value)


def test_reported_sources_are_checked_against_a_reported_total() -> None:
    counts = with_reported(
        derive(SOURCES, 2, flows()), {"sources": {"PubMed": 7}, "records_identified": 10}
    )
    assert counts.basis["sources"] == "reported"
    with pytest.raises(CountsDoNotAddUpError, match="records_identified: is 10 but sum"):
        assert_consistent(counts)


def test_unknown_box_is_refused() -> None:
    with pytest.raises(CountsDoNotAddUpError, match="records_sreened"):
        with_reported(derive(SOURCES, 0, []), {"records_sreened": 3})


def test_studies_cannot_outnumber_their_reports() -> None:
    counts = with_reported(derive(SOURCES, 2, flows()), {"studies_included_in_review": 2})
    with pytest.raises(CountsDoNotAddUpError, match="studies_included_in_review"):
        assert_consistent(counts)


_decisions = st.sampled_from([None, INC, EXC, MAYBE])
_flow = st.builds(
    RecordFlow,
    title_abstract=_decisions,
    retrieved=st.sampled_from([None, True, False]),
    full_text=_decisions,
    exclusion_reason=st.sampled_from([None, "wrong population", "not randomised"]),
    excluded_by_automation=st.booleans(),
)


@given(st.lists(st.tuples(_flow, st.integers(min_value=0, max_value=40)), max_size=12))
def test_counted_flows_give_the_counts_of_the_flows_one_by_one(
    weighted: list[tuple[RecordFlow, int]],
) -> None:
    """A review's services count each distinct flow once with how many records took it;
    every box must be what the same flows listed one record at a time give."""
    one_by_one = [flow for flow, n in weighted for _ in range(n)]
    assert derive_counted(SOURCES, 2, weighted) == derive(SOURCES, 2, one_by_one)
