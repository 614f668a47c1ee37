"""The TF-IDF tokeniser against its definition: scikit-learn's token pattern on lower-cased
text, as Python's ``re`` finds it, document by document - for any Unicode text."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from evidens.screening import tokens
from evidens.screening.tokens import DOC_BREAK, _fragment_ids, tokenise

SKLEARN_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token_pattern

# Pieces that are hard for a byte-level tokeniser: characters whose lower case is ASCII or
# several characters ('İ' -> 'i' + U+0307, Kelvin sign -> 'k'), word characters that are
# two or more bytes but one character, combining marks (not word characters), digits that
# are not ASCII, non-ASCII spaces and punctuation, a capital sigma (lower-cased by context),
# the break word used between documents, and stop words.
PIECES = [
    "a", "B", "ab", "Ab", "z9", "_", "__", " ", "  ", "-", ".", "'", ":", "\t", "\n", "\x00",
    "\x1c", "İ", "\u212a", "K", "ß", "ẞ", "é", "É", "e\u0301", "\u0307", "\u0301", "²", "½",
    "٣", "中文", "\u00a0", "\u2019", "\u2014", "Σ", "ΟΣ", "σ", "ς", "µ", "ﬁ", "Ⅻ", "\U0001d400",
    "\U0001f600", DOC_BREAK, DOC_BREAK.upper(), "zqxevidensdocbrea\u212azqx", "the", "The",
    "and", "km", "ss",
]  # fmt: skip

pieces_text = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
any_text = st.text(st.characters(), max_size=40)  # the whole Unicode range
texts_strategy = st.lists(st.one_of(pieces_text, any_text), max_size=6)
stop_strategy = st.sampled_from(
    [frozenset(), frozenset(ENGLISH_STOP_WORDS), frozenset({"ab", "km", "ss", "i\u0307"})]
)


def reference(
    texts: list[str], stop_words: frozenset[str]
) -> tuple[list[int], list[int], list[str]]:
    """Word ids, documents and vocabulary (in order of first occurrence) from ``re``."""
    vocabulary: dict[str, int] = {}
    ids: list[int] = []
    docs: list[int] = []
    for doc, text in enumerate(texts):
        for token in SKLEARN_TOKEN.findall(text.lower()):
            if token not in stop_words:
                ids.append(vocabulary.setdefault(token, len(vocabulary)))
                docs.append(doc)
    return ids, docs, list(vocabulary)


def assert_matches_reference(texts: list[str], stop_words: frozenset[str]) -> None:
    ids, docs, vocabulary = tokenise(texts, stop_words)
    expected_ids, expected_docs, expected_vocabulary = reference(texts, stop_words)
    assert vocabulary == expected_vocabulary
    assert ids.dtype == docs.dtype == np.int64
    assert ids.tolist() == expected_ids
    assert docs.tolist() == expected_docs


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(texts=texts_strategy, stop_words=stop_strategy)
@example(texts=["İstanbul \u212aelvin straße", "ΟΔΟΣ ΑΣ.Β"], stop_words=frozenset())
@example(texts=["x²y ²² e\u0301e\u0301 é ab_cd", "", "the end"], stop_words=frozenset({"the"}))
@example(texts=[f"a {DOC_BREAK} b", "c d"], stop_words=frozenset())
@example(texts=[f"{DOC_BREAK}\u2019s", "cd"], stop_words=frozenset())
@example(texts=["only one"], stop_words=frozenset())
@example(texts=["", ""], stop_words=frozenset())
@example(texts=[], stop_words=frozenset())
def test_tokens_equal_the_regex_on_lower_cased_text(
    texts: list[str], stop_words: frozenset[str]
) -> None:
    assert_matches_reference(texts, stop_words)


@settings(max_examples=100)
@given(
    texts=st.lists(
        st.text(st.one_of(st.sampled_from(["\ud800", "\udfff", "a", " "]), st.characters()))
    )
)
@example(texts=["ab\ud83dcd \ud83d\ude00 ef", "gh"])
def test_lone_surrogates_are_tokenised_like_the_regex_does(texts: list[str]) -> None:
    assert_matches_reference(texts, frozenset())


@pytest.mark.parametrize(
    "texts",
    [
        ["ΣΑΣ Σ", "ΟΔΟΣ.", "ΑΣ'Β ΑΣ:Β", "ΑΣ\u00adΒ"],  # final or medial sigma by context
        ["İİ \u0130x \u212a\u212a K\u212a", "STRASSE Straße ẞ"],
        ["\U0001d400\U0001d401 \U0001f600\U0001f600 ǅungla ﬁne Ⅻ"],
        ["   ", "...", "a b c", "__ _ ab"],
    ],
)
def test_hand_picked_unicode_texts(texts: list[str]) -> None:
    assert_matches_reference(texts, frozenset())
    assert_matches_reference(texts, frozenset(ENGLISH_STOP_WORDS))


FAMILY = ["ab", "a", "abc", "é", "abcdefgh", "abcdefghi", "abcdefghj", "abcdefghé", "xyz" * 7]


@settings(max_examples=200)
@given(st.lists(st.sampled_from(FAMILY)), st.sampled_from([62, 64]))
@example(["abcdefgh", "abcdefghi"], 64)  # equal first 8 bytes, different lengths
@example(["abcdefghi", "abcdefghj"], 64)  # same length, different 9th byte
def test_fragment_ids_are_exact_or_declined(words: list[str], position_bits: int) -> None:
    """With fingerprints cut to 2 bits (or none) fragments collide: the byte-for-byte check
    must then decline (None), and never number fragments wrongly."""
    data = " ".join(words).encode()
    fragments = data.split()
    distinct = list(dict.fromkeys(fragments))
    expected = ([distinct.index(f) for f in fragments], [f.decode() for f in distinct])
    numbered = _fragment_ids(data + b" " * 8)
    assert numbered is not None
    assert (numbered[0].tolist(), numbered[1]) == expected
    squeezed = _fragment_ids(data + b" " * 8, position_bits=position_bits)
    if len(distinct) > 2 ** (64 - position_bits):  # more fragments than fingerprints
        assert squeezed is None
    if squeezed is not None:
        assert (squeezed[0].tolist(), squeezed[1]) == expected


def test_ordinary_texts_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a text containing the break word (or a lone surrogate) goes text by text."""
    texts = [" ".join(p for p in PIECES if DOC_BREAK not in p.lower()), "ΟΔΟΣ İstanbul", "end"]
    expected = tokenise(texts, frozenset())

    def refuse(*_: object) -> None:
        raise AssertionError("fell back to the per-text tokeniser")

    monkeypatch.setattr(tokens, "_tokenise_each", refuse)
    ids, docs, vocabulary = tokenise(texts, frozenset())
    assert vocabulary == expected[2]
    assert np.array_equal(ids, expected[0])
    assert np.array_equal(docs, expected[1])
    with pytest.raises(AssertionError, match="fell back"):
        tokenise([f"a {DOC_BREAK}", "b"], frozenset())


def test_fragment_ids_need_the_padding_they_read_past_the_end() -> None:
    """Fragments are read 8 bytes at a time, so the data must end with 8 spaces."""
    with pytest.raises(ValueError, match="8 spaces"):
        _fragment_ids(b"ab cd" + b" " * 7)
