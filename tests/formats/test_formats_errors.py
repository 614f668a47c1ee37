"""Bad input gives one FormatError naming the file and line, never another exception and never
a partial result: truncated, binary, undecodable, cut-off records, unknown formats, no records.
The fuzz corpus is built by truncating and mutating the real samples.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidens.core import Record
from evidens.errors import FormatError
from evidens.formats import ParseResult, detect_format, read_records

RIS = "TY  - JOUR\nTI  - A title\nAU  - Doe, J\nPY  - 2020\nER  - \n\n"


def _read_or_error(data: bytes, name: str) -> ParseResult | FormatError:
    try:
        return read_records(data, name=name)
    except FormatError as exc:
        return exc


def _assert_valid(outcome: ParseResult | FormatError) -> None:
    if isinstance(outcome, FormatError):
        assert outcome.path is not None
        return
    assert outcome.records
    assert all(isinstance(r, Record) for r in outcome.records)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not in any export format"),
        (b"\n\n   \n", "not in any export format"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"Dear colleague,\nplease find the papers attached.\n", "not in any export format"),
        (b"<PubmedArticleSet></PubmedArticleSet>", "no records"),
        (b"PMID,Title,Citation\n", "no records"),
        (b"TY  - JOUR\nTI  - cut here\n", "cut off"),
        (b"TY  - JOUR\nTI  - one\nTY  - JOUR\nTI  - two\nER  - \n", "no ER line before the next"),
        (b"<PubmedArticleSet><PubmedArticle><MedlineCitation>", "not well-formed"),
        (b'[{"protocolSection": {"identificationModule": ', "not well-formed"),
        (b"@article{key,\n  title = {never closed,\n", "cut off"),
        (b'PMID,Title,Citation\n1,"unterminated,x\n', "cannot read the file"),
    ],
)
def test_bad_input_raises_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message) as info:
        read_records(data, name="upload.txt")
    assert info.value.path == "upload.txt"


def test_cut_off_ris_record_names_the_line_where_it_starts() -> None:
    data = (RIS * 3 + "TY  - JOUR\nTI  - last one\n").encode()
    with pytest.raises(FormatError) as info:
        read_records(data, name="search.ris")
    assert info.value.line == 19
    assert info.value.field == "ER"
    assert str(info.value).startswith("search.ris:19:ER: ")


def test_undecodable_bytes_raise_with_the_line_of_the_first_bad_byte() -> None:
    rng = random.Random(7)
    noise = bytes(rng.randrange(128, 256) for _ in range(4000))
    with pytest.raises(FormatError, match="not UTF-8") as info:
        read_records(b"TY  - JOUR\nTI  - ok\n" + noise, name="x.ris")
    assert info.value.line == 3


def test_unknown_format_id_is_refused() -> None:
    with pytest.raises(FormatError, match="unknown format 'endnote_library'"):
        read_records(RIS.encode(), format="endnote_library")


def test_legacy_encodings_are_detected() -> None:
    text = RIS.replace("Doe, J", "Müller, Jörg – “Zürich”").replace("A title", "Café naïve")
    for encoding, expected in (("cp1252", "cp1252"), ("utf-16", "utf-16")):
        result = read_records(text.encode(encoding), name="legacy.ris")
        assert result.encoding == expected
        assert result.records[0].authors == ("Müller, Jörg – “Zürich”",)
        assert result.records[0].title == "Café naïve"


def test_named_encoding_overrides_detection() -> None:
    data = "@article{k,\n author = {凯撒},\n title = {T}\n}\n".encode("gbk")
    result = read_records(data, encoding="gbk")
    assert result.records[0].authors == ("凯撒",)
    with pytest.raises(FormatError, match="cannot decode the file as ascii"):
        read_records(data, encoding="ascii")


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_any_line_ending_reads_the_same(ending: str) -> None:
    result = read_records(("\ufeff" + RIS * 2).replace("\n", ending).encode(), name="e.ris")
    assert [r.title for r in result.records] == ["A title", "A title"]
    assert [r.source_line for r in result.records] == [1, 7]


def test_content_decides_the_format_not_the_extension(shared_dir: Path) -> None:
    path = shared_dir / "data/exports/medline_nbib/pubmed_medline_named_ris_cff.ris"
    assert detect_format(path.read_bytes(), name=path.name) == "medline"


def _samples(shared_dir: Path, limit: int) -> list[Path]:
    exports = shared_dir / "data" / "exports"
    return sorted(
        p
        for p in exports.rglob("*")
        if p.is_file() and p.name != "README.md" and p.stat().st_size <= limit
    )


def test_truncated_and_mutated_samples_give_error_or_full_result(shared_dir: Path) -> None:
    """A seeded fuzz corpus: each sample cut at 5 points and with 5 random byte mutations."""
    rng = random.Random(20261123)
    for path in _samples(shared_dir, 60_000):
        data = path.read_bytes()
        for _ in range(5):
            _assert_valid(_read_or_error(data[: rng.randrange(len(data))], path.name))
            mutated = bytearray(data)
            for _ in range(rng.randrange(1, 8)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            _assert_valid(_read_or_error(bytes(mutated), path.name))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_error_or_result(data: bytes) -> None:
    _assert_valid(_read_or_error(data, "random.bin"))


_FRAGMENTS = [
    "TY  - ",
    "ER  - ",
    "PMID- 1",
    "FN x\nPT J\n",
    "@article{",
    "}",
    "<xml><records><record>",
    "<PubmedArticleSet>",
    '"PMID","Title","Citation"\n',
    "PT\tAU\tTI\n",
    "\n",
    "\r",
    '"',
    "{",
    "<3001. >\nVN  - Ovid Technologies\n",
    '[{"protocolSection":',
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=12), max_size=25))
def test_format_shaped_noise_gives_error_or_result(parts: list[str]) -> None:
    _assert_valid(_read_or_error("".join(parts).encode("utf-8", "surrogatepass"), "noise"))


def test_xml_entities_are_never_expanded() -> None:
    """Billion-laughs and external (XXE) entities stay unexpanded references."""
    laughs = '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    xxe = '<!ENTITY x SYSTEM "file:///etc/passwd">'
    data = (
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [{laughs}{xxe}]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>A &b; and &x;</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>"
    ).encode()
    record = read_records(data, name="bomb.xml").records[0]
    assert record.title == "A &b; and &x;"
    assert record.source_line == 2
