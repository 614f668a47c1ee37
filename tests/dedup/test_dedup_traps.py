"""The traps: situations where a careless de-duplicator loses an article or keeps a duplicate.

Each test builds the records of one situation and asserts what a reviewer would decide.
"""

from __future__ import annotations

from evidens.core import Record
from evidens.dedup import Deduplicator, compare, prepare

_AUTHORS = ("Chen, R.", "Wang, Y.", "Liang, L.")


def _article(**fields: object) -> Record:
    base: dict[str, object] = {
        "title": "Effects of incretin on artery lesions in apolipoprotein E-deficient mice",
        "authors": _AUTHORS,
        "year": 2014,
        "journal": "Diabetes/Metabolism Research and Reviews",
        "volume": "30",
        "pages": "51",
    }
    base.update(fields)
    return Record(**base)  # type: ignore[arg-type]


def _together(records: list[Record], i: int, j: int, **options: bool) -> bool:
    result = Deduplicator(**options).fit(records)
    return result.cluster_of[i] == result.cluster_of[j]


def test_generic_titles_in_different_issues_stay_apart() -> None:
    records = [
        Record(
            title="Editorial",
            authors=("Weber, R.",),
            year=2002,
            journal="MIS Quarterly",
            volume="26",
            issue=str(issue),
            pages="iii-iv",
        )
        for issue in (1, 2, 3, 4)
    ]
    result = Deduplicator().fit(records)
    assert len(result.clusters) == 4
    assert all(d == "unique" for d in result.decisions)


def test_reply_and_editorial_titles_alone_prove_nothing() -> None:
    for title in ("Reply", "Erratum", "Editor's Comments", "In this issue"):
        a = Record(title=title, year=2010, journal="Lancet", volume="375", pages="101")
        b = Record(title=title, year=2010, journal="Lancet", volume="375", pages="230")
        assert compare(prepare(a), prepare(b)).outcome == "distinct", title


def test_generic_title_with_the_same_citation_is_one_article() -> None:
    a = Record(
        title="Editorial",
        authors=("Avison, D.",),
        year=2001,
        journal="Inf Syst J",
        volume="11",
        issue="4",
        pages="271",
    )
    b = Record(
        title="EDITORIAL.",
        authors=("Avison, David E.",),
        year=2001,
        journal="Information Systems Journal",
        volume="11",
        issue="4",
        pages="271-271",
    )

    assert compare(prepare(a), prepare(b)).outcome == "duplicate"


def test_conference_abstracts_sharing_a_supplement_doi_are_not_merged() -> None:
    doi = "http://dx.doi.org/10.1002/dmrr.2604"
    a = _article(doi=doi, pages="51")
    b = _article(
        doi=doi,
        pages="52",
        title="The effects of incretin on artery lesions in apolipoprotein E-deficient mice",
        authors=("Chen, R.", "Wang, J.", "Yan, C."),
    )
    c = _article(doi=doi, pages="S88", title="Dapagliflozin and renal outcomes in rats")
    result = Deduplicator().fit([a, b, c])
    assert len(set(result.cluster_of)) == 3


def test_erratum_is_never_merged_with_its_article() -> None:
    article = _article(pages="542-544", volume="360", issue="5", journal="N Engl J Med")
    notices = [
        _article(title="Erratum: " + str(article.title), pages="2487", volume="360", issue="23"),
        _article(title=str(article.title) + " (vol 360, pg 542, 2009)", pages="2487"),
        _article(title="Correction to: " + str(article.title), pages="2487"),
    ]
    for notice in notices:
        verdict = compare(prepare(article), prepare(notice))
        assert verdict.outcome == "distinct"
        assert verdict.rule == "erratum vs article"


def test_erratum_shares_even_the_doi_of_its_article() -> None:
    article = _article(doi="10.1/abc.123")
    erratum = _article(title="Erratum to: " + str(article.title), doi="10.1/abc.123")
    assert not _together([article, erratum], 0, 1)


def test_same_title_years_apart_is_two_articles() -> None:
    a = _article(year=2009, volume="24", pages="46-54")
    b = _article(year=2012, volume="27", pages="46-54")
    assert not _together([a, b], 0, 1)


def test_online_and_print_year_differ_by_one() -> None:
    online = _article(year=2013, volume="30", pages="51-58")
    printed = _article(year=2014, volume="30", pages="51-8")
    assert _together([online, printed], 0, 1)


