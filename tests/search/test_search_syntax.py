"""Source syntaxes, construct by construct, from the vendors' documentation: NLM PubMed Help
("Search Field Descriptions and Tags", proximity searching), the Ovid MEDLINE, Embase and
PsycInfo field guides (field codes, ``adjN``, subject headings, floating subheadings), and
numbered strategies as information specialists paste them."""

from __future__ import annotations

import pytest

from evidens.errors import InputError
from evidens.search import Bool, Heading, LineRef, Near, Term, parse_query, parse_strategy
from evidens.search.fields import INTENTS
from evidens.search.source_tags import OVID_CODES, PUBMED_TAGS
from evidens.search.vocabulary import all_qualifiers, normalise_qualifier

# Every PubMed tag the issue found refused, plus the documented long forms.
PUBMED_FIELD_TAGS = [
    ("[ad]", "ad"),
    ("[Affiliation]", "ad"),
    ("[pmid]", "pmid"),
    ("[uid]", "pmid"),
    ("[isbn]", "isbn"),
    ("[1au]", "au1"),
    ("[First Author Name]", "au1"),
    ("[fau]", "aufull"),
    ("[Full Author Name]", "aufull"),
    ("[lastau]", "aulast"),
    ("[Last Author Name]", "aulast"),
    ("[aid]", "doi"),
    ("[cn]", "cn"),
    ("[ed]", "ed"),
    ("[gr]", "gr"),
    ("[ir]", "ir"),
    ("[ip]", "ip"),
    ("[vi]", "vi"),
    ("[pg]", "pg"),
    ("[pl]", "pl"),
    ("[pubn]", "pubn"),
    ("[rn]", "rn"),
    ("[pa]", "pa"),
    ("[ps]", "ps"),
    ("[si]", "si"),
    ("[tt]", "tt"),
    ("[jid]", "jid"),
    ("[cois]", "cois"),
    ("[edat]", "edat"),
    ("[crdt]", "crdt"),
    ("[mhda]", "mhda"),
    ("[lr]", "lr"),
    ("[dcom]", "dcom"),
    ("[sb]", "sb"),
    ("[filter]", "sb"),
    ("[Text Word]", "tw"),
    ("[Title/Abstract]", "tiabkw"),
    ("[Publication Type]", "pt"),
    ("[Supplementary Concept]", "nm"),
]


@pytest.mark.parametrize(("tag", "field"), PUBMED_FIELD_TAGS)
def test_every_documented_pubmed_tag_is_read(tag: str, field: str) -> None:
    assert parse_query(f"smith{tag}") == Term("smith", field)


def test_every_pubmed_tag_and_ovid_code_has_a_described_intent() -> None:
    for field in (*PUBMED_TAGS.values(), *OVID_CODES.values()):
        assert field in INTENTS, field


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Epilepsy[MeSH Terms:noexp]", Heading("Epilepsy", explode=False)),
        ("Epilepsy[mh:noexp]", Heading("Epilepsy", explode=False)),
        ("Epilepsy[majr:noexp]", Heading("Epilepsy", explode=False, major=True)),
        ("Epilepsy[MeSH Major Topic]", Heading("Epilepsy", major=True)),
        ('"Epilepsy/drug therapy"[mh]', Heading("Epilepsy", qualifiers=("drug therapy",))),
        ("Epilepsy/dt[mh]", Heading("Epilepsy", qualifiers=("drug therapy",))),
        ("therapy[MeSH Subheading]", Term("therapy", "sh")),
        ("dt[sh]", Term("drug therapy", "sh")),
        ("therapy[sh:noexp]", Term("therapy", "fs")),
    ],
)
def test_pubmed_heading_and_subheading_tags(query: str, expected: object) -> None:
    assert parse_query(query) == expected


@pytest.mark.parametrize(
    ("query", "field", "gap"),
    [('"hip pain"[tiab:~3]', "tiabkw", 3), ('"hip pain"[ti:~0]', "ti", 0)],
)
def test_pubmed_proximity_keeps_its_count(query: str, field: str, gap: int) -> None:
    """PubMed: N is the largest number of words that may appear between the terms."""
    assert parse_query(query) == Near(Term("hip", field), Term("pain", field), gap, ordered=False)


