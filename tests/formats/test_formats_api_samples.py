"""API response bodies saved to files read like exports: the ClinicalTrials.gov v2 envelope
(``{"studies": [...]}``), a single v2 study, and a PubMed efetch batch. Expected values were
read off the files with grep.
"""

from __future__ import annotations

from pathlib import Path

from evidens.formats import read_records


def _read(shared_dir: Path, path: str) -> tuple[str, list[str], list[str | None]]:
    result = read_records((shared_dir / "data" / "api" / path).read_bytes(), name=path)
    ids = [r.accession("ctgov") or r.pmid or "" for r in result.records]
    return result.format, ids, [r.title for r in result.records]


def test_ctgov_api_page_envelope(shared_dir: Path) -> None:
    fmt, ids, titles = _read(shared_dir, "clinicaltrials_v2/search_page1_pageSize5.json")
    assert fmt == "ctgov_json"
    assert ids == ["NCT02710084", "NCT05105685", "NCT01525901", "NCT03493607", "NCT07119606"]
    assert titles[0] == "Piloting Treatment With Intranasal Oxytocin in Phelan-McDermid Syndrome"


def test_ctgov_api_single_study(shared_dir: Path) -> None:
    fmt, ids, _ = _read(shared_dir, "clinicaltrials_v2/study_NCT00001245_full.json")
    assert (fmt, ids) == ("ctgov_json", ["NCT00001245"])


def test_pubmed_efetch_batch(shared_dir: Path) -> None:
    fmt, ids, _ = _read(shared_dir, "pubmed_eutils/efetch_pubmed_22663011.xml")
    assert (fmt, ids) == ("pubmed_xml", ["22663011"])


def test_ictrp_keeps_each_register_record(shared_dir: Path) -> None:
    """28 of the 95 trials are EU-CTR national records (grep -c '<TrialID>EUCTR'); their
    titles, padded with hundreds of spaces in the file, come out trimmed."""
    path = shared_dir / "data/exports/ictrp_xml/ictrp_export_2024.xml"
    records = read_records(path.read_bytes()).records
    eu = [r for r in records if (r.accession("ictrp") or "").startswith("EUCTR")]
    assert len(eu) == 28
    assert eu[0].accession("ictrp") == "EUCTR2021-000037-14-ES"
    assert all("  " not in (r.title or "") for r in eu)
    assert "EUCTR2021-000037-14-ES" in eu[0].registry_ids
