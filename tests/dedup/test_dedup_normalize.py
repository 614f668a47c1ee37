"""Normalisation: the forms vendors write one fact in must meet, different facts must not."""

from __future__ import annotations

import pytest

from evidens.core import Record
from evidens.dedup import kinds, prepare
from evidens.dedup import normalize as nz


@pytest.mark.parametrize(
    "raw",
    [
        "10.1097/MOL.0b013e3282ffaf82",
        "https://doi.org/10.1097/mol.0b013e3282ffaf82",
        "http://dx.doi.org/10.1097/MOL.0B013E3282FFAF82",
        "doi:10.1097/MOL.0b013e3282ffaf82",
        "10.1097/MOL.0b013e3282ffaf82 [doi]",
    ],
)
def test_doi_forms_give_one_key(raw: str) -> None:
    assert prepare(Record(doi=raw)).doi == "10.1097/mol.0b013e3282ffaf82"


def test_junk_doi_is_no_key() -> None:
    assert prepare(Record(doi="not a doi")).doi is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "HPV testing after treatment of CIN 3. [Review] [45 refs]",
            "hpv testing after treatment of cin 3",
        ),
        (
            "[A study on mycobacterium vaccine in pleurisy]",
            "a study on mycobacterium vaccine in pleurisy",
        ),
        (
            "Clinical aspects of the complement system. [Japanese]",
            "clinical aspects of the complement system",
        ),
        (
            "Evaluating risk of precancer.[Erratum appears in Cancer Epidemiol 2006;15(3):600]",
            "evaluating risk of precancer",
        ),
        ("SGLT2 inhibition in Ldlr<sup>-/-</sup> mice", "sglt2 inhibition in ldlr mice"),
        (
            "Role of <mml:math><mml:mi>&#946;</mml:mi></mml:math>-cells &amp; islets",
            "role of β cells islets",
        ),
        (
            "Perioperative NUTRITIONAL support: a trial?",
            "perioperative nutritional support a trial",
        ),
        ("Léna and Müller's øresund study", "lena and muller s oresund study"),
    ],
)
def test_title_normalisation(raw: str, expected: str) -> None:
    assert nz.normalize_title(raw) == expected


def test_bracketed_other_language_title_is_kept_as_alternative() -> None:
    title = "Crowdwork: a relational theory [Arbeiten in der Crowd: Perspektiven der Theorie]"
    assert nz.normalize_title(title) == "crowdwork a relational theory"
    assert nz.alternative_title(title) == "arbeiten in der crowd perspektiven der theorie"
    assert nz.alternative_title("Update on HPV. [Review] [33 refs]") == ""


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (("Adeli K.Lewis G. F.",), ("adeli", "lewis")),  # ASySD's glued R export
        (("Zuna, R E", "Wang, S S"), ("zuna", "wang")),
        (("Zuna, R E and Wang, S S and Schiffman, M",), ("zuna", "wang", "schiffman")),
        (("Asemota, E. A.; Okafor, I. M.",), ("asemota", "okafor")),
        (("John Smith", "Jane Doe"), ("smith", "doe")),
        (("Léna, H.", "Le Quintrec, M."), ("lena", "lequintrec")),
        (("Le Quintrec M",), ("lequintrec",)),
    ],
)
def test_author_surnames(authors: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert nz.normalize_authors(authors) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Curr Opin Lipidol", "Current Opinion in Lipidology"),
        ("J Matern Fetal Neonatal Med", "Journal of Maternal-Fetal and Neonatal Medicine"),
        (
            "Jpen: Journal of Parenteral & Enteral Nutrition",
            "JPEN. Journal of parenteral and enteral nutrition",
        ),
        ("Lung Cancer", "Lung cancer (Amsterdam, Netherlands)"),
        (
            "50Th Annual Hawaii International Conference on System Sciences",
            "Hawaii International Conference on System Sciences",
        ),
        ("ICIS 2017 Proceedings", "International Conference on Information Systems"),
    ],
)
def test_journal_forms_are_compatible(a: str, b: str) -> None:
    assert nz.journals_compatible(nz.normalize_journal(a), nz.normalize_journal(b)) is True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("BMJ", "Lancet"),
        ("Journal of Clinical Virology", "Journal of Clinical Oncology"),
        ("Annals of Internal Medicine", "PLoS Medicine"),
    ],
)
def test_different_journals_are_not_compatible(a: str, b: str) -> None:
    assert nz.journals_compatible(nz.normalize_journal(a), nz.normalize_journal(b)) is False


def test_missing_journal_is_unknown() -> None:
    assert nz.journals_compatible((), nz.normalize_journal("BMJ")) is None


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("1234-9", ("1234", "1239")),
        ("1234-1239", ("1234", "1239")),
        ("1234--1239", ("1234", "1239")),
        ("137-40", ("137", "140")),
        ("S12-S19", ("s12", "s19")),
        ("e1002", ("e1002", "")),
        ("532, 534-536", ("532", "534")),
        ("A175.E1638", ("a175", "e1638")),
        ("", ("", "")),
    ],
)
def test_page_ranges(pages: str, expected: tuple[str, str]) -> None:
    assert nz.normalize_pages(pages) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("58 (1)", "58"), ("Vol. 12", "12"), ("UNKNOWN", ""), ("1)", ""), ("011", "11")],
)
def test_volumes(value: str, expected: str) -> None:
    assert nz.normalize_volume(value) == expected