def test_pubmed_proximity_on_a_field_without_it_is_an_error() -> None:
    with pytest.raises(InputError, match=r"unknown field tag '\[au:~2\]'"):
        parse_query('"smith john"[au:~2]')


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("x.in.", Term("x", "ad")),  # institution
        ("x.ci.", Term("x", "cm")),  # comment in
        ("x.ui.", Term("x", "pmid")),
        ("x.kf.", Term("x", "kw")),
        ("x.tw,kw.", Term("x", "tiabkw")),
        ("x.ti,ab,kf.", Term("x", "tiabkw")),
        ("x.TI,AB.", Term("x", "tiab")),
        ("x.ti", Term("x", "ti")),  # without the final dot
        ("x.ti,ab", Term("x", "tiab")),
        ("epilepsy.sh.", Heading("epilepsy", explode=False)),
        ("epilepsy.xm.", Heading("epilepsy", explode=True)),
        ("dt.fs.", Term("drug therapy", "fs")),
        ("th.xs.", Term("therapy", "sh")),
        ("x.md.", Term("x", "md")),  # PsycInfo methodology
        ("x.ti,ab,hw.", Bool("OR", (Term("x", "tiab"), Term("x", "hw")))),
        ("(a or b).ti,ab", Bool("OR", (Term("a", "tiab"), Term("b", "tiab")))),
    ],
)
def test_ovid_field_codes(query: str, expected: object) -> None:
    assert parse_query(query, dialect="ovid") == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('exp "Diet, Ketogenic"/', Heading("Diet, Ketogenic")),
        ('"Spasms, Infantile"/', Heading("Spasms, Infantile", explode=False)),
        (
            '*"Spasms, Infantile"/dt',
            Heading("Spasms, Infantile", explode=False, major=True, qualifiers=("drug therapy",)),
        ),
        ("exp Head and Neck Neoplasms/", Heading("Head and Neck Neoplasms")),
        (
            "exp Neoplasms, Germ Cell and Embryonal/su",
            Heading("Neoplasms, Germ Cell and Embryonal", qualifiers=("surgery",)),
        ),
        (
            'exp "Head and Neck Neoplasms"/ or x.ti.',
            Bool("OR", (Heading("Head and Neck Neoplasms"), Term("x", "ti"))),
        ),
        (
            "exp *Epilepsy/dt,su",
            Heading("Epilepsy", major=True, qualifiers=("drug therapy", "surgery")),
        ),
        ("Epilepsy/pc", Heading("Epilepsy", explode=False, qualifiers=("prevention & control",))),
    ],
)
def test_ovid_subject_headings_in_every_written_form(query: str, expected: object) -> None:
    assert parse_query(query, dialect="ovid") == expected


def test_ovid_adj_counts_one_more_than_the_words_between() -> None:
    """Ovid: adjN finds terms with at most N-1 words between them; adj alone is in order."""
    assert parse_query("a adj3 b", dialect="ovid") == Near(Term("a"), Term("b"), 2, False)
    assert parse_query("a adj1 b", dialect="ovid") == Near(Term("a"), Term("b"), 0, False)
    assert parse_query("a adj b", dialect="ovid") == Near(Term("a"), Term("b"), 0, True)


