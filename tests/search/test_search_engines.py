"""Per-engine rules, each from the vendor's own search help: proximity counting, publication
types and study designs, qualifiers and floating subheadings, heading maps, filters, registers,
and the sources added for issue 19. Every approximation must come with a warning."""

from __future__ import annotations

import json

import pytest

from evidens.errors import InputError
from evidens.search import translate, translate_all
from evidens.search.vocabulary import read_heading_map

# Ovid adj3 = at most two words between, and so is Embase.com NEAR/3 (its help: NEAR/5 allows at
# most four words between). PubMed [tiab:~N], Cochrane/WoS NEAR/N, Scopus W/N, EBSCO NN and
# ProQuest NEAR/N count N words between (see test_search_vendor_rules.py for the sources).
PROXIMITY = [
    ("ovid", "(pain adj3 hip).ti.", "(pain adj3 hip).ti."),
    ("embase-ovid", "(pain adj3 hip).ti.", "(pain adj3 hip).ti."),
    ("psycinfo-ovid", "(pain adj3 hip).ti.", "(pain adj3 hip).ti."),
    ("pubmed", "(pain adj3 hip).ti.", '"pain hip"[ti:~2]'),
    ("embase", "(pain adj3 hip).ti.", "(pain NEAR/3 hip):ti"),
    ("cochrane", "(pain adj3 hip).ti.", "(pain NEAR/2 hip):ti"),
    ("scopus", "(pain adj3 hip).ti.", "TITLE(pain W/2 hip)"),
    ("wos", "(pain adj3 hip).ti.", "TI=(pain NEAR/2 hip)"),
    ("cinahl", "(pain adj3 hip).ti.", "(TI (pain N2 hip))"),
    ("psycinfo-ebsco", "(pain adj3 hip).ti.", "(TI (pain N2 hip))"),
    ("proquest", "(pain adj3 hip).ti.", "ti(pain NEAR/2 hip)"),
    ("europepmc", "(pain adj3 hip).ti.", 'TITLE:"pain hip"~2'),
    ("ovid", "pain adj1 hip", "pain adj1 hip"),
    ("pubmed", "(pain adj1 hip).ti,ab.", '"pain hip"[tiab:~0]'),
]


@pytest.mark.parametrize(("target", "query", "expected"), PROXIMITY)
def test_proximity_counts_as_each_engine_documents(target: str, query: str, expected: str) -> None:
    assert translate(query, source="ovid", target=target).text == expected


def test_pubmed_proximity_read_back_from_pubmed_keeps_n() -> None:
    assert translate('"hip pain"[tiab:~3]', target="ovid").text == "(hip adj4 pain).ti,ab,kf."
    assert translate('"hip pain"[tiab:~3]', target="pubmed").text == '"hip pain"[tiab:~3]'


@pytest.mark.parametrize(
    ("target", "expected", "warning"),
    [
        ("pubmed", '"randomized controlled trial"[pt]', None),
        ("ovid", "randomized controlled trial.pt.", None),
        ("cochrane", '"randomized controlled trial":pt', None),
        ("cinahl", '(PT "randomized controlled trial")', None),
        ("embase", "'randomized controlled trial'/de", "no 'randomized controlled trial' publica"),
        ("embase-ovid", "randomized controlled trial/", "Emtree study-type heading"),
        ("scopus", "TITLE-ABS-KEY(", "DOCTYPE has no trial type"),
        ("wos", "TS=(", "DT has no trial type"),
        ("psycinfo-ovid", "clinical trial.md.", "'clinical trial' methodology"),
    ],
)
def test_rct_publication_type_uses_each_engines_valid_values(
    target: str, expected: str, warning: str | None
) -> None:
    result = translate('"randomized controlled trial"[pt]', target=target)
    assert result.text.startswith(expected)
    assert "DOCTYPE(" not in result.text
    assert "DT=(" not in result.text
    assert ":it" not in result.text
    if warning is None:
        assert result.warnings == ()
    else:
        assert any(warning in w for w in result.warnings), result.warnings


