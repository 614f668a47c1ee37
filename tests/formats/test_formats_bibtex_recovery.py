"""EBSCOhost BibTeX whose Keywords field holds scraped page text with unbalanced braces: each
record is recovered (EBSCO writes one field per line) with a warning naming the line."""

from __future__ import annotations

import pytest

from evidens.errors import FormatError
from evidens.formats import read_records

EBSCO = """@article{ebs1,
  author = {Sharma, Suvasini and Goel, Shaiphali},
  title = {Efficacy and safety of the modified Atkins diet},
  journal = {Epilepsia},
  year = {2021},
  volume = {62},
  pages = {1--10},
  keywords = {Seizures; Diet {Therapy; javascript:void(0) { menu } }} {{,
  abstract = {Children with refractory spasms.},
  url = {https://search.ebscohost.com/login.aspx?direct=true&db=c8h&AN=1},
}

@article{ebs2,
  author = {Doe, Jane},
  title = {Ketogenic diet in {West} syndrome},
  year = {2020},
  keywords = {Infantile spasms; Diet},
}
"""


def test_ebsco_junk_keywords_are_recovered_with_a_warning_naming_the_line() -> None:
    result = read_records(EBSCO.encode(), name="ebsco.bib")
    assert result.format == "bibtex"
    first, second = result.records
    assert first.title == "Efficacy and safety of the modified Atkins diet"
    assert first.authors == ("Sharma, Suvasini", "Goel, Shaiphali")
    assert (first.year, first.volume, first.pages) == (2021, "62", "1-10")
    assert first.abstract == "Children with refractory spasms."
    assert first.keywords[:2] == ("Seizures", "Diet Therapy")
    assert first.urls == ("https://search.ebscohost.com/login.aspx?direct=true&db=c8h&AN=1",)
    # The next entry is not swallowed by the unbalanced braces, and is read strictly.
    assert second.title == "Ketogenic diet in West syndrome"
    assert second.keywords == ("Infantile spasms", "Diet")
    (warning,) = result.warnings
    assert warning.line == 8
    assert "entry ebs1" in warning.message
    assert "keywords" in warning.message


def test_a_file_cut_off_is_still_refused() -> None:
    cut = EBSCO.rsplit("}", 1)[0]  # the last entry never closes
    with pytest.raises(FormatError):
        read_records(cut.encode(), name="cut.bib")


def test_well_formed_bibtex_has_no_warnings() -> None:
    good = EBSCO.replace(" {{,", ",").replace("Diet {Therapy", "Diet Therapy")
    good = good.replace("{ menu } }}", "menu}")
    result = read_records(good.encode(), name="good.bib")
    assert len(result.records) == 2
    assert result.warnings == ()
