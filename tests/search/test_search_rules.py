"""One translation test per rule of ../shared/specs/search.md ("Translation rules").

Expected strings are the spec's own table cells (field tags, headings, wildcards, proximity,
Boolean and line logic) with ``x`` replaced by a term; where the spec says a target cannot
express a construct, the test checks the warning as well as the fallback.
"""

from __future__ import annotations

import pytest

from evidens.errors import InputError
from evidens.search import translate

FIELD_RULES = [
    # Each row: source syntax, query, target database, expected translation.
    ("pubmed", "x[ti]", "pubmed", "x[ti]"),
    ("pubmed", "x[ti]", "ovid", "x.ti."),
    ("pubmed", "x[ti]", "embase", "x:ti"),
    ("pubmed", "x[ti]", "cochrane", "x:ti"),
    ("pubmed", "x[ti]", "scopus", "TITLE(x)"),
    ("pubmed", "x[ti]", "wos", "TI=(x)"),
    ("pubmed", "x[ti]", "cinahl", "(TI x)"),
    ("pubmed", "x[ab]", "ovid", "x.ab."),
    ("pubmed", "x[ab]", "embase", "x:ab"),
    ("pubmed", "x[ab]", "cochrane", "x:ab"),
    ("pubmed", "x[ab]", "scopus", "ABS(x)"),
    ("pubmed", "x[ab]", "wos", "AB=(x)"),
    ("pubmed", "x[ab]", "cinahl", "(AB x)"),
    # title + abstract (Ovid .ti,ab. and .tw. in MEDLINE)
    ("ovid", "x.ti,ab.", "ovid", "x.ti,ab."),
    ("ovid", "x.tw.", "ovid", "x.ti,ab."),
    ("ovid", "x.ab,ti.", "embase", "x:ti,ab"),
    ("ovid", "x.ti,ab.", "cochrane", "x:ti,ab"),
    ("ovid", "x.ti,ab.", "scopus", "TITLE-ABS(x)"),
    ("ovid", "x.ti,ab.", "cinahl", "(TI x OR AB x)"),
    # PubMed [tiab] searches author keywords too since 2022: title+abstract+keywords
    ("pubmed", "x[tiab]", "ovid", "x.ti,ab,kf."),
    ("pubmed", "x[tiab]", "embase", "x:ti,ab,kw"),
    ("pubmed", "x[tiab]", "cochrane", "x:ti,ab,kw"),
    ("pubmed", "x[tiab]", "scopus", "TITLE-ABS-KEY(x)"),
    ("pubmed", "x[tiab]", "wos", "TS=(x)"),
    ("pubmed", "x[tiab]", "cinahl", "(TI x OR AB x OR SU x)"),
    ("pubmed", "x[Title/Abstract]", "embase-ovid", "x.ti,ab,kw."),
    ("ovid", "x.ti,ab,kf.", "pubmed", "x[tiab]"),
    ("ovid", "x.tw,kf.", "scopus", "TITLE-ABS-KEY(x)"),
    # text word / all fields
    ("pubmed", "x[tw]", "ovid", "x.mp."),
    ("pubmed", "x[tw]", "embase", "x"),
    ("pubmed", "x[tw]", "cochrane", "x"),
    ("pubmed", "x[tw]", "wos", "ALL=(x)"),
    ("pubmed", "x[tw]", "cinahl", "(TX x)"),
    ("pubmed", "x[all]", "ovid", "x.af."),
    ("pubmed", "x[all]", "scopus", "ALL(x)"),
    ("pubmed", "x[all]", "wos", "ALL=(x)"),
    ("ovid", "x.mp.", "pubmed", "x[tw]"),
    # author, journal, language, publication type, substance
    ("pubmed", "x[au]", "ovid", "x.au."),
    ("pubmed", "x[au]", "embase", "x:au"),
    ("pubmed", "x[au]", "cochrane", "x:au"),
    ("pubmed", "x[au]", "scopus", "AUTH(x)"),
    ("pubmed", "x[au]", "wos", "AU=(x)"),
    ("pubmed", "x[au]", "cinahl", "(AU x)"),
    ("pubmed", "x[ta]", "ovid", "x.jn."),
    ("pubmed", "x[ta]", "embase", "x:jt"),
    ("pubmed", "x[ta]", "cochrane", "x:so"),
    ("pubmed", "x[ta]", "scopus", "SRCTITLE(x)"),
    ("pubmed", "x[ta]", "wos", "SO=(x)"),
    ("pubmed", "x[ta]", "cinahl", "(SO x)"),
    ("pubmed", "x[la]", "ovid", "x.lg."),
    ("pubmed", "x[la]", "embase", "x:la"),
    ("pubmed", "x[la]", "scopus", "LANGUAGE(x)"),
    ("pubmed", "x[la]", "wos", "LA=(x)"),
    ("pubmed", "x[la]", "cinahl", "(LA x)"),
    ("pubmed", "x[pt]", "ovid", "x.pt."),
    ("pubmed", "review[pt]", "embase", "review:it"),
    ("pubmed", "x[pt]", "cochrane", "x:pt"),
    ("pubmed", "review[pt]", "scopus", "DOCTYPE(re)"),
    ("pubmed", "review[pt]", "wos", "DT=(Review)"),
    ("pubmed", "x[pt]", "cinahl", "(PT x)"),
    ("pubmed", "x[nm]", "ovid", "x.nm."),
    ("pubmed", "x[nm]", "embase", "x:tn"),
    ("pubmed", "x[nm]", "cochrane", "x:kw"),
    ("pubmed", "x[nm]", "scopus", "CHEM(x)"),
    ("pubmed", "x[nm]", "cinahl", "(MW x)"),
    # dates
    ("pubmed", "2020:2024[dp]", "pubmed", "2020:2024[dp]"),
    ("pubmed", "2020:2024[dp]", "embase", "[2020-2024]/py"),
    ("pubmed", "2020:2024[dp]", "scopus", "(PUBYEAR > 2019 AND PUBYEAR < 2025)"),
    ("pubmed", "2020:2024[dp]", "wos", "PY=(2020-2024)"),
]


