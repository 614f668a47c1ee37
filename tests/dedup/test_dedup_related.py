"""Related reports of one study (errata, replies, meeting abstracts) and the record slips that
hide a true duplicate (fields shifted, a translated journal name, a magazine heading).

By default an erratum or a reply stays apart from its item and is linked to it; the options
``notices_same`` and ``abstracts_same`` merge them for a review that screens studies.
"""

from __future__ import annotations

from evidens.core import Record
from evidens.dedup import Deduplicator, compare, prepare

_TITLE = "Neurological involvement in a child with atypical hemolytic uremic syndrome"
_AUTHORS = ("Koehl, B.", "Boyer, O.", "Biebuyck, N.")


def _paper(**fields: object) -> Record:
    base: dict[str, object] = {
        "title": _TITLE,
        "authors": _AUTHORS,
        "year": 2010,
        "journal": "Pediatric Nephrology",
        "volume": "25",
        "issue": "12",
        "pages": "2539-2542",
    }
    base.update(fields)
    return Record(**base)  # type: ignore[arg-type]


def _together(records: list[Record], i: int, j: int, **options: bool) -> bool:
    result = Deduplicator(**options).fit(records)
    return result.cluster_of[i] == result.cluster_of[j]


def test_two_notices_of_one_correction_are_one_record_apart_from_the_article() -> None:
    article = _paper(pages="542-544", volume="360", issue="5", journal="N Engl J Med")
    wos = _paper(title=_TITLE + " (vol 360, pg 542, 2009)", volume="360", issue="23",
                 pages="2487", authors=("Philipp, T.",), journal="N Engl J Med")  # fmt: skip
    embase = _paper(
        title=_TITLE + " (New England Journal of Medicine (2009) 360 (542-544))",
        volume="360", issue="23", pages="2487-2487", authors=("Philipp, T.",),
        journal="New England Journal of Medicine",
    )  # fmt: skip
    result = Deduplicator().fit([article, wos, embase])
    assert result.cluster_of[1] == result.cluster_of[2]
    assert result.cluster_of[0] != result.cluster_of[1]
    assert {link.relation for link in result.links} == {"erratum of the article"}


def test_erratum_merges_into_its_article_only_when_asked_and_the_article_is_kept() -> None:
    article = _paper()
    erratum = _paper(title="Erratum: " + _TITLE, issue="12", pages="2600", abstract="x" * 2000)
    assert not _together([article, erratum], 0, 1)
    result = Deduplicator(notices_same=True).fit([erratum, article])
    assert result.cluster_of[0] == result.cluster_of[1]
    assert result.clusters[result.cluster_of[0]].canonical == 1  # the article, not the notice


def test_erratum_of_another_journal_is_not_merged_even_when_asked() -> None:
    article = _paper()
    erratum = _paper(title="Erratum: " + _TITLE, journal="Kidney International", volume="77")
    assert not _together([article, erratum], 0, 1, notices_same=True)


def test_reply_to_a_letter_is_another_report_unless_the_review_merges_notices() -> None:
    letter = _paper(pages="943-944", volume="19", issue="8", year=2004)
    reply = _paper(title=_TITLE + " - Reply", authors=("Shepherd, A. B.", "Palmer, A. L."),
                   pages="945", volume="19", issue="8", year=2004)  # fmt: skip
    assert compare(prepare(letter), prepare(reply)).rule == "reply vs article"
    result = Deduplicator().fit([letter, reply])
    assert result.cluster_of[0] != result.cluster_of[1]
    assert [link.relation for link in result.links] == ["reply to the item"]
    assert _together([letter, reply], 0, 1, notices_same=True)


def test_meeting_abstract_and_full_paper_merge_only_when_asked() -> None:
    abstract = _paper(issue="9", pages="1875")
    paper = _paper()
    assert not _together([abstract, paper], 0, 1)
    assert _together([abstract, paper], 0, 1, abstracts_same=True)


def test_one_abstract_at_two_meetings_merges_when_asked() -> None:
    first = _paper(journal="British Journal of Haematology", volume="145", issue="Suppl. 1",
                   pages="23", year=2009)  # fmt: skip
    second = _paper(journal="Haematologica", volume="94", issue="Suppl. 2", pages="239-240",
                    year=2009)  # fmt: skip
    assert not _together([first, second], 0, 1)
    assert _together([first, second], 0, 1, abstracts_same=True)


