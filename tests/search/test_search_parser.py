"""Parser: PubMed and Ovid syntax to one tree, errors with a caret, multi-line strategies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidens.errors import InputError
from evidens.search import (
    Bool,
    Heading,
    LineRef,
    Near,
    Node,
    Template,
    Term,
    parse_query,
    parse_strategy,
    simplify,
    translate,
)


def test_pubmed_and_ovid_spellings_give_the_same_tree() -> None:
    pubmed = parse_query('"Spasms, Infantile"[Mesh] OR "west syndrome"[tiab]', dialect="pubmed")
    ovid = parse_query("exp Spasms, Infantile/ or west syndrome.ti,ab,kf.", dialect="ovid")
    expected = Bool("OR", (Heading("Spasms, Infantile"), Term("west syndrome", "tiabkw")))
    assert _unquote(pubmed) == _unquote(ovid) == expected
    assert pubmed.operands[1] == Term("west syndrome", "tiabkw", quoted=True)  # type: ignore[union-attr]


def test_ovid_group_field_applies_to_every_untagged_term() -> None:
    tree = parse_query("(seizure* or spasm*).ti,ab. or west.ti.", dialect="ovid")
    assert simplify(tree) == Bool(
        "OR",
        (
            Term("seizure*", "tiab"),
            Term("spasm*", "tiab"),
            Term("west", "ti"),
        ),
    )


def test_ovid_wildcards_become_canonical_marks() -> None:
    tree = parse_query("randomi$2 or colo#r or behavio?r or surg$", dialect="ovid")
    assert tree == Bool(
        "OR",
        (
            Term("randomi*", limit=2),
            Term("colo?r"),
            Term("behavio%r"),
            Term("surg*"),
        ),
    )


def test_pubmed_proximity_tag_becomes_near() -> None:
    assert parse_query('"hip fracture"[tiab:~2]') == Near(
        Term("hip", "tiabkw"), Term("fracture", "tiabkw"), 2, ordered=False
    )


def test_left_to_right_evaluation_as_pubmed_documents() -> None:
    tree = parse_query("a OR b AND c NOT d")
    assert tree == Bool(
        "NOT",
        (
            Bool("AND", (Bool("OR", (Term("a"), Term("b"))), Term("c"))),
            Term("d"),
        ),
    )


def test_references_and_templates() -> None:
    assert parse_query("#1 AND <RCT filter>") == Bool("AND", (LineRef(1), Template("RCT filter")))
    assert parse_query("or/1-3,5", dialect="ovid") == Bool(
        "OR", (LineRef(1), LineRef(2), LineRef(3), LineRef(5))
    )


@pytest.mark.parametrize(
    ("query", "column", "what"),
    [
        ("(a OR b", 8, "ends too early"),
        ("a OR OR b", 6, "unexpected 'OR'"),
        ("a[foo] OR b", 2, "unknown field tag '[foo]'"),
        ('"open phrase OR b', 1, "unclosed quote"),
        ("a OR b)", 7, "unexpected ')'"),
        # An unknown Ovid code is an error at the code, never search text (issue 19).
        ("heart.zz.", 6, "unknown Ovid field code .zz."),
        ("heart.zz", 6, "unknown Ovid field code .zz."),
        ("(a or b).zz.", 9, "unknown Ovid field code .zz."),
        ("a:zz", 2, "unknown field code :zz"),
    ],
)
def test_bad_query_error_points_at_the_position(query: str, column: int, what: str) -> None:
    dialect = "embase" if ":" in query else "ovid" if "." in query else "pubmed"
    with pytest.raises(InputError) as caught:
        parse_query(query, dialect=dialect)
    error = caught.value
    assert error.field == "query"
    assert what in str(error)
    assert f"column {column}" in str(error)
    caret_line = str(error).splitlines()[2]
    assert caret_line.index("^") == 2 + column - 1  # two spaces of indent, then the caret


def test_error_in_a_strategy_names_the_source_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_strategy("1 a.ti.\n2 (b or c.ti.\n3 1 or 2", dialect="ovid")
    assert caught.value.line == 2
    assert str(caught.value).startswith("2:query:")


def test_reference_to_a_later_line_is_an_error() -> None:
    with pytest.raises(InputError, match="refers to line 3, which is not an earlier line"):
        parse_strategy("#1 a[ti]\n#2 #3 OR #1\n#3 b[ti]")


def test_empty_and_unknown_inputs_are_input_errors() -> None:
    with pytest.raises(InputError, match="empty"):
        parse_strategy("   \n  ")
    with pytest.raises(InputError, match="unknown target database 'medline'"):
        translate("a", target="medline")
    with pytest.raises(InputError, match="unknown filter template <nope>"):
        translate("a AND <nope>", target="pubmed")


def test_numbered_strategy_keeps_numbers_comments_and_refs() -> None:
    strategy = parse_strategy("# P\n10 a.ti.\n20 b.ti.\n30 10 or 20", dialect="ovid")
    assert strategy.numbered
    assert [line.number for line in strategy.lines] == [None, 10, 20, 30]
    assert strategy.lines[0].comment == "P"
    assert strategy.final == Bool("OR", (LineRef(10), LineRef(20)))


def test_single_line_numbers_are_words_not_references() -> None:
    assert parse_query("5 alpha reductase") == Term("5 alpha reductase")
    assert parse_strategy("5 alpha reductase").final == Term("5 alpha reductase")


# --- property: rendering a tree for PubMed or Ovid and reading it back gives the same tree ----

WORDS = st.sampled_from(["heart", "attack", "stroke", "aspirin", "child", "diet", "trial"])
# PubMed has no abstract-only tag (NLM's field list): [ab] is rendered as [tiab], with a warning.
PUBMED_FIELDS = st.sampled_from(["ti", "tiabkw", "tw", "all", "au", "pt"])
OVID_FIELDS = st.sampled_from(["ti", "ab", "tiab", "tiabkw", "tw", "all", "au", "pt"])


def _terms(fields: st.SearchStrategy[str]) -> st.SearchStrategy[Node]:
    phrase = st.lists(WORDS, min_size=1, max_size=2).map(" ".join)
    stem = st.builds(lambda w: w + "*", WORDS)
    text = st.one_of(phrase, stem)
    return st.one_of(
        st.builds(lambda t, f: Term(t, f, quoted=" " in t), text, fields),
        st.builds(lambda t, e: Heading(t.title(), explode=e), WORDS, st.booleans()),
    )


def _trees(fields: st.SearchStrategy[str]) -> st.SearchStrategy[Node]:
    return st.recursive(
        _terms(fields),
        lambda inner: st.one_of(
            st.builds(
                lambda ops, op: Bool(op, tuple(ops)),
                st.lists(inner, min_size=2, max_size=3),
                st.sampled_from(["AND", "OR"]),
            ),
            st.builds(lambda a, b: Bool("NOT", (a, b)), inner, inner),
        ),
        max_leaves=8,
    )


def _unquote(node: Node) -> Node:
    """Ovid writes phrases without quotes, so compare without the quoted flag."""
    if isinstance(node, Term):
        return Term(node.text, node.field, False, node.limit)
    if isinstance(node, Bool):
        return Bool(node.op, tuple(_unquote(c) for c in node.operands))
    return node


def _unordered(node: Node) -> Node:
    """AND and OR commute (tagged groups gather same-field terms), so sort their operands."""
    if isinstance(node, Bool):
        operands = tuple(_unordered(c) for c in node.operands)
        if node.op != "NOT":
            operands = tuple(sorted(operands, key=repr))
        return Bool(node.op, operands)
    return node


@settings(max_examples=150, deadline=None)
@given(_trees(PUBMED_FIELDS))
def test_pubmed_round_trip(tree: Node) -> None:
    text = translate_tree(tree, "pubmed")
    assert simplify(parse_query(text, dialect="pubmed")) == simplify(tree)


@settings(max_examples=150, deadline=None)
@given(_trees(OVID_FIELDS))
def test_ovid_round_trip(tree: Node) -> None:
    text = translate_tree(tree, "ovid")
    back = simplify(parse_query(text, dialect="ovid"))
    assert _unordered(_unquote(back)) == _unordered(_unquote(simplify(tree)))


def translate_tree(tree: Node, target: str) -> str:
    from evidens.search.engines import engine
    from evidens.search.render import Renderer

    return Renderer(engine(target)).render(tree)


# Fields each target writes with its own exact tag, so that reading its output back must give
# the same tree (approximations such as [tw] -> TITLE-ABS-KEY are tested in the rules tests).
EXACT_FIELDS = {
    "scopus": ["ti", "ab", "tiab", "tiabkw", "all", "au"],
    "wos": ["ti", "ab", "tiabkw", "all", "au"],
    "embase": ["ti", "ab", "tiab", "tiabkw", "au"],
    "cochrane": ["ti", "ab", "tiab", "tiabkw", "au"],
}


def _free_text_trees(fields: list[str]) -> st.SearchStrategy[Node]:
    phrase = st.lists(WORDS, min_size=1, max_size=2).map(" ".join)
    text = st.one_of(phrase, st.builds(lambda w: w + "*", WORDS))
    leaf = st.builds(lambda t, f: Term(t, f, quoted=" " in t), text, st.sampled_from(fields))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(
                lambda ops, op: Bool(op, tuple(ops)),
                st.lists(inner, min_size=2, max_size=3),
                st.sampled_from(["AND", "OR"]),
            ),
            st.builds(lambda a, b: Bool("NOT", (a, b)), inner, inner),
        ),
        max_leaves=6,
    )


@pytest.mark.parametrize("target", sorted(EXACT_FIELDS))
def test_target_output_reads_back_as_the_same_tree(target: str) -> None:
    @settings(max_examples=60, deadline=None)
    @given(_free_text_trees(EXACT_FIELDS[target]))
    def round_trip(tree: Node) -> None:
        text = translate_tree(tree, target)
        back = simplify(parse_query(text, dialect=target))
        assert _unordered(_unquote(back)) == _unordered(_unquote(simplify(tree))), text

    round_trip()


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(InputError, match="brackets nest"):
        parse_query("(" * 500 + "a" + ")" * 500)


def test_long_runs_of_mixed_operators_are_refused_not_a_crash() -> None:
    assert isinstance(parse_query(" OR ".join(["a"] * 5000)), Bool)  # flat: fine
    with pytest.raises(InputError, match="nests more than 200 operators"):
        parse_query(" NOT ".join(["a"] * 1000))