def test_a_publication_type_an_engine_lacks_is_searched_as_words_with_a_warning() -> None:
    result = translate('"twin study"[pt]', target="scopus")
    assert result.text == 'TITLE-ABS-KEY("twin study")'
    assert any("not a publication type" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("pubmed", '"Epilepsy/drug therapy"[Mesh]'),
        ("ovid", "exp Epilepsy/dt"),
        ("cochrane", '[mh "Epilepsy"/DT]'),
        ("embase", "'epilepsy'/exp/dm_dt"),
        ("embase-ovid", "exp epilepsy/dt"),
        ("cinahl", '(MH "Epilepsy+/DT")'),
    ],
)
def test_heading_qualifier_in_each_engines_spelling(target: str, expected: str) -> None:
    result = translate("exp Epilepsy/dt", source="ovid", target=target)
    assert result.text == expected
    assert result.warnings == ()


def test_drug_qualifier_maps_to_emtree_drug_subheading() -> None:
    result = translate('"Anticonvulsants/therapeutic use"[Mesh]', target="embase")
    assert result.text == "'anticonvulsive agent'/exp/dd_dt"
    several = translate("exp *Epilepsy/dt,rt", source="ovid", target="embase")
    assert several.text == "'epilepsy'/exp/dm_dt,dm_rt/mj"
    plain = translate("Epilepsy/su", source="ovid", target="embase")
    assert plain.text == "'epilepsy'/dm_su"


@pytest.mark.parametrize(
    ("target", "expected", "warning"),
    [
        ("pubmed", '"drug therapy"[sh]', None),
        ("ovid", "dt.fs.", None),
        ("cochrane", "[mh /DT]", None),
        ("embase", "'drug therapy'/lnk", None),
        ("embase-ovid", "dt.fs.", None),
        ("cinahl", '(MW "drug therapy")', "no floating-subheading field"),
        ("scopus", 'TITLE-ABS-KEY("drug therapy")', "no floating subheadings"),
        ("wos", 'TS=("drug therapy")', "no floating subheadings"),
    ],
)
def test_floating_subheading_per_engine(target: str, expected: str, warning: str | None) -> None:
    result = translate('"drug therapy"[sh]', target=target)
    assert result.text == expected
    if warning:
        assert any(warning in w for w in result.warnings)


def test_floating_subheading_emtree_lacks_is_warned_by_name() -> None:
    result = translate("ec.fs.", source="ovid", target="embase")
    assert result.text == "'economics':ti,ab,kw"
    assert any("no subheading for the MeSH qualifier 'economics'" in w for w in result.warnings)


def test_unmapped_headings_are_warned_by_name_and_a_csv_map_fills_them() -> None:
    query = '"Spasms, Infantile"[Mesh] OR "Rare Syndrome"[Mesh]'
    plain = translate(query, target="cinahl")
    assert any("'Spasms, Infantile' has no CINAHL" in w for w in plain.warnings)
    assert any("'Rare Syndrome' has no CINAHL" in w for w in plain.warnings)
    table = read_heading_map(
        'mesh,emtree,cinahl\n"Spasms, Infantile",infantile spasm,"Spasms, Infantile"\n'
        "Rare Syndrome,rare syndrome,\n"
    )
    mapped = translate(query, target="cinahl", headings=table)
    assert not any("Spasms, Infantile" in w for w in mapped.warnings)
    assert any("'Rare Syndrome' has no CINAHL" in w for w in mapped.warnings)
    embase = translate(query, target="embase", headings=table)
    assert embase.text == "'infantile spasm'/exp OR 'rare syndrome'/exp"
    assert embase.warnings == ()


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("mesh,klingon\nA,B\n", "the header names klingon"),
        ("mesh\nA\n", "fewer than two vocabularies"),
        ("mesh,emtree\nA,B,C\n", "3 cells where the header has 2"),
    ],
)
def test_bad_heading_map_names_the_line(text: str, what: str) -> None:
    with pytest.raises(InputError, match=what):
        read_heading_map(text, "map.csv")


