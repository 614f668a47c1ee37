"""The engine's API: clusters, canonical record, queue, decisions kept, provenance."""

from __future__ import annotations

import pytest

from evidens.core import Record
from evidens.dedup import Deduplicator, PairDecision, merge_provenance
from evidens.errors import ValidationError

TITLE = "Intestinal lipoprotein overproduction in insulin-resistant states"


def _medline() -> Record:
    return Record(
        title=TITLE,
        authors=("Adeli, K.", "Lewis, G. F."),
        year=2008,
        journal="Curr Opin Lipidol",
        volume="19",
        issue="3",
        pages="221-8",
        pmid="18460911",
        doi="10.1097/MOL.0b013e3282ffaf82",
        source_database="medline",
    )


def _embase() -> Record:
    return Record(
        title=TITLE + ".",
        authors=("Adeli K.", "Lewis G.F."),
        year=2008,
        journal="Current Opinion in Lipidology",
        volume="19",
        issue="3",
        pages="221-228",
        abstract="PURPOSE OF REVIEW: Excessive postprandial ...",
        issn="0957-9672",
        accessions=(("embase", "351789012"),),
        source_database="embase",
    )


def _scopus() -> Record:
    return Record(
        title=TITLE.upper(),
        authors=("Adeli, Khosrow",),
        year=2008,
        journal="Current Opinion in Lipidology",
        pages="221-228",
        doi="https://doi.org/10.1097/mol.0b013e3282ffaf82",
        source_database="scopus",
    )


def _other() -> Record:
    return Record(
        title="Glucagon-like peptide-1 and intestinal lipid absorption in hamsters",
        authors=("Hsieh, J.",),
        year=2010,
        journal="Diabetologia",
        volume="53",
        pages="552-561",
        source_database="medline",
    )


def test_three_sources_of_one_article_form_one_cluster() -> None:
    records = [_medline(), _other(), _embase(), _scopus()]
    result = Deduplicator().fit(records)
    assert [c.members for c in result.clusters] == [(0, 2, 3), (1,)]
    assert result.decisions == ("auto", "unique", "auto", "auto")
    assert result.cluster_of == (0, 1, 0, 0)
    assert result.n_removed == 2
    assert result.uncertain == ()
    merged, single = result.clusters
    assert merged.rule in {"doi", "pmid", "title+authors+year"}
    assert merged.score >= 0.9
    assert (single.rule, single.score, single.canonical) == ("unique", 0.0, 1)


def test_canonical_is_the_most_complete_record() -> None:
    result = Deduplicator().fit([_scopus(), _medline(), _embase()])
    assert result.clusters[0].canonical == 2  # the Embase record has abstract and ISSN too


def test_provenance_keeps_every_identifier_and_source() -> None:
    records = [_medline(), _embase(), _scopus()]
    result = Deduplicator().fit(records)
    merged = merge_provenance(records, result.clusters[0])
    assert merged.sources == ("medline", "embase", "scopus")
    assert merged.pmids == ("18460911",)
    assert merged.accessions == (("embase", "351789012"),)
    assert merged.dois == ("10.1097/MOL.0b013e3282ffaf82",)  # one DOI, written two ways
    assert merged.record.abstract == records[1].abstract
    assert merged.record.pmid == "18460911"  # filled in from the MEDLINE record
    assert merged.record.doi == "10.1097/MOL.0b013e3282ffaf82"


def test_a_person_saying_different_keeps_records_apart() -> None:
    records = [_medline(), _embase(), _scopus()]
    result = Deduplicator().fit(records, decided=[PairDecision(0, 1, same=False)])
    assert result.cluster_of[0] != result.cluster_of[1]


def test_a_person_saying_same_merges_what_the_engine_would_not() -> None:
    records = [_medline(), _other()]
    result = Deduplicator().fit(records, decided=[PairDecision(1, 0, same=True)])
    assert [c.members for c in result.clusters] == [(0, 1)]
    assert result.clusters[0].rule == "manual"


def test_decided_pairs_leave_the_review_queue() -> None:
    base = Record(
        title="Phase I trial of ATRA-IV and depakote in advanced solid tumours",
        authors=("David, K. A.",),
        year=2010,
        journal="Cancer Biol Ther",
        volume="9",
        pages="678-684",
    )
    shifted = Record(**{**base.__dict__, "pages": "676-682"})
    first = Deduplicator().fit([base, shifted])
    assert [(p.i, p.j) for p in first.uncertain] == [(0, 1)]
    assert first.decisions == ("uncertain", "uncertain")
    assert "same title, different first pages" in first.uncertain[0].reasons
    again = Deduplicator().fit([base, shifted], decided=[PairDecision(0, 1, same=False)])
    assert again.uncertain == ()
    assert again.decisions == ("unique", "unique")


@pytest.mark.parametrize("pair", [(0, 5), (-1, 0), (1, 1)])
def test_decisions_naming_unknown_records_are_refused(pair: tuple[int, int]) -> None:
    with pytest.raises(ValidationError, match="decided"):
        Deduplicator().fit([_medline(), _other()], decided=[PairDecision(*pair, same=True)])


def test_bad_option_is_refused() -> None:
    with pytest.raises(ValidationError, match="max_block"):
        Deduplicator(max_block=1)


def test_empty_input_gives_empty_result() -> None:
    result = Deduplicator().fit([])
    assert (result.clusters, result.uncertain, result.decisions) == ((), (), ())


def test_records_without_any_field_are_left_alone() -> None:
    result = Deduplicator().fit([Record(), Record(), Record(title="")])
    assert result.decisions == ("unique", "unique", "unique")


def test_large_blocks_still_find_neighbouring_duplicates() -> None:
    """Sixty records of one first author and year exceed a block; the window still pairs them."""
    records = []
    for n in range(60):
        title = f"Study number {n} of exercise in chronic low back pain cohort {n * 7}"
        records.append(
            Record(
                title=title,
                authors=("Wang, L.",),
                year=2015,
                journal="Spine",
                volume=str(n),
                pages=f"{n}01-{n}09",
            )
        )
    records.append(Record(**{**records[10].__dict__, "journal": "Spine (Phila Pa 1976)"}))
    result = Deduplicator(max_block=10).fit(records)
    assert result.cluster_of[10] == result.cluster_of[60]
    assert result.n_removed == 1