@pytest.mark.parametrize(("source", "query", "target", "expected"), FIELD_RULES)
def test_field_tag_rules(source: str, query: str, target: str, expected: str) -> None:
    assert translate(query, source=source, target=target).text == expected


@pytest.mark.parametrize(
    ("source", "query", "target", "expected", "warning"),
    [
        ("ovid", "x.ti,ab.", "pubmed", "x[tiab]", "author keywords"),
        ("ovid", "x.ti,ab.", "wos", "TS=(x)", "no title+abstract field"),
        ("pubmed", "x[tw]", "scopus", "TITLE-ABS-KEY(x)", "no text-word field"),
        ("pubmed", "x[la]", "cochrane", "", "apply the language 'x' as a limit"),
        ("pubmed", "x[nm]", "wos", "TS=(x)", "has no substance name field"),
        ("pubmed", "2020:2024[dp]", "cochrane", "", "apply 2020-2024 as a limit"),
        ("pubmed", "2020:2024[dp]", "cinahl", "", "apply 2020-2024 as a limit"),
        ("pubmed", "x[ti]", "ictrp", "x", "field tags removed"),
    ],
)
def test_fields_a_target_lacks_are_warned_not_dropped(
    source: str, query: str, target: str, expected: str, warning: str
) -> None:
    result = translate(query, source=source, target=target)
    assert result.text == expected
    assert any(warning in text for text in result.warnings), result.warnings


HEADING_RULES = [
    ('"Neoplasms"[Mesh]', "pubmed", '"Neoplasms"[Mesh]'),
    ('"Neoplasms"[Mesh]', "ovid", "exp Neoplasms/"),
    ('"Neoplasms"[Mesh]', "embase", "'neoplasm'/exp"),
    ('"Neoplasms"[Mesh]', "embase-ovid", "exp neoplasm/"),
    ('"Neoplasms"[Mesh]', "cochrane", '[mh "Neoplasms"]'),
    ('"Neoplasms"[Mesh]', "cinahl", '(MH "Neoplasms+")'),
    ('"Neoplasms"[Mesh:NoExp]', "pubmed", '"Neoplasms"[Mesh:NoExp]'),
    ('"Neoplasms"[Mesh:NoExp]', "ovid", "Neoplasms/"),
    ('"Neoplasms"[Mesh:NoExp]', "embase", "'neoplasm'/de"),
    ('"Neoplasms"[Mesh:NoExp]', "cochrane", '[mh ^"Neoplasms"]'),
    ('"Neoplasms"[Mesh:NoExp]', "cinahl", '(MH "Neoplasms")'),
    ('"Neoplasms"[Majr]', "pubmed", '"Neoplasms"[Majr]'),
    ('"Neoplasms"[Majr]', "ovid", "exp *Neoplasms/"),
    ('"Neoplasms"[Majr]', "embase", "'neoplasm'/exp/mj"),
    ('"Neoplasms"[Majr]', "cinahl", '(MM "Neoplasms+")'),
    ('"Neoplasms"[Majr:NoExp]', "ovid", "*Neoplasms/"),
    ("therapy[sh]", "pubmed", "therapy[sh]"),
    ("therapy[sh]", "ovid", "th.fs."),  # with a warning: [sh] includes narrower ones
    ("therapy[sh:noexp]", "ovid", "th.fs."),
    ("therapy[sh]", "embase", "'therapy'/lnk"),
    ("therapy[sh]", "cochrane", "[mh /TH]"),
    ("therapy[sh]", "cinahl", "(MW therapy)"),
]


