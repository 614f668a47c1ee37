"""Proximity counting checked against each vendor's own help (issue 19).

The query tree stores the largest number of words allowed *between* two terms. Each test below
takes an example from one vendor's help page, in our own words, and checks that evidens writes
(or reads) the operator with that vendor's counting. The page is named in the comment above the
test; docs/search-translation.md lists the same sources.
"""

from __future__ import annotations

import pytest

from evidens.search import translate
from evidens.search.ast import Near, Term
from evidens.search.parser import parse_query

# --- Embase.com --------------------------------------------------------------------------------
# Embase.com help, "Boolean operators" (embase.com/info/helpfiles/search-hints/boolean-operators):
# NEAR/n finds terms within n words of each other in either order, and its example says that
# symptom NEAR/5 headache allows at most four words between the two; NEXT/n is the same distance
# with the order kept. So n in Embase.com is one more than the words between (as Ovid adjN).


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # PubMed ~4 (four words between, NLM) is Embase.com NEAR/5, the help's own example.
        ('"symptom headache"[tiab:~4]', "(symptom NEAR/5 headache):ti,ab,kw"),
        # Ovid adj3 (two words between) is Embase.com NEAR/3, not NEAR/2.
        ("(hip adj3 pain).ti.", "(hip NEAR/3 pain):ti"),
        # Ovid adj1 (next to each other, either order) is NEAR/1.
        ("(hip adj1 pain).ti.", "(hip NEAR/1 pain):ti"),
    ],
)
def test_embase_near_counts_both_terms(query: str, expected: str) -> None:
    source = "pubmed" if "[" in query else "ovid"
    result = translate(query, source=source, target="embase")
    assert result.text == expected
    assert result.warnings == ()


def test_embase_adjacency_of_groups_is_next_1_in_order() -> None:
    # Ovid adj without a number keeps the order (Ovid help); Embase.com NEXT/1 is "within one
    # word, in the order given", so the same search exactly, with nothing to warn about.
    result = translate(
        "((heart or cardiac) adj (attack or failure)).ti.", source="ovid", target="embase"
    )
    assert result.text == "((heart OR cardiac) NEXT/1 (attack OR failure)):ti"
    assert result.warnings == ()


def test_embase_near_read_back_as_words_between() -> None:
    # An Embase.com strategy: NEAR/5 and NEXT/3 allow four and two words between.
    assert parse_query("symptom NEAR/5 headache", dialect="embase") == Near(
        Term("symptom"), Term("headache"), 4, False
    )
    assert parse_query("symptom NEXT/3 headache", dialect="embase") == Near(
        Term("symptom"), Term("headache"), 2, True
    )
    pubmed = translate("(symptom NEAR/5 headache):ti", source="embase", target="pubmed")
    assert pubmed.text == '"symptom headache"[ti:~4]'
    ovid = translate("(symptom NEAR/5 headache):ti", source="embase", target="ovid")
    assert ovid.text == "(symptom adj5 headache).ti."


def test_embase_round_trip_keeps_n() -> None:
    result = translate("(symptom NEAR/5 headache):ti", source="embase", target="embase")
    assert result.text == "(symptom NEAR/5 headache):ti"


# --- Rules that were already right, pinned with their sources -----------------------------------


def test_pubmed_n_is_the_words_between() -> None:
    # NLM Technical Bulletin 2022 Nov-Dec, "Proximity Search Now Available in PubMed": N is the
    # largest number of words that may appear between the terms, in any order; its example
    # "hip pain"[Title/Abstract:~2] allows at most two words between hip and pain.
    assert parse_query('"hip pain"[tiab:~2]') == Near(
        Term("hip", "tiabkw"), Term("pain", "tiabkw"), 2, False
    )
    assert translate('"hip pain"[tiab:~2]', target="ovid").text == "(hip adj3 pain).ti,ab,kf."


def test_ovid_adjn_allows_n_minus_one_words_between() -> None:
    # Ovid training team, "Targeted Searching using Term Variants (Operators)" (tools.ovid.com):
    # ADJ alone is a phrase in the order typed; ADJn finds the terms n-1 words apart, either order.
    assert parse_query("hip adj3 pain", dialect="ovid") == Near(Term("hip"), Term("pain"), 2, False)
    assert parse_query("hip adj pain", dialect="ovid") == Near(Term("hip"), Term("pain"), 0, True)
    assert (
        translate("(hip adj3 pain).ti.", source="ovid", target="pubmed").text == '"hip pain"[ti:~2]'
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # Scopus help, "Proximity Operators" (help.scopus.com): n in W/n and PRE/n is the largest
        # number of terms between the two (0 to 255); W/n either order, PRE/n in order.
        ("scopus", "TITLE(pain W/15 morphine)"),
        # Web of Science help, "Search Operators": NEAR/x, x the largest number of words
        # separating the terms (NEAR alone is NEAR/15).
        ("wos", "TI=(pain NEAR/15 morphine)"),
        # EBSCO proximity help (Nn, Wn): "tax N5 reform" also finds "tax that has been submitted
        # for reform", five words between.
        ("cinahl", "(TI (pain N15 morphine))"),
    ],
)
def test_engines_that_count_words_between(target: str, expected: str) -> None:
    # PubMed ~15 = at most fifteen words between (NLM), the Scopus help's own example distance.
    assert translate('"pain morphine"[ti:~15]', target=target).text == expected


def test_scopus_pre_0_is_adjacent_in_order() -> None:
    # Scopus help: PRE/0 finds adjacent terms, the same results as the quoted phrase.
    result = translate("((heart or cardiac) adj attack).ti.", source="ovid", target="scopus")
    assert result.text == "TITLE((heart OR cardiac) PRE/0 attack)"


def test_wos_near_alone_reads_as_15() -> None:
    # Web of Science help, "Search Operators": NEAR without /x means within 15 words.
    assert parse_query("TS=(salmon NEAR virus)", dialect="wos") == parse_query(
        "TS=(salmon NEAR/15 virus)", dialect="wos"
    )
