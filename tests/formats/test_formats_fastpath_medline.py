"""The whole-text MEDLINE tokenizer against the line walk, on the shapes it relies on:
padded tags of 1-4 characters, values ending in spaces, blank-looking lines, wraps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evidens.formats import medline

_HEADS = ["PMID- ", "TI  - ", "A   - ", "AB C- ", "ABCD- ", "A - - ", "AB- ", "FAU - "]
_HEAD = st.sampled_from([*_HEADS, "      ", "       ", "", "   ", "\n"])
_VALUE = st.text(st.sampled_from("ab Z9-"), max_size=10)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_HEAD, _VALUE), max_size=25))
def test_fast_medline_tokenizer_agrees_with_the_line_walk(lines: list[tuple[str, str]]) -> None:
    text = "PMID- 1\n" + "".join(f"{head}{value}\n" for head, value in lines)
    fast = medline._tokenize_clean(text)
    if fast is not None:
        assert fast == medline._tokenize_lines(text, "x", ovid=False)


def test_padded_tags_and_trailing_spaces_take_the_fast_path() -> None:
    text = "\nPMID- 7 \nA   - one  \nAB C- two\n      wrapped \n   \n\nPMID- 8\nTI  - x"
    fast = medline._tokenize_clean(text)
    assert fast == [
        (2, [("PMID", "7"), ("A", "one"), ("AB C", "two wrapped")]),
        (8, [("PMID", "8"), ("TI", "x")]),
    ]
    assert fast == medline._tokenize_lines(text, "x", ovid=False)


def test_an_empty_value_continued_on_a_wrap_line_is_left_to_the_line_walk() -> None:
    text = "PMID- 1\nTI  - \n      continued\n"
    assert medline._tokenize_clean(text) is None
    assert medline._tokenize_lines(text, "x", ovid=False) == [
        (1, [("PMID", "1"), ("TI", " continued")])
    ]


def test_a_short_line_that_joins_into_a_tag_line_is_left_to_the_line_walk() -> None:
    # Joined, "Z99" + "-" + "9" would read as the tag Z99; the walk keeps it as PMID text.
    text = "PMID- 1\nZ99\n      -\n      9\n"
    assert medline._tokenize_clean(text) is None
    assert medline._tokenize_lines(text, "x", ovid=False) == [(1, [("PMID", "1 Z99 - 9")])]