def test_rct_filter_is_native_per_engine_and_absent_from_central() -> None:
    query = "epilep*[tiab] AND <RCT filter>"
    embase = translate(query, target="embase")
    assert "'randomized controlled trial'/exp" in embase.text
    assert ":it" not in embase.text
    assert any("not the validated filter" in w for w in embase.warnings)
    central = translate(query, target="cochrane")
    assert central.text == "epilep*:ti,ab,kw"
    assert any("CENTRAL holds reports of trials" in w for w in central.warnings)
    scopus = translate(query, target="scopus")
    assert any("no validated RCT filter" in w for w in scopus.warnings)
    ovid = translate(query, target="ovid")
    assert "dt.fs." in ovid.text
    assert ovid.warnings == ()


def test_registers_get_a_simplified_strategy_with_warnings() -> None:
    query = (
        '("Spasms, Infantile"[Mesh] OR infan* spasm*[tiab] OR "west syndrome"[tiab]) AND '
        '(anticonvuls*[tiab] OR "ketogenic diet"[tiab]) AND <RCT filter>'
    )
    ctgov = translate(query, target="ctgov")
    assert ctgov.text == (
        'Condition/disease: "Infantile Spasms" OR "west syndrome"\n'
        'Intervention/treatment: "ketogenic diet"'
    )
    assert "*" not in ctgov.text
    assert any("left out" in w and "anticonvuls*" in w for w in ctgov.warnings)
    assert any("<RCT filter> left out" in w for w in ctgov.warnings)
    assert not any("Automatic Term Mapping" in w for w in ctgov.warnings)
    ictrp = translate(query, target="ictrp")
    assert ictrp.text == (
        '("Infantile Spasms" OR "infan* spasm*" OR "west syndrome") AND '
        '(anticonvuls* OR "ketogenic diet")'
    )
    assert "Animals" not in ictrp.text
    assert "randomized" not in ictrp.text


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("psycinfo-ovid", "(pain or ache).ti,ab,id. and exp Epilepsy/"),
        (
            "psycinfo-ebsco",
            '(TI (pain OR ache) OR AB (pain OR ache) OR KW (pain OR ache)) AND (DE "Epilepsy")',
        ),
        (
            "ebsco",
            (
                "(TI (pain OR ache) OR AB (pain OR ache) OR KW (pain OR ache))"
                ' AND (TI "Epilepsy" OR AB "Epilepsy" OR KW "Epilepsy")'
            ),
        ),
        (
            "proquest",
            (
                "(ti(pain OR ache) OR ab(pain OR ache) OR if(pain OR ache))"
                ' AND MESH.EXACT.EXPLODE("Epilepsy")'
            ),
        ),
        ("lilacs", 'tw:(pain OR ache) AND mh:"Epilepsy"'),
        (
            "europepmc",
            (
                "(TITLE:(pain OR ache) OR ABSTRACT:(pain OR ache) OR KW:(pain OR ache))"
                ' AND MESH_HEADING:"Epilepsy"'
            ),
        ),
        ("epistemonikos", '(title:(pain OR ache) OR abstract:(pain OR ache)) AND "Epilepsy"'),
        ("wos-basic", '(pain OR ache) AND "Epilepsy"'),
        ("scopus-basic", '(pain OR ache) AND "Epilepsy"'),
    ],
)
def test_added_sources(target: str, expected: str) -> None:
    result = translate('(pain[tiab] OR ache[tiab]) AND "Epilepsy"[Mesh]', target=target)
    assert result.text == expected


@pytest.mark.parametrize(
    ("target", "warning"),
    [
        ("psycinfo-ebsco", "add the narrower APA Thesaurus terms"),
        ("ebsco", "has no subject headings"),
        ("lilacs", "no title+abstract+keywords field"),
        ("europepmc", "without its narrower terms"),
        ("epistemonikos", "no keyword field"),
        ("wos-basic", "has no subject headings"),
        ("scopus-basic", "has no subject headings"),
    ],
)
def test_added_sources_warn_what_they_approximate(target: str, warning: str) -> None:
    result = translate('(pain[tiab] OR ache[tiab]) AND "Epilepsy"[Mesh]', target=target)
    assert any(warning in w for w in result.warnings), result.warnings


