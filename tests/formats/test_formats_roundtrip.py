"""Lossless round trips: read -> write_ris -> read gives identical records, raw fields included,
on every sample and for any Record hypothesis can generate; and the standard RIS tags that
other tools read carry the main fields on their own.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidens.core import Record
from evidens.errors import FormatError
from evidens.formats import read_records, write_bibtex, write_csv, write_ris

SAMPLES = [
    "bibtex/wos_bibtex_colrev.bib",
    "ctgov_download/ctgov_website_download_small.json",
    "endnote_xml/jabref_EndnoteXmlImporterTestArticle.xml",
    "ictrp_xml/ictrp_export_2024.xml",
    "medline_nbib/pubmed_medline_named_ris_cff.ris",
    "ovid_tagged/embase_ovid_endnote_knh.cgi",
    "pubmed_csv/pubmed_csv_cff.csv",
    "pubmed_xml/jabref_MedlineImporterTestMathML.xml",
    "ris/cochrane_library_endnote_cff.ris",
    "ris/rayyan_multiline_kw_asreview.txt",
    "ris/wos_asysd.ris",
    "scopus_csv/scopus_cff_2024.csv",
    "vendor_csv/openalex_cff.csv",
    "wos_plaintext/wos_metaknowledge_OnePaper.isi",
    "wos_tabdelimited/wos_tab_scientopy_2026.txt",
]


def _all_samples(exports: Path) -> list[Path]:
    return sorted(p for p in exports.rglob("*") if p.is_file() and p.name != "README.md")


def test_every_sample_survives_a_ris_round_trip(shared_dir: Path) -> None:
    exports = shared_dir / "data" / "exports"
    for path in _all_samples(exports):
        first = read_records(path.read_bytes(), name=path.name)
        again = read_records(write_ris(first.records).encode("utf-8"), name="out.ris")
        assert again.format == "ris"
        assert again.records == first.records, path.name
        assert [r.raw for r in again.records] == [r.raw for r in first.records]


@pytest.mark.parametrize("sample", SAMPLES)
def test_standard_ris_tags_alone_carry_the_main_fields(shared_dir: Path, sample: str) -> None:
    """What EndNote or Zotero would read: the file without evidens's ZE/ZZ tags."""
    first = read_records((shared_dir / "data" / "exports" / sample).read_bytes(), name=sample)
    plain = re.sub(r"(?m)^Z[EZ]  - .*\n", "", write_ris(first.records))
    again = read_records(plain.encode("utf-8"), name="plain.ris")
    assert len(again.records) == len(first.records)
    for before, after in zip(first.records, again.records, strict=True):
        assert after.doi == before.doi
        assert after.year == before.year
        assert [a.split() for a in after.authors] == [a.split() for a in before.authors]
        assert (after.title or "").split() == (before.title or "").split()


@pytest.mark.parametrize("sample", SAMPLES)
def test_bibtex_written_reads_back_with_the_main_fields(shared_dir: Path, sample: str) -> None:
    first = read_records((shared_dir / "data" / "exports" / sample).read_bytes(), name=sample)
    again = read_records(write_bibtex(first.records).encode("utf-8"), name="out.bib")
    assert again.format == "bibtex"
    assert len(again.records) == len(first.records)
    for before, after in zip(first.records, again.records, strict=True):
        assert (after.doi, after.year, after.pmid) == (before.doi, before.year, before.pmid)


def test_csv_writer_adds_decision_columns_one_value_per_record(shared_dir: Path) -> None:
    path = shared_dir / "data" / "exports" / "pubmed_csv" / "pubmed_csv_colrev_chatbot.csv"
    records = read_records(path.read_bytes()).records
    decisions = ["include", "exclude", "include", "maybe", "exclude", "include"]
    text = write_csv(records, {"decision": decisions, "label": ["a"] * len(records)})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["decision"] for row in rows] == decisions
    assert rows[0]["pmid"] == "35227408"
    assert rows[0]["authors"].startswith("Lim SM; Shiau CWC")
    with pytest.raises(ValueError, match="has 1 values for 6 records"):
        write_csv(records, {"decision": ["include"]})


_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
_OPT = st.none() | _TEXT
_TUPLE = st.lists(_TEXT, max_size=4).map(tuple)
RECORDS = st.builds(
    Record,
    title=_OPT,
    authors=_TUPLE,
    year=st.none() | st.integers(-(10**6), 10**6),
    journal=_OPT,
    volume=_OPT,
    issue=_OPT,
    pages=_OPT,
    doi=_OPT,
    pmid=_OPT,
    pmcid=_OPT,
    accessions=st.lists(st.tuples(_TEXT, _TEXT), max_size=3).map(tuple),
    registry_ids=_TUPLE,
    abstract=_OPT,
    keywords=_TUPLE,
    subject_headings=_TUPLE,
    language=_OPT,
    publication_types=_TUPLE,
    issn=_OPT,
    urls=_TUPLE,
    source_database=_OPT,
    raw=st.lists(st.tuples(_TEXT, _TEXT), max_size=6).map(tuple),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RECORDS, min_size=1, max_size=4))
def test_any_records_survive_a_ris_round_trip(records: list[Record]) -> None:
    again = read_records(write_ris(records).encode("utf-8"), name="gen.ris")
    assert again.records == tuple(records)
    assert again.records[0].source_line == 1


def test_writing_no_records_gives_a_file_that_is_refused_as_empty() -> None:
    assert write_ris([]) == ""
    with pytest.raises(FormatError):
        read_records(write_ris([]).encode(), name="empty.ris")


@pytest.mark.parametrize(
    "value", ["<xml><records>", "<PubmedArticleSet>", "<Trials_downloaded_from_ICTRP>", "@a{"]
)
def test_markup_inside_a_value_does_not_change_the_detected_format(value: str) -> None:
    """Found by the property above: sniffers look at the document start, not inside values."""
    records = [Record(title=value, urls=(value,), raw=((value, value),))]
    again = read_records(write_ris(records).encode("utf-8"), name="gen.ris")
    assert (again.format, again.records) == ("ris", tuple(records))