@pytest.mark.parametrize(("query", "target", "expected"), HEADING_RULES)
def test_subject_heading_rules(query: str, target: str, expected: str) -> None:
    assert translate(query, target=target).text == expected


def test_ovid_headings_read_as_mesh() -> None:
    assert translate("exp Neoplasms/", source="ovid", target="pubmed").text == ('"Neoplasms"[Mesh]')
    assert translate("*Neoplasms/", source="ovid", target="embase").text == "'neoplasm'/mj"
    assert translate("Neoplasms/", source="ovid", target="cochrane").text == '[mh ^"Neoplasms"]'


def test_emtree_heading_maps_back_to_mesh() -> None:
    assert translate("'neoplasm'/exp", source="embase", target="pubmed").text == (
        '"Neoplasms"[Mesh]'
    )


def test_unmapped_mesh_heading_is_flagged_for_emtree_and_cinahl() -> None:
    for target, text in (("embase", "'Rare Thing'/exp"), ("cinahl", '(MH "Rare Thing+")')):
        result = translate('"Rare Thing"[Mesh]', target=target)
        assert result.text == text
        assert any("'Rare Thing' has no" in w and "copied unchanged" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("target", "expected", "warning"),
    [
        ("scopus", 'INDEXTERMS("Neoplasms")', "does not explode"),
        ("wos", 'TS=("Neoplasms")', "has no subject headings"),
        ("ictrp", "Neoplasms", "searched as the words 'Neoplasms'"),
    ],
)
def test_heading_losses_are_warned(target: str, expected: str, warning: str) -> None:
    result = translate('"Neoplasms"[Mesh]', target=target)
    assert result.text == expected
    assert any(warning in w for w in result.warnings)


def test_major_topic_the_target_cannot_restrict_is_warned() -> None:
    result = translate('"Neoplasms"[Majr]', target="cochrane")
    assert result.text == '[mh "Neoplasms"]'
    assert any("major topic" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("source", "query", "target", "expected"),
    [
        ("pubmed", '"heart attack"[tiab]', "embase", "'heart attack':ti,ab,kw"),
        ("pubmed", '"heart attack"[tiab]', "scopus", 'TITLE-ABS-KEY("heart attack")'),
        ("pubmed", '"heart attack"[ti]', "ovid", "heart attack.ti."),
        ("ovid", "heart attack.ti.", "pubmed", '"heart attack"[ti]'),
        ("ovid", "heart attack.ti.", "wos", 'TI=("heart attack")'),
        ("embase", "'heart attack':ti", "cochrane", '"heart attack":ti'),
        ("scopus", "TITLE({heart attack})", "pubmed", '"heart attack"[ti]'),
    ],
)
def test_phrase_rules(source: str, query: str, target: str, expected: str) -> None:
    assert translate(query, source=source, target=target).text == expected


