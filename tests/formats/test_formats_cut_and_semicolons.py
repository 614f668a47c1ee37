"""A PubMed MEDLINE file cut mid-record is refused like a cut RIS file, naming the file and
the line where it stops; a semicolon-separated CSV is refused with a hint saying so."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evidens.errors import FormatError
from evidens.formats import read_records

SAMPLE = "medline_nbib/restoration_pubmed_revtools.nbib"


def _sample(shared_dir: Path) -> bytes:
    return (shared_dir / "data" / "exports" / SAMPLE).read_bytes()


def test_the_whole_sample_reads(shared_dir: Path) -> None:
    assert len(read_records(_sample(shared_dir), name="pubmed.nbib").records) == 104


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.77, 0.99])
def test_a_sample_cut_mid_record_names_the_file_and_its_last_line(
    shared_dir: Path, fraction: float
) -> None:
    data = _sample(shared_dir)
    cut = data[: int(len(data) * fraction)]
    if cut.rstrip().endswith(b"\n") or cut.rsplit(b"\n", 1)[-1].startswith(b"SO  - "):
        cut = cut[:-20]  # keep the cut inside a record, away from its SO line
    with pytest.raises(FormatError) as caught:
        read_records(cut, name="pubmed.nbib")
    assert caught.value.path == "pubmed.nbib"
    assert caught.value.line == len(cut.decode("utf-8", "ignore").rstrip("\n").split("\n"))
    assert caught.value.field == "SO"
    assert "cut off" in caught.value.message


def test_a_cut_at_a_line_break_is_caught_too(shared_dir: Path) -> None:
    data = _sample(shared_dir)
    last_record = data.rindex(b"\nPMID- ")
    cut = data[: data.index(b"\nAB  - ", last_record) + 1]  # ends cleanly, before AB
    with pytest.raises(FormatError, match="cut off"):
        read_records(cut, name="pubmed.nbib")


def test_a_record_ending_with_so_and_one_record_without_a_final_newline() -> None:
    one = b"PMID- 1\nTI  - A trial\nSO  - J Trials. 2020;1:1."
    assert len(read_records(one, name="x.nbib").records) == 1
    with pytest.raises(FormatError, match="cut off"):
        read_records(b"PMID- 1\nTI  - A tri", name="x.nbib")


def _semicolons(shared_dir: Path, sample: str) -> bytes:
    text = (shared_dir / "data" / "exports" / sample).read_text(encoding="utf-8-sig")
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(csv.reader(io.StringIO(text)))
    return out.getvalue().encode()


@pytest.mark.parametrize(
    "sample", ["scopus_csv/scopus_cff_2024.csv", "vendor_csv/cochrane_central_cff.csv"]
)
def test_a_vendor_csv_saved_with_semicolons_gets_the_hint(shared_dir: Path, sample: str) -> None:
    assert read_records((shared_dir / "data" / "exports" / sample).read_bytes(), name="x").records
    with pytest.raises(FormatError, match="separated by semicolons") as caught:
        read_records(_semicolons(shared_dir, sample), name="export.csv")
    assert caught.value.path == "export.csv"
    assert "comma-separated" in (caught.value.hint or "")


def test_an_unknown_semicolon_table_gets_the_hint_not_a_shrug() -> None:
    with pytest.raises(FormatError, match="separated by semicolons") as caught:
        read_records(b"record;reviewer;decision\npmid:1;alice;include\n", name="log.csv")
    assert caught.value.line == 1