@pytest.mark.parametrize("target", ["wos-basic", "scopus-basic"])
def test_basic_search_boxes_warn_about_fields(target: str) -> None:
    result = translate("pain[ti] AND ache[au]", target=target)
    assert result.text == "pain AND ache"
    assert any("title, abstract and keywords only" in w for w in result.warnings)
    assert any("has no author field" in w for w in result.warnings)


def test_lilacs_truncation_is_dollar() -> None:
    assert translate("epilep*[tw]", target="lilacs").text == "tw:(epilep$)"


def test_translation_serialises_with_warnings_tied_to_parts() -> None:
    result = translate("1 a.ti.\n2 exp Epilepsy/dt\n3 1 or 2", source="ovid", target="scopus")
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["target"] == "scopus"
    assert data["database"] == "Scopus (advanced search)"
    warnings = data["warnings"]
    assert isinstance(warnings, list)
    qualifier = next(w for w in warnings if "not only drug therapy" in w["message"])
    assert qualifier["line"] == 2
    assert "MeSH heading 'Epilepsy'" in qualifier["part"]


def test_every_target_translates_the_seed_like_query() -> None:
    query = (
        '("west syndrome"[tiab] OR "Spasms, Infantile"[mesh]) AND (anticonvuls*[tiab] OR '
        '"Diet, Ketogenic"[mesh]) AND "randomized controlled trial"[pt] AND "hip pain"[tiab:~2]'
    )
    for name, result in translate_all(query).items():
        assert result.text, name
        assert result.target == name


def test_untagged_pubmed_words_warn_that_automatic_term_mapping_is_lost() -> None:
    result = translate("seizure AND ketogenic[tiab]", target="embase")
    assert result.text == "seizure AND ketogenic:ti,ab,kw"
    (note,) = result.notes
    assert "Automatic Term Mapping" in note.message
    assert note.part == "seizure"


def test_untagged_ovid_words_are_text_words_elsewhere() -> None:
    """Ovid searches a word without a field code in .mp.; PubMed would apply ATM instead."""
    assert translate("seizure", source="ovid", target="pubmed").text == "seizure[tw]"
    assert translate("seizure", source="ovid", target="ovid").text == "seizure"


def test_major_topic_lost_in_web_of_science_is_said() -> None:
    result = translate('"Epilepsy"[majr]', target="wos")
    assert result.text == 'TS=("Epilepsy")'
    assert any("major topic in the source: lost" in w for w in result.warnings)


def test_pubmed_has_no_abstract_only_tag() -> None:
    result = translate("pain.ab.", source="ovid", target="pubmed")
    assert result.text == "pain[tiab]"
    assert any("no abstract-only field" in w for w in result.warnings)


GROUPED = "((heart or cardiac) adj3 (attack or failure)).ti,ab."


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("ovid", GROUPED),
        ("cochrane", "((heart OR cardiac) NEAR/2 (attack OR failure)):ti,ab"),
        ("embase", "((heart OR cardiac) NEAR/3 (attack OR failure)):ti,ab"),
        ("scopus", "TITLE-ABS((heart OR cardiac) W/2 (attack OR failure))"),
        ("wos", "TS=((heart OR cardiac) NEAR/2 (attack OR failure))"),
        (
            "cinahl",
            (
                "(TI ((heart OR cardiac) N2 (attack OR failure))"
                " OR AB ((heart OR cardiac) N2 (attack OR failure)))"
            ),
        ),
        (
            "pubmed",
            (
                '"heart attack"[tiab:~2] OR "heart failure"[tiab:~2] OR "cardiac attack"[tiab:~2]'
                ' OR "cardiac failure"[tiab:~2]'
            ),
        ),
    ],
)
def test_proximity_on_a_field_tagged_group(target: str, expected: str) -> None:
    """The field applies to the whole proximity group, never to each side of it."""
    assert translate(GROUPED, source="ovid", target=target).text == expected