@pytest.mark.parametrize(
    ("query", "target", "expected", "warning"),
    [
        ("surg$.ti.", "pubmed", "surg*[ti]", None),
        ("surg*.ti.", "scopus", "TITLE(surg*)", None),
        ("colo#r.ti.", "ovid", "colo#r.ti.", None),
        ("colo#r.ti.", "embase", "colo?r:ti", None),
        ("colo#r.ti.", "cochrane", "colo?r:ti", None),
        ("colo#r.ti.", "scopus", "TITLE(colo?r)", None),
        ("colo#r.ti.", "wos", "TI=(colo?r)", None),
        ("colo#r.ti.", "cinahl", "(TI colo?r)", None),
        ("colo#r.ti.", "pubmed", "colo*[ti]", "truncates only at the end of a word"),
        ("colo?r.ti.", "ovid", "colo?r.ti.", None),
        ("colo?r.ti.", "embase", "colo$r:ti", None),
        ("colo?r.ti.", "wos", "TI=(colo$r)", None),
        ("colo?r.ti.", "cinahl", "(TI colo#r)", None),
        ("colo?r.ti.", "scopus", "TITLE(colo*r)", "optional-character wildcard"),
        ("randomi$2.ti.", "ovid", "randomi$2.ti.", None),
        ("randomi$2.ti.", "embase", "randomi*:ti", "limited truncation"),
        ("randomi$2.ti.", "scopus", "TITLE(randomi*)", "limited truncation"),
        ("surg*.ti.", "ctgov", "Other terms: surg", "has no truncation"),
    ],
)
def test_truncation_and_wildcard_rules(
    query: str, target: str, expected: str, warning: str | None
) -> None:
    result = translate(query, source="ovid", target=target)
    assert result.text == expected
    if warning is None:
        assert not any("wildcard" in w or "truncation" in w for w in result.warnings)
    else:
        assert any(warning in w for w in result.warnings), result.warnings


def test_pubmed_truncation_limits_are_warned() -> None:
    short = translate("ca*[ti]", target="pubmed")
    assert any("at least 4 characters" in w for w in short.warnings)
    untagged = translate('"heart attack*"', target="pubmed")
    assert any("untagged quoted phrase" in w for w in untagged.warnings)
    assert translate("canc*[ti]", target="pubmed").warnings == ()


@pytest.mark.parametrize(
    ("query", "target", "expected"),
    [
        ("(heart adj3 attack).ti,ab.", "ovid", "(heart adj3 attack).ti,ab."),
        ("(heart adj3 attack).ti,ab.", "cochrane", "(heart NEAR/2 attack):ti,ab"),
        ("(heart adj3 attack).ti,ab.", "embase", "(heart NEAR/3 attack):ti,ab"),
        ("(heart adj3 attack).ti,ab.", "scopus", "TITLE-ABS(heart W/2 attack)"),
        ("(heart adj3 attack).ti,ab.", "cinahl", "(TI (heart N2 attack) OR AB (heart N2 attack))"),
        ("(heart adj3 attack).ti,ab.", "pubmed", '"heart attack"[tiab:~2]'),
        ("heart adj attack", "ovid", "heart adj attack"),
        ("heart adj attack", "cochrane", "heart NEXT attack"),
        ("heart adj attack", "embase", "'heart attack'"),
        ("heart adj attack", "scopus", "TITLE-ABS-KEY(heart PRE/0 attack)"),
        ("heart adj attack", "cinahl", '(TX "heart attack")'),
    ],
)
def test_proximity_rules(query: str, target: str, expected: str) -> None:
    assert translate(query, source="ovid", target=target).text == expected


def test_proximity_a_target_lacks_is_warned() -> None:
    wos = translate("(heart adj3 attack).ti.", source="ovid", target="wos")
    assert wos.text == "TI=(heart NEAR/2 attack)"
    ordered = translate("heart adj2 attack", source="ovid", target="pubmed")
    # untagged Ovid words are .mp. (text words); PubMed proximity needs [ti]/[tiab]/[ad]
    assert ordered.text == "heart[tw] AND attack[tw]"
    assert any("searched as AND" in w for w in ordered.warnings)
    in_order = translate("(heart next/2 attack):ti", source="ovid", target="wos")
    assert in_order.text == "TI=(heart NEAR/2 attack)"
    assert any("either order" in w for w in in_order.warnings)
    pubmed = translate("heart adj3 attack*", source="ovid", target="pubmed")
    assert pubmed.text == "heart[tw] AND attack*[tw]"
    assert any("searched as AND" in w for w in pubmed.warnings)
    pubmed_tagged = translate('"heart attack"[tiab:~2]', target="embase")
    assert pubmed_tagged.text == "(heart NEAR/3 attack):ti,ab,kw"


