"""Record keys: taken from a record's own identifiers, normalised one way when made and when
read, never a position."""

from __future__ import annotations

import pytest

from evidens.core import Record
from evidens.core.keys import fingerprint, keys_of, parse_key, record_key
from evidens.errors import ValidationError


def test_the_most_specific_identifier_is_the_key() -> None:
    full = Record(
        title="Ketogenic diet",
        pmid="123",
        doi="https://doi.org/10.1000/ABC",
        registry_ids=("nct 0123-4567",),
        accessions=(("Embase", "L2001"),),
    )
    assert str(record_key(full)) == "pmid:123"
    assert [str(k) for k in keys_of(full)] == [
        "pmid:123",
        "doi:10.1000/abc",
        "trial:NCT01234567",
        "an:embase:L2001",
        f"fp:{fingerprint(full)}",
    ]
    assert str(record_key(Record(title="x", registry_ids=("ISRCTN12345678",)))) == (
        "trial:ISRCTN12345678"
    )


def test_written_keys_read_back_to_the_same_key() -> None:
    assert str(parse_key(" DOI:10.1000/ABC ")) == "doi:10.1000/abc"
    assert str(parse_key("trial:nct01234567")) == "trial:NCT01234567"
    assert str(parse_key("an:EMBASE:L2001")) == "an:embase:L2001"
    assert str(parse_key("fp:ABCDEF123456")) == "fp:abcdef123456"
    assert str(parse_key("pubmed.nbib#3")) == "pubmed.nbib#3"


def test_a_fingerprint_ignores_case_accents_and_punctuation_but_not_the_year() -> None:
    a = Record(title="Épilepsie: a Trial!", year=2020, authors=("Müller, Anna",))
    b = Record(title="epilepsie a trial", year=2020, authors=("Muller, A.",))
    c = Record(title="epilepsie a trial", year=2021, authors=("Muller, A.",))
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(c)
    assert len(fingerprint(a)) == 12


@pytest.mark.parametrize("text", ["id:12", "ID:3"])
def test_a_store_row_number_is_not_a_folder_key(text: str) -> None:
    with pytest.raises(ValidationError, match=r"row number.*another order"):
        parse_key(text)


@pytest.mark.parametrize("text", ["12", "isbn:123", "doi:not-a-doi", "pmid:"])
def test_a_key_that_is_not_understood_says_what_is_understood(text: str) -> None:
    with pytest.raises(ValidationError, match=r"pmid|DOI"):
        parse_key(text)