@pytest.mark.parametrize(
    ("query", "dialect", "column", "what"),
    [
        ("heart.xx.", "ovid", 6, "unknown Ovid field code .xx."),
        ("heart.ti,zz.", "ovid", 6, "unknown Ovid field code .zz."),
        ("heart.qq", "ovid", 6, "unknown Ovid field code .qq."),
        ("exp Epilepsy/zz", "ovid", 1, "unknown subheading code /zz"),
        ("heart[zz]", "pubmed", 6, "unknown field tag '[zz]'"),
        ("heart[tiab:noexp]", "pubmed", 6, "unknown field tag"),
        ("heart[sh]", "pubmed", 1, "'heart' is not a MeSH qualifier"),
    ],
)
def test_unknown_tags_and_codes_are_errors_at_their_position(
    query: str, dialect: str, column: int, what: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_query(query, dialect=dialect)
    assert what in str(caught.value)
    assert f"column {column}" in str(caught.value)


def test_all_mesh_qualifiers_with_names_and_codes() -> None:
    table = all_qualifiers()
    assert len(table) >= 76
    assert table["dt"] == "drug therapy"
    assert table["dg"] == "diagnostic imaging"
    assert table["sn"] == "statistics & numerical data"
    for code, name in table.items():
        assert len(code) == 2
        assert normalise_qualifier(code.upper()) == name
        assert normalise_qualifier(name.replace("&", "and").title()) == name


STRATEGIES = [
    "1. exp Epilepsy/\n2. seizure*.ti,ab.\n3. 1 or 2",
    "1 exp Epilepsy/\n2 seizure*.ti,ab.\n3 1 OR 2",
    "#1 exp Epilepsy/\n#2 seizure*.ti,ab.\n#3 or/1-2",
    "1) exp Epilepsy/\n2) seizure*.ti,ab.\n3) 1 or 2",
]


@pytest.mark.parametrize("text", STRATEGIES)
def test_numbered_strategies_in_every_numbering_style(text: str) -> None:
    strategy = parse_strategy(text, dialect="ovid")
    assert [line.number for line in strategy.searches] == [1, 2, 3]
    assert strategy.final == Bool("OR", (LineRef(1), LineRef(2)))


def test_and_lines_between_numbered_blocks_combine_the_blocks() -> None:
    text = (
        "1. exp Epilepsy/\n2. seizure*.ti,ab.\n3. 1 or 2\nAND\n"
        "4. ketogenic diet.ti,ab.\n5. exp Diet, Ketogenic/\n6. 4 or 5"
    )
    strategy = parse_strategy(text, dialect="ovid")
    assert [line.number for line in strategy.searches] == [1, 2, 3, 4, 5, 6, 7]
    assert strategy.final == Bool("AND", (LineRef(3), LineRef(6)))


def test_a_block_whose_last_line_does_not_combine_it_is_refused() -> None:
    with pytest.raises(InputError, match="does not combine line"):
        parse_strategy("#1 a[ti]\n#2 b[ti]\nAND\n#3 c[ti]")


def test_a_line_referring_to_itself_is_refused() -> None:
    with pytest.raises(InputError, match="line 3 refers to line 3"):
        parse_strategy("1 a.ti.\n2 b.ti.\n3 1 or 2 or 3", dialect="ovid")


@pytest.mark.parametrize(
    ("tag", "field"),
    [
        ("[Author - First]", "au1"),
        ("[Author - Last]", "aulast"),
        ("[Author - Corporate]", "cn"),
        ("[Date - Create]", "crdt"),
        ("[lang]", "la"),
        ("[ptyp]", "pt"),
    ],
)
def test_advanced_search_builder_long_tags(tag: str, field: str) -> None:
    assert parse_query(f"smith{tag}") == Term("smith", field)


def test_pubmed_date_range_with_two_tagged_ends() -> None:
    tree = parse_query('x[ti] AND ("2010/01/01"[Date - Publication] : "3000"[Date - Publication])')
    assert tree == Bool("AND", (Term("x", "ti"), Term("2010/01/01:3000", "dp", quoted=True)))


def test_ovid_limits_with_alternatives_and_publication_types() -> None:
    text = (
        "1 exp Epilepsy/\n2 limit 1 to (english or spanish)\n"
        '3 limit 2 to (randomized controlled trial and humans and yr="2000 - current")'
    )
    strategy = parse_strategy(text, dialect="ovid")
    assert strategy.searches[1].node == Bool(
        "AND", (LineRef(1), Bool("OR", (Term("english", "la"), Term("spanish", "la"))))
    )
    assert strategy.final == Bool(
        "AND",
        (
            LineRef(2),
            Term("randomized controlled trial", "pt", quoted=True),
            Heading("Humans", explode=False),
            Term("2000:3000", "dp"),
        ),
    )


def test_slashes_inside_words_and_unquoted_pubmed_qualifiers() -> None:
    assert parse_query("HIV/AIDS[tiab]") == Term("HIV/AIDS", "tiabkw")
    assert parse_query("epilepsy/drug therapy[mh]") == Heading(
        "epilepsy", qualifiers=("drug therapy",)
    )


def test_pasted_ovid_history_with_qualifier_notes_and_duplicate_removal() -> None:
    text = (
        "1 exp Epilepsy/co, dt [Complications, Drug Therapy]\n"
        "2 remove duplicates from 1\n"
        "3 2 and seizure*.ti."
    )
    strategy = parse_strategy(text, dialect="ovid")
    assert strategy.searches[0].node == Heading(
        "Epilepsy", qualifiers=("complications", "drug therapy")
    )
    assert strategy.searches[1].node == LineRef(1)


def test_pubmed_proximity_tag_on_one_word_is_the_field() -> None:
    assert parse_query("cancer[tiab:~3]") == Term("cancer", "tiabkw")


def test_exp_heading_holding_and_inside_a_longer_line() -> None:
    tree = parse_query("exp Wounds and Injuries/su or trauma.ti.", dialect="ovid")
    assert tree == Bool(
        "OR", (Heading("Wounds and Injuries", qualifiers=("surgery",)), Term("trauma", "ti"))
    )


def test_exp_without_a_heading_is_refused_not_searched_as_words() -> None:
    with pytest.raises(InputError, match="exp must be followed by a subject heading"):
        parse_query("exp epilepsy or seizure*.ti.", dialect="ovid")