@pytest.mark.parametrize(
    ("query", "target", "expected"),
    [
        ("a[ti] NOT b[ti]", "scopus", "TITLE(a) AND NOT TITLE(b)"),
        ("a[ti] NOT b[ti]", "pubmed", "a[ti] NOT b[ti]"),
        # PubMed reads left to right: (a OR b) AND c; Scopus would do OR first, so bracket.
        ("a[ti] OR b[ab] AND c[ti]", "scopus", "(TITLE(a) OR ABS(b)) AND TITLE(c)"),
        ("a[ti] OR b[ab] AND c[ti]", "wos", "(TI=(a) OR AB=(b)) AND TI=(c)"),
        ("(a[ti] OR b[ti]) AND c[ti]", "scopus", "TITLE(a OR b) AND TITLE(c)"),
        ("a[ti] AND (b[ti] OR c[ab] NOT d[ti])", "ovid", "a.ti. and ((b.ti. or c.ab.) not d.ti.)"),
    ],
)
def test_boolean_rules(query: str, target: str, expected: str) -> None:
    assert translate(query, target=target).text == expected


STRATEGY = """# population
1 exp Spasms, Infantile/
2 west syndrome.ti,ab.
3 or/1-2
4 ketogenic diet.ti,ab.
5 3 and 4
"""


@pytest.mark.parametrize(
    ("target", "lines"),
    [
        (
            "ovid",
            [
                "# population",
                "1 exp Spasms, Infantile/",
                "2 west syndrome.ti,ab.",
                "3 1 or 2",
                "4 ketogenic diet.ti,ab.",
                "5 3 and 4",
            ],
        ),
        (
            "pubmed",
            [
                "# population",
                '#1 "Spasms, Infantile"[Mesh]',
                '#2 "west syndrome"[tiab]',
                "#3 #1 OR #2",
                '#4 "ketogenic diet"[tiab]',
                "#5 #3 AND #4",
            ],
        ),
        (
            "cinahl",
            [
                "# population",
                '#1 (MH "Spasms, Infantile+")',
                '#2 (TI "west syndrome" OR AB "west syndrome")',
                "#3 #1 OR #2",
                '#4 (TI "ketogenic diet" OR AB "ketogenic diet")',
                "#5 #3 AND #4",
            ],
        ),
        (
            "scopus",
            [
                "# population",
                '#1 INDEXTERMS("Spasms, Infantile")',
                '#2 TITLE-ABS("west syndrome")',
                "#3 #1 OR #2",
                '#4 TITLE-ABS("ketogenic diet")',
                "#5 #3 AND #4",
            ],
        ),
    ],
)
def test_line_references_use_each_targets_syntax(target: str, lines: list[str]) -> None:
    text = translate(STRATEGY, source="ovid", target=target).text
    expected = "\n".join(lines)
    if target == "cinahl":  # EBSCO numbers its search history S1, S2, ...
        expected = expected.replace("#", "S").replace("S population", "# population")
    assert text == expected


def test_unnumbered_lines_are_numbered_and_pubmed_refs_resolve() -> None:
    text = "a[ti]\nb[ti]\n#1 OR #2"
    assert translate(text, target="ovid").text == "1 a.ti.\n2 b.ti.\n3 1 or 2"


def test_polyglot_sample_or_range_expands_in_every_syntax() -> None:
    text = "1 Foo.ti.\n2 Bar.ti.\n3 Baz.ti.\n4 Qux.ti.\n5 OR/1-4"
    assert translate(text, source="ovid", target="pubmed").text.endswith("#5 #1 OR #2 OR #3 OR #4")
    assert translate(text, source="ovid", target="cinahl").text.endswith("S5 S1 OR S2 OR S3 OR S4")


def test_registers_without_history_get_the_lines_combined_with_a_warning() -> None:
    result = translate(STRATEGY, source="ovid", target="ictrp")
    assert result.text == '("Infantile Spasms" OR "west syndrome") AND "ketogenic diet"'
    assert any("combined into one query" in w for w in result.warnings)


def test_ctgov_gets_condition_and_intervention_boxes() -> None:
    result = translate('("infantile spasms"[tiab]) AND ("ketogenic diet"[tiab])', target="ctgov")
    assert result.text == (
        'Condition/disease: "infantile spasms"\nIntervention/treatment: "ketogenic diet"'
    )
    assert any("assigned by position" in w for w in result.warnings)


def test_lines_joined_by_bare_operators_make_one_query() -> None:
    text = "(a[ti] OR b[ti])\nAND\n(c[ti])"
    assert translate(text, target="scopus").text == "TITLE(a OR b) AND TITLE(c)"


