"""Highlight lists: whole words, case-insensitive, * and ? wildcards, longest term first."""

from __future__ import annotations

import pytest

from evidens.errors import ValidationError
from evidens.screening.highlight import TermKind, compile_terms, highlight, highlight_record


def test_wildcards_match_whole_words_case_insensitively() -> None:
    terms = compile_terms(["random*", "wom?n"], ["rat*"])
    text = "Randomised trial in women and in rats; not a pirate or a woman."
    spans = highlight(text, terms)
    found = [(text[s.start : s.end], s.kind) for s in spans]
    assert found == [
        ("Randomised", TermKind.INCLUDE),
        ("women", TermKind.INCLUDE),
        ("rats", TermKind.EXCLUDE),
        ("woman", TermKind.INCLUDE),
    ]


def test_longer_phrase_wins_over_contained_word() -> None:
    terms = compile_terms(["controlled trial", "trial"], [])
    text = "a controlled  trial"
    (span,) = highlight(text, terms)
    assert (span.start, span.end, span.term) == (2, len(text), "controlled trial")


def test_record_spans_name_their_field() -> None:
    terms = compile_terms(["asthma"], [])
    spans = highlight_record("Asthma in children", "Children with asthma.", terms)
    assert [(s.field, s.start) for s in spans] == [("title", 0), ("abstract", 14)]


def test_regex_characters_in_terms_are_literal() -> None:
    terms = compile_terms(["c.diff"], [])
    assert highlight("cXdiff and c.diff", terms)[0].start == 11


def test_no_terms_no_spans() -> None:
    assert highlight("anything", compile_terms([], [])) == ()


@pytest.mark.parametrize("bad", ["", "*", "? *"])
def test_terms_that_match_everything_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="include term 1"):
        compile_terms([bad], [])
