"""The fast tokenizers (one regex scan for junk-free RIS and plain PubMed files) give exactly
what the tolerant line walks give, or decline; a large import relies on them for speed.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from evidens.errors import FormatError
from evidens.formats import medline, read_records, ris, write_ris
from evidens.formats._text import decode


def _texts(shared_dir: Path, folder: str) -> list[str]:
    exports = shared_dir / "data" / "exports" / folder
    return [decode(p.read_bytes(), name=p.name)[0] for p in sorted(exports.iterdir())]


def test_fast_ris_tokenizer_matches_the_line_walk(shared_dir: Path) -> None:
    texts = _texts(shared_dir, "ris")
    texts += [write_ris(read_records(t.encode()).records) for t in texts]
    used = 0
    for text in texts:
        fast = ris._tokenize_clean(text)
        if fast is not None:
            used += 1
            assert fast == ris._tokenize_lines(text, "x")[0]
    # 3 of the 18 vendor files (EBSCO x2, Embase 2024) have no junk or continuation lines;
    # all 18 files evidens wrote have none either.
    assert used == 21


def test_fast_medline_tokenizer_matches_the_line_walk(shared_dir: Path) -> None:
    used = 0
    for text in _texts(shared_dir, "medline_nbib"):
        fast = medline._tokenize_clean(text)
        if fast is not None:
            used += 1
            assert fast == medline._tokenize_lines(text, "x", ovid=False)
    assert used >= 4


_VALUE = st.text(st.sampled_from("ab Z9-\t\u00a0"), max_size=12)
_TAG = st.sampled_from(["TY", "ER", "TI", "AU", "KW", "ZE", "T1", "  ", "", "1."])
_SEP = st.sampled_from(["  - ", "  - ", "  - ", "  -  ", "  -", " - ", ""])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_TAG, _SEP, _VALUE), max_size=30))
def test_fast_ris_tokenizer_never_disagrees(lines: list[tuple[str, str, str]]) -> None:
    """Mostly well-formed lines with TY/ER in any order: where the fast path answers at all,
    it answers what the line walk answers (or the line walk refuses the file too)."""
    text = "".join(f"{tag}{sep}{value}\n" for tag, sep, value in lines)
    fast = ris._tokenize_clean(text)
    if fast is not None:
        assert fast == ris._tokenize_lines(text, "x")[0]


_RECORD_TAGS = st.lists(st.sampled_from(["TI", "AU", "KW", "ZE", "TI", "AU", "TY", "ER"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_RECORD_TAGS, min_size=1, max_size=4), st.text("abZ9-", max_size=6))
def test_fast_ris_tokenizer_agrees_on_well_formed_lines(
    records: list[list[str]], value: str
) -> None:
    """Well-formed tag lines only, with stray TY/ER lines mixed in: both walks agree."""
    tags = [tag for middle in records for tag in ("TY", *middle, "ER")]
    text = "".join(f"{tag}  - {value}\n" for tag in tags)
    fast = ris._tokenize_clean(text)
    try:
        slow = ris._tokenize_lines(text, "x")
    except FormatError:
        assert fast is None
        return
    assert fast is None or fast == slow[0]


def test_fast_ris_tokenizer_leaves_a_missing_er_to_the_line_walk() -> None:
    text = "TY  - JOUR\nTI  - one\nTY  - JOUR\nTI  - two\nER  - \n"
    assert ris._tokenize_clean(text) is None
    text = "TY  - JOUR\nTI  - one\nER  - \nAU  - stray\nER  - \n"
    assert ris._tokenize_clean(text) is None


_MLINE = st.tuples(st.sampled_from(["PMID- ", "TI  - ", "AU  - ", "      ", "", "  "]), _VALUE)


@settings(max_examples=300, deadline=None)
@given(st.lists(_MLINE, max_size=30))
def test_fast_medline_tokenizer_never_disagrees(lines: list[tuple[str, str]]) -> None:
    text = "".join(f"{head}{value}\n" for head, value in lines)
    fast = medline._tokenize_clean(text)
    if fast is not None:
        assert fast == medline._tokenize_lines(text, "x", ovid=False)