def test_rct_filter_template_is_rendered_per_target() -> None:
    pubmed = translate("x[ti] AND <RCT filter>", target="pubmed").text
    assert pubmed.startswith('x[ti] AND (("randomized controlled trial"[pt]')
    assert pubmed.endswith('NOT ("Animals"[Mesh] NOT "Humans"[Mesh]))')
    ovid = translate("x[ti] AND <RCT filter>", target="ovid").text
    assert "(randomized controlled trial or controlled clinical trial).pt." in ovid
    assert "not (exp animals/ not humans.sh.)" in ovid
    embase = translate("x[ti] AND <Cochrane RCT precise>", target="embase")
    assert "'randomized controlled trial'/exp" in embase.text
    assert ":it" not in embase.text


def test_ovid_limit_lines_become_and_with_date_and_language() -> None:
    strategy = '1 exp Neoplasms/\n2 limit 1 to (english language and yr="2010 - 2020")'
    pubmed = translate(strategy, source="ovid", target="pubmed").text
    assert pubmed.splitlines()[1] == "#2 #1 AND english[la] AND 2010:2020[dp]"
    wos = translate(strategy, source="ovid", target="wos").text
    assert wos.splitlines()[1] == "#2 #1 AND LA=(english) AND PY=(2010-2020)"
    with pytest.raises(InputError, match="cannot translate the Ovid limit 'review articles'"):
        translate("1 a.ti.\n2 limit 1 to review articles", source="ovid", target="pubmed")


def test_multiword_ovid_tw_phrase_is_read_whole() -> None:
    """Polyglot parses ``term.tw.`` as a phrase plus a stray ``.tw.`` (10 upstream failures)."""
    result = translate("heart attack.tw. or stroke.tw.", source="ovid", target="embase")
    assert result.text == "('heart attack' OR stroke):ti,ab"


@pytest.mark.parametrize(
    ("source", "query", "target", "expected"),
    [
        (
            "ovid",
            "exp Epilepsy/dt,su",
            "pubmed",
            '("Epilepsy/drug therapy"[Mesh] OR "Epilepsy/surgery"[Mesh])',
        ),
        ("pubmed", '"Epilepsy/drug therapy"[Mesh]', "ovid", "exp Epilepsy/dt"),
        ("ovid", "*Epilepsy/dt", "ovid", "*Epilepsy/dt"),
    ],
)
def test_heading_qualifiers(source: str, query: str, target: str, expected: str) -> None:
    assert translate(query, source=source, target=target).text == expected


def test_heading_qualifiers_a_target_lacks_are_warned() -> None:
    result = translate("exp Epilepsy/ec", source="ovid", target="embase")
    assert result.text == "'epilepsy'/exp"
    assert any("no subheading for the MeSH qualifier(s) economics" in w for w in result.warnings)
    scopus = translate("exp Epilepsy/dt", source="ovid", target="scopus")
    assert scopus.text == 'INDEXTERMS("Epilepsy")'
    assert any("not only drug therapy (wider)" in w for w in scopus.warnings)
    with pytest.raises(InputError, match="unknown subheading code /zz"):
        translate("Epilepsy/zz", source="ovid", target="pubmed")


def test_long_history_is_inlined_and_flattened_for_registers() -> None:
    lines = ["1 a.ti."] + [f"{n} {n - 1} or x{n}.ti." for n in range(2, 120)]
    text = translate("\n".join(lines), source="ovid", target="ictrp").text
    assert text == " OR ".join(["a", *(f"x{n}" for n in range(2, 120))])


def test_one_query_combines_a_numbered_strategy_for_an_api_call() -> None:
    strategy = "#1 a[ti]\n#2 b[ti]\n#3 #1 OR #2\n#4 #3 AND c[ab]"
    result = translate(strategy, target="pubmed", one_query=True)
    assert result.text == "(a[ti] OR b[ti]) AND c[tiab]"
    assert result.warnings == (
        (
            "PubMed: PubMed has no abstract-only field: [tiab] searched (title, abstract and "
            "author keywords; wider)"
        ),
    )


def test_pasted_ovid_history_with_notes_and_hit_counts() -> None:
    history = (
        "1     exp Spasms, Infantile/ (3154)\n"
        "2     west syndrome.mp. [mp=title, abstract, heading word, keyword heading word] (1,029)\n"
        "3     1 or 2 (3,733)\n"
    )
    assert translate(history, source="ovid", target="pubmed").text == (
        '#1 "Spasms, Infantile"[Mesh]\n#2 "west syndrome"[tw]\n#3 #1 OR #2'
    )