@pytest.mark.parametrize(
    ("title", "generic"),
    [
        ("Editorial", True),
        ("Editor's Comments", True),
        ("Editorial Introduction", True),
        ("Reply", True),
        ("Erratum", True),
        ("Effects of exenatide on VCAM-1 in ApoE knock-out mice", False),
    ],
)
def test_generic_titles(title: str, generic: bool) -> None:
    assert nz.is_generic_title(nz.normalize_title(title)) is generic


@pytest.mark.parametrize(
    "title",
    [
        "Erratum: Efficacy of thermal treatment for Legionella",
        "Correction to: Joint planning as a governance mechanism",
        "Co-creating platform governance models: Correction",
        "Eculizumab for Atypical Hemolytic-Uremic Syndrome (vol 360, pg 542, 2009)",
    ],
)
def test_errata_are_recognised(title: str) -> None:
    assert kinds.is_erratum(nz.normalize_title(title), (), title)


def test_erratum_appears_in_is_not_an_erratum() -> None:
    title = "Evaluating the risk of precancer.[Erratum appears in Cancer Epidemiol 2006;15(3):600]"
    assert not kinds.is_erratum(nz.normalize_title(title), (), title)


@pytest.mark.parametrize(
    "title",
    [  # Ovid notes cut at the field's length limit, or holding a nested "[added]"
        (
            "Anti-Factor H autoantibodies in a transplant recipient.[Erratum appears in Am J "
            "Transplant. 2009 Sep;9(9):2205 Note: Niaudet, P [added]].[Erratum"
        ),
        "Anti-Factor H autoantibodies in a transplant recipient.[Erratum appears in Am J",
    ],
)
def test_a_cut_or_nested_erratum_note_leaves_the_article_title(title: str) -> None:
    normalised = nz.normalize_title(title)
    assert normalised == "anti factor h autoantibodies in a transplant recipient"
    assert not kinds.is_erratum(normalised, (), title)


def test_both_ways_of_citing_the_corrected_article_give_one_title() -> None:
    wos = "Eculizumab for Atypical Hemolytic-Uremic Syndrome (vol 360, pg 542, 2009)"
    embase = "Eculizumab for atypical hemolytic-uremic syndrome (New England Journal of Medicine (2009) 360 (542-544))"  # noqa: E501
    assert nz.normalize_title(wos) == nz.normalize_title(embase)
    assert kinds.is_erratum(nz.normalize_title(embase), (), embase)
    assert nz.normalize_title("Outcomes (2009) of care") == "outcomes 2009 of care"


@pytest.mark.parametrize(
    ("title", "reply"),
    [
        ("Atypical hemolytic uremic syndrome and streptococcus - Reply", True),
        ("Reply to: Gender wage gap in the gig economy", True),
        ("The authors' reply", True),
        ("Comment on: Platform work and labour markets", True),
        ("Response to eculizumab in atypical hemolytic uremic syndrome", False),
        ("Reply latency in online labour platforms: a field study", False),
    ],
)
def test_replies_are_recognised(title: str, reply: bool) -> None:
    assert kinds.is_reply(nz.normalize_title(title)) is reply


@pytest.mark.parametrize(
    ("journal", "doi", "preprint"),
    [
        ("International Conference on Information Systems", "10.2139/ssrn.3266249", False),
        ("SSRN Electronic Journal", "10.2139/ssrn.3266249", True),
        ("", "10.2139/ssrn.3266249", True),
        ("", "10.1101/2020.04.01.20050211", True),
        ("Lancet", "10.1016/s0140-6736(20)30183-5", False),
    ],
)
def test_a_named_venue_decides_whether_a_record_is_a_preprint(
    journal: str, doi: str, preprint: bool
) -> None:
    assert kinds.is_preprint(nz.fold(journal), doi) is preprint


def test_a_notice_citation_cut_short_is_dropped_from_its_title() -> None:
    title = "Erratum: Gain-of-function mutations in factor B (Proceeding of the National Acad"
    assert nz.normalize_title(title) == "erratum gain of function mutations in factor b"
    article = "Gain-of-function mutations in factor B (a cohort study"
    assert nz.normalize_title(article) == "gain of function mutations in factor b a cohort study"
    nested = "Erratum: Gain-of-function mutations in factor B (Proceeding of the Nat (Januar"
    assert nz.normalize_title(nested) == "erratum gain of function mutations in factor b"
    closed = "Erratum: Deficiency of ADAMTS13 (vWF protease) in children (Journal of Pedi"
    assert nz.normalize_title(closed) == "erratum deficiency of adamts13 vwf protease in children"