def test_same_title_in_different_journals_is_not_merged() -> None:
    a = _article(journal="Diabetologia", volume="57", pages="S354")
    b = _article(journal="Diabetes", volume="63", pages="A111")
    assert not _together([a, b], 0, 1)


def test_guideline_co_published_in_several_journals_keeps_every_copy() -> None:
    title = "Reporting guideline for systematic reviews: an updated statement"
    authors = ("Page, M. J.", "McKenzie, J. E.", "Bossuyt, P. M.")
    copies = [
        Record(
            title=title,
            authors=authors,
            year=2021,
            journal="BMJ",
            volume="372",
            pages="n71",
            doi="10.1136/bmj.n71",
        ),
        Record(
            title=title,
            authors=authors,
            year=2021,
            journal="PLoS Medicine",
            volume="18",
            issue="3",
            pages="e1003583",
            doi="10.1371/journal.pmed.1003583",
        ),
        Record(
            title=title,
            authors=authors,
            year=2021,
            journal="Journal of Clinical Epidemiology",
            volume="134",
            pages="178-189",
            doi="10.1016/j.jclinepi.2021.03.001",
        ),
        Record(
            title=title,
            authors=authors,
            year=2021,
            journal="Systematic Reviews",
            volume="10",
            pages="89",
        ),
    ]
    result = Deduplicator().fit(copies)
    assert len(result.clusters) == 4
    assert result.n_removed == 0


def test_preprint_and_published_version_are_linked_not_merged_by_default() -> None:
    preprint = _article(journal="medRxiv", doi="10.1101/2020.04.01.20050211", pages="", volume="")
    published = _article(doi="10.1002/dmrr.9999", pages="51-60")
    result = Deduplicator().fit([preprint, published])
    assert result.cluster_of[0] != result.cluster_of[1]
    assert [(link.i, link.j, link.relation) for link in result.links] == [
        (0, 1, "preprint of the publication")
    ]


def test_preprint_and_published_version_merge_when_the_review_says_so() -> None:
    preprint = _article(journal="medRxiv", doi="10.1101/2020.04.01.20050211", pages="", volume="")
    published = _article(doi="10.1002/dmrr.9999", pages="51-60")
    assert _together([preprint, published], 0, 1, preprints_same=True)


def test_registry_entry_is_linked_to_its_publication_not_merged() -> None:
    title = "Eculizumab in adult patients with atypical haemolytic uraemic syndrome"
    entry = Record(
        title=title,
        journal="ClinicalTrials.gov",
        year=2009,
        registry_ids=("NCT00844428",),
        source_database="ctgov",
    )
    article = Record(
        title=title,
        authors=("Legendre, C. M.",),
        year=2013,
        journal="N Engl J Med",
        volume="368",
        pages="2169-2181",
        abstract="Two phase 2 trials (NCT00844545 and NCT00844428) ...",
    )

    result = Deduplicator().fit([entry, article])
    assert result.cluster_of[0] != result.cluster_of[1]
    assert [(link.i, link.j) for link in result.links] == [(0, 1)]
    assert result.links[0].relation == "registry entry of the publication"


def test_no_chaining_of_two_articles_through_a_sparse_record() -> None:
    """A and C differ (DOI, page) but each looks like B, which lacks both: never A with C."""
    a = _article(doi="10.1/a", pages="51")
    b = _article(pages="", volume="")
    c = _article(doi="10.1/c", pages="52")
    result = Deduplicator().fit([a, b, c])
    assert result.cluster_of[0] != result.cluster_of[2]


def test_translated_title_with_the_same_citation_is_one_article() -> None:
    english = Record(
        title="[Comparison of amoxicillin and cefamandole in pulmonary surgery]",
        authors=("Train, M.", "Soulard, D."),
        year=1994,
        journal="Ann Fr Anesth Reanim",
        volume="13",
        pages="280-284",
    )
    original = Record(
        title="Antibioprophylaxie en chirurgie pulmonaire: etude en double aveugle",
        authors=("Train, M.", "Soulard, D."),
        year=1994,
        journal="Annales Francaises d'Anesthesie et de Reanimation",
        volume="13",
        pages="280-4",
    )

    assert _together([english, original], 0, 1)