def test_two_abstracts_of_one_team_in_one_supplement_stay_apart_even_when_asked() -> None:
    """ASySD's Chen et al. 2014: pages 51 and 52 of one supplement, near-identical titles."""
    title = "Effects of incretin on artery lesions in a model of atherosclerosis in mice"
    a = _paper(title=title, journal="Diabetes Metab Res Rev", volume="30", issue="Suppl. 3",
               pages="51", year=2014)  # fmt: skip
    b = _paper(title="The " + title, journal="Diabetes Metab Res Rev", volume="30",
               issue="Suppl. 3", pages="52", year=2014)  # fmt: skip
    assert not _together([a, b], 0, 1)
    assert not _together([a, b], 0, 1, abstracts_same=True, notices_same=True)


def test_parts_of_a_series_are_not_one_abstract() -> None:
    part1 = _paper(title=_TITLE + " part 1", issue="9", pages="1875")
    part2 = _paper(title=_TITLE + " part 2")
    assert not _together([part1, part2], 0, 1, abstracts_same=True)


def test_citation_shifted_one_field_right_is_the_same_abstract() -> None:
    """A conference export wrote "(26):9" for volume 26, issue 9, page 1746."""
    shifted = _paper(volume="", issue="26", pages="9", year=2011)
    proper = _paper(volume="26", issue="9", pages="1746-1746", year=2011)
    assert _together([shifted, proper], 0, 1)
    other_page = _paper(volume="26", issue="9", pages="1750", year=2011)
    assert not _together([proper, other_page], 0, 1)


def test_journal_name_in_another_language_with_the_same_volume_and_issue() -> None:
    japanese = _paper(journal="Jinko Chino Gakkai Ronbunshi", volume="31", issue="2", pages="")
    english = _paper(
        journal="Transactions of the Japanese Society for Artificial Intelligence",
        volume="31", issue="2", pages="A-F24_1-10", doi="10.1527/tjsai.a-f24",
    )  # fmt: skip
    assert _together([japanese, english], 0, 1)
    other_issue = _paper(journal="Jinko Chino Gakkai Ronbunshi", volume="31", issue="3", pages="")
    assert not _together([other_issue, english], 0, 1)


def test_magazine_heading_before_the_title_is_one_article() -> None:
    title = "Upwork's CEO on how an introverted engineer learned to lead"
    web = Record(title=title, authors=("Kasriel, S.",), year=2016,
                 journal="Harvard Business Review", volume="2016", issue="May")  # fmt: skip
    printed = Record(title="How did it ... " + title, authors=("Kasriel, Stephane",),
                     year=2016, journal="Harvard Business Review", volume="94", issue="5",
                     pages="35+")  # fmt: skip
    assert _together([web, printed], 0, 1)


def test_a_response_heading_makes_another_item() -> None:
    title = "Platform labour markets and the future of crowdwork in Europe"
    article = Record(title=title, authors=("Kasriel, S.",), year=2016, journal="HBR")
    response = Record(title="A response to critics " + title, authors=("Kasriel, S.",),
                      year=2016, journal="HBR")  # fmt: skip
    assert not _together([article, response], 0, 1)


def test_letter_retitled_between_online_and_print_goes_to_a_person() -> None:
    authors = ("Lapeyraque, A. L.", "Malina, M.", "Fremeaux-Bacchi, V.", "Boppel, T.")
    printed = Record(
        title="Eculizumab in severe Shiga-toxin-associated HUS", authors=authors,
        year=2011, journal="N Engl J Med", volume="364", pages="2561-2563",
    )  # fmt: skip
    online = Record(
        title="Complement blockade in severe Shiga-toxin-associated HUS", authors=authors,
        year=2011, journal="New England Journal of Medicine",
    )  # fmt: skip
    result = Deduplicator().fit([printed, online])
    assert result.cluster_of[0] != result.cluster_of[1]
    assert [(p.i, p.j) for p in result.uncertain] == [(0, 1)]
    in_print = Record(title="Complement blockade in severe Shiga-toxin-associated HUS",
                      authors=authors, year=2011, journal="N Engl J Med", volume="364",
                      pages="2600-2601")  # fmt: skip
    assert Deduplicator().fit([printed, in_print]).uncertain == ()


def test_a_link_names_the_notice_first_whatever_the_input_order() -> None:
    article = _paper()
    erratum = _paper(title="Erratum: " + _TITLE, issue="12", pages="2600")
    for records, notice, item in (([article, erratum], 1, 0), ([erratum, article], 0, 1)):
        links = Deduplicator().fit(records).links
        assert [(link.i, link.j, link.relation) for link in links] == [
            (notice, item, "erratum of the article")
        ]