def test_pubmed_proximity_with_truncation_falls_back_to_and_with_a_warning() -> None:
    result = translate("(heart* adj3 attack).ti.", source="ovid", target="pubmed")
    assert result.text == "heart*[ti] AND attack[ti]"
    assert any("searched as AND" in w for w in result.warnings)


def test_exploded_subheading_with_narrower_qualifiers_is_warned_in_ovid() -> None:
    result = translate("therapy[sh]", target="ovid")
    assert result.text == "th.fs."
    assert any("narrower qualifiers" in w for w in result.warnings)
    assert translate("drug therapy[sh]", target="ovid").warnings == ()


def test_pubmed_has_no_wildcard_inside_a_word() -> None:
    result = translate("randomi?ed.ab.", source="ovid", target="pubmed")
    assert result.text == "randomi*[tiab]"
    assert any("truncates only at the end of a word" in w for w in result.warnings)


def test_language_an_engine_cannot_search_is_a_limit_not_a_word() -> None:
    result = translate("x[ti] AND (english[la] OR spanish[la])", target="cochrane")
    assert result.text == "x:ti"
    assert any("apply the language 'english' as a limit" in w for w in result.warnings)


def test_pubmed_day_precise_dates_are_kept_in_pubmed_and_widened_to_years_elsewhere() -> None:
    query = 'x[ti] AND ("2010/06/01"[dp] : "2020/05/31"[dp])'
    assert (
        translate(query, target="pubmed").text == 'x[ti] AND ("2010/06/01"[dp] : "2020/05/31"[dp])'
    )
    wos = translate(query, target="wos")
    assert wos.text == "TI=(x) AND PY=(2010-2020)"
    assert any("searched by year" in w for w in wos.warnings)


def test_a_field_the_target_lacks_falls_back_to_the_nearest_wider_field() -> None:
    result = translate("smith j[1au]", target="wos")
    assert result.text == 'AU=("smith j")'
    assert any("no first author field: searched in author (wider)" in w for w in result.warnings)


def test_cochrane_phrases_with_truncation_use_next() -> None:
    """The Cochrane Library ignores wildcards inside quotes; its help advises NEXT instead."""
    result = translate('"infantile spasm*"[tiab] OR "west syndrome"[tiab]', target="cochrane")
    assert result.text == '((infantile NEXT spasm*) OR "west syndrome"):ti,ab,kw'


def test_relative_pubmed_dates_stay_in_pubmed_and_become_limits_elsewhere() -> None:
    query = 'x[ti] AND "last 5 years"[dp]'
    assert translate(query, target="pubmed").text == 'x[ti] AND "last 5 years"[dp]'
    scopus = translate(query, target="scopus")
    assert scopus.text == "TITLE(x)"
    assert any("apply it as a limit" in w for w in scopus.warnings)


def test_registers_drop_a_written_out_design_filter_and_nested_stems() -> None:
    strategy = (
        "1 exp Spasms, Infantile/\n2 (infant* adj2 spasm*).ti,ab.\n3 1 or 2\n"
        "4 randomized controlled trial.pt.\n5 placebo.ab.\n6 4 or 5\n7 3 and 6"
    )
    ctgov = translate(strategy, source="ovid", target="ctgov")
    assert ctgov.text == 'Other terms: "Infantile Spasms"'
    assert any("study-design concept" in w for w in ctgov.warnings)
    assert any("infant*, spasm*" in w for w in ctgov.warnings)
    ictrp = translate(strategy, source="ovid", target="ictrp")
    assert ictrp.text == '"Infantile Spasms" OR (infant* AND spasm*)'
    assert "placebo" not in ictrp.text


def test_untagged_quoted_pubmed_phrases_bypass_automatic_term_mapping() -> None:
    assert translate('"heart attack"', target="embase").warnings == ()
