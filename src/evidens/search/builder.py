"""Turn lark's parse tree into query-tree nodes, reading each vendor's tags and codes.

Every tag or code is looked up in :mod:`evidens.search.fields`; one that is not there is an
error pointing at its column, never search text (``x.in.`` is Ovid's institution field, not
the words "x.in."). Proximity distances are stored as the *largest number of words allowed
between* the two terms, because vendors count differently: Ovid ``adj3`` allows two words
between (Ovid field guide: ``adjN`` finds terms within N-1 intervening words; ``adj1`` is
next to each other in any order) and so does Embase.com ``NEAR/3`` / ``NEXT/3`` (its help:
``NEAR/5`` allows at most four words between), while PubMed ``[tiab:~3]``, Cochrane ``NEAR/3``,
Scopus ``W/3``, Web of Science ``NEAR/3`` and EBSCO ``N3`` allow three.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lark import Token, Tree

from evidens.errors import InputError
from evidens.search.ast import (
    OPTIONAL,
    SINGLE,
    UNLIMITED,
    Bool,
    Heading,
    LineRef,
    Near,
    Node,
    Template,
    Term,
)
from evidens.search.fields import FUNCTION_CODES
from evidens.search.source_tags import (
    COLON_CODES,
    HEADING_CODES,
    OVID_CODES,
    PUBMED_HEADING_TAGS,
    PUBMED_PROXIMITY_TAGS,
    PUBMED_TAGS,
    combined_fields,
)
from evidens.search.treeops import combine, map_headings, map_terms, with_field, with_fields
from evidens.search.vocabulary import normalise_qualifier, qualifier_name

# Per dialect: source wildcard character -> canonical mark (see evidens.search.ast).
WILDCARDS: dict[str, dict[str, str]] = {
    "pubmed": {"*": UNLIMITED, "?": SINGLE},
    "ovid": {"*": UNLIMITED, "$": UNLIMITED, "#": SINGLE, "?": OPTIONAL},
    "embase": {"*": UNLIMITED, "?": SINGLE, "$": OPTIONAL},
    "cochrane": {"*": UNLIMITED, "?": SINGLE},
    "scopus": {"*": UNLIMITED, "?": SINGLE},
    "wos": {"*": UNLIMITED, "?": SINGLE, "$": OPTIONAL},
    "cinahl": {"*": UNLIMITED, "?": SINGLE, "#": OPTIONAL},
    "ebsco": {"*": UNLIMITED, "?": SINGLE, "#": OPTIONAL},
    "ictrp": {"*": UNLIMITED},
    "ctgov": {},
}
_VOCABULARY = {"embase": "emtree", "cinahl": "cinahl"}
# What NEAR without a number means (Cochrane Library and Embase.com help; Clarivate WoS help).
_NEAR_DEFAULT = {"cochrane": 6, "embase": 5, "wos": 15}
# Syntaxes whose NEAR/n and NEXT/n mean "within n words", so n - 1 words between (Embase.com help).
_COUNTS_BOTH_TERMS = frozenset({"embase"})
_OVID_LIMIT = re.compile(r"\$(\d+)$")
_WORD_SUFFIX = re.compile(
    r"^(?P<text>.+?)(?:\.(?P<dot>[a-z]{2,3}(?:,[a-z]{2,3})*)(?P<final>\.?)"
    r"|:(?P<colon>[a-z]{2,3}(?:,[a-z]{2,3})*))$",
    re.IGNORECASE,
)
_PROXIMITY_TAG = re.compile(r"^(?P<field>[a-z/ ]+):~(?P<n>\d+)$")


class Builder:
    """Builds :mod:`evidens.search.ast` nodes for one line of one dialect."""

    def __init__(self, text: str, dialect: str, line: int | None) -> None:
        self.text = text
        self.dialect = dialect
        self.line = line
        self.vocabulary = _VOCABULARY.get(dialect, "mesh")

    def fail(self, column: int | None, what: str, hint: str) -> InputError:
        from evidens.search.parser import caret_message

        return InputError(
            caret_message(self.text, column or 1, what), field="query", line=self.line, hint=hint
        )

    def node(self, tree: Tree[Token]) -> Node:
        build: Callable[[list[Token | Tree[Token]]], Node] = getattr(self, f"build_{tree.data}")
        return build(tree.children)

    def build_group(self, children: list[Token | Tree[Token]]) -> Node:
        return self.suffixed(self.node(_tree(children[0])), [_tree(c) for c in children[1:]])

    def build_heading(self, children: list[Token | Tree[Token]]) -> Node:
        return self.suffixed(self.heading(_token(children[0])), [_tree(c) for c in children[1:]])

    def build_fielded(self, children: list[Token | Tree[Token]]) -> Node:
        return self.fielded(_token(children[0]), self.node(_tree(children[1])))

    def build_ref(self, children: list[Token | Tree[Token]]) -> Node:
        return _ref(_token(children[0]))

    def build_template(self, children: list[Token | Tree[Token]]) -> Node:
        return Template(_token(children[0]).value.strip("<> ").strip())

    def build_query(self, children: list[Token | Tree[Token]]) -> Node:
        return self.query(children)

    def build_near(self, children: list[Token | Tree[Token]]) -> Node:
        return self.near(children)

    def build_term(self, children: list[Token | Tree[Token]]) -> Node:
        return self.term(children)

    def query(self, children: list[Token | Tree[Token]]) -> Node:
        result = self.node(_tree(children[0]))
        for index in range(1, len(children), 2):
            op = " ".join(_token(children[index]).value.upper().split())
            right = self.node(_tree(children[index + 1]))
            result = combine("NOT" if op in ("NOT", "AND NOT") else op, result, right)
        return result

    def near(self, children: list[Token | Tree[Token]]) -> Node:
        result = self.node(_tree(children[0]))
        for index in range(1, len(children), 2):
            gap, ordered = self.near_operator(_token(children[index]).value)
            result = Near(result, self.node(_tree(children[index + 1])), gap, ordered)
        return result

    def near_operator(self, value: str) -> tuple[int, bool]:
        """(largest number of words between, ordered) of ADJn, NEAR/n, NEXT, W/n, PRE/n, Nn."""
        word = value.lower()
        digits = "".join(ch for ch in word if ch.isdigit())
        number = int(digits) if digits else None
        if word.startswith("adj"):
            return (0, True) if number is None else (max(number - 1, 0), False)
        if word.startswith(("next", "pre")):
            if number is not None and self.dialect in _COUNTS_BOTH_TERMS:
                return max(number - 1, 0), True
            return (number or 0), True
        if word.startswith("w") and "/" not in word:  # EBSCO Wn: within n words, in order
            return (number or 0), True
        within = _NEAR_DEFAULT.get(self.dialect, 6) if number is None else number
        if self.dialect in _COUNTS_BOTH_TERMS:
            return max(within - 1, 0), False
        return within, False

    def fielded(self, token: Token, inner: Node) -> Node:
        code = token.value.rstrip("(").rstrip().rstrip("=").strip().upper()
        if code == "INDEXTERMS":
            return map_terms(inner, lambda t: Heading(t.text, "index", explode=False))
        return with_field(inner, FUNCTION_CODES[code])

    def term(self, children: list[Token | Tree[Token]]) -> Node:
        words = [c for c in children if isinstance(c, Token)]
        suffixes = [c for c in children if isinstance(c, Tree)]
        first = words[0]
        quoted = first.type in ("PHRASE", "SQPHRASE", "BRACE")
        text = first.value[1:-1] if quoted else " ".join(w.value for w in words)
        if self.dialect == "ovid" and not quoted and text.lower().startswith("exp "):
            raise self.fail(
                first.column,
                "exp must be followed by a subject heading and a slash",
                'write exp Heading/ (quote a heading that holds a slash: exp "A/B"/)',
            )
        if not quoted and not suffixes:
            tagged = self.word_suffix(text, words[-1])
            if tagged is not None:
                return tagged
        return self.suffixed(self.make_term(text, quoted), suffixes)

    def word_suffix(self, text: str, last: Token) -> Node | None:
        """``west syndrome.ti,ab.`` lexes as words: read the code glued to the last word."""
        match = _WORD_SUFFIX.match(text)
        if match is None:
            return None
        column = (last.column or 1) + len(last.value) - (len(text) - len(match["text"]))
        if match["dot"]:
            known = all(
                c.strip().lower() in OVID_CODES or c.strip().lower() in HEADING_CODES
                for c in match["dot"].split(",")
            )
            if not known and not match["final"] and self.dialect != "ovid":
                return None  # "asp.net": a dot inside a word, not a field code
            base = self.make_term(match["text"], False)
            return self.ovid_codes(base, match["dot"], column)
        if self.dialect in ("embase", "cochrane") or match["colon"].lower() in COLON_CODES:
            return self.colon_codes(self.make_term(match["text"], False), match["colon"], column)
        return None

    def make_term(self, text: str, quoted: bool) -> Term:
        table = WILDCARDS[self.dialect]
        limit = None
        match = _OVID_LIMIT.search(text) if self.dialect == "ovid" else None
        if match:
            limit = int(match[1])
            text = text[: match.start()] + UNLIMITED
        canonical = "".join(table.get(ch, ch) for ch in text)
        return Term(" ".join(canonical.split()), quoted=quoted, limit=limit)

    def suffixed(self, node: Node, suffixes: list[Tree[Token]]) -> Node:
        for suffix in suffixes:
            node = self.apply_suffix(node, _token(suffix.children[0]))
        return node

    def apply_suffix(self, node: Node, token: Token) -> Node:
        value = token.value
        if token.type == "TAG":
            return self.pubmed_tag(node, token)
        if token.type == "SLASHHEAD":
            parts = value.lower().strip("/").split("/")
            return map_terms(
                node,
                lambda t: Heading(
                    t.text, self.vocabulary, explode="exp" in parts, major="mj" in parts
                ),
            )
        if token.type == "DOTFIELD":
            return self.ovid_codes(node, value.strip("."), token.column)
        return self.colon_codes(node, value.lstrip(":"), token.column)

    def ovid_codes(self, node: Node, codes: str, column: int | None) -> Node:
        """``.ti,ab,kf.``: each code's field; several become one field or an OR."""
        fields: list[str] = []
        headings: list[bool] = []
        for code in (c.strip().lower() for c in codes.split(",")):
            if code in HEADING_CODES:
                headings.append(HEADING_CODES[code])
            elif code in OVID_CODES:
                fields.append(OVID_CODES[code])
            else:
                raise self.fail(
                    column,
                    f"unknown Ovid field code .{code}.",
                    "use codes from the Ovid field guide such as .ti. .ab. .tw. .kf. .mp. .sh.",
                )
        if not fields and len(headings) == 1:
            explode = headings[0]
            return map_terms(node, lambda t: Heading(t.text, self.vocabulary, explode))
        tagged = with_fields(node, combined_fields(fields), tuple(headings))
        return self.name_subheadings(tagged)

    def name_subheadings(self, node: Node) -> Node:
        """Floating subheadings (``dt.fs.``, ``therapy[sh]``) hold the MeSH qualifier name."""
        return map_terms(node, lambda t: self.subheading_term(t) if t.field in ("sh", "fs") else t)

    def colon_codes(self, node: Node, codes: str, column: int | None) -> Node:
        fields: list[str] = []
        for code in (c.strip().lower() for c in codes.split(",")):
            if code not in COLON_CODES:
                raise self.fail(
                    column,
                    f"unknown field code :{code}",
                    "use codes such as :ti :ab :kw :ti,ab,kw :au :so",
                )
            fields.append(COLON_CODES[code])
        return self.name_subheadings(with_fields(node, combined_fields(fields)))

    def subheading_term(self, term: Term) -> Term:
        """A floating subheading's text as the MeSH qualifier name (from a name or a code)."""
        name = normalise_qualifier(term.text)
        if name is None:
            raise self.fail(
                None,
                f"{term.text!r} is not a MeSH qualifier",
                "write a qualifier name (drug therapy) or its code (dt)",
            )
        return Term(name, term.field, term.quoted, term.limit)

    def pubmed_tag(self, node: Node, token: Token) -> Node:
        tag = " ".join(token.value[1:-1].lower().replace(" :", ":").replace(": ", ":").split())
        if tag in PUBMED_HEADING_TAGS:
            explode, major = PUBMED_HEADING_TAGS[tag]
            node = map_headings(
                node, lambda h: Heading(h.term, h.vocabulary, explode, major, h.qualifiers)
            )
            return map_terms(
                node, lambda t: self.pubmed_heading(t.text, explode, major, token.column)
            )
        if tag in PUBMED_TAGS:
            field = PUBMED_TAGS[tag]
            return self.name_subheadings(with_field(node, field))
        proximity = _PROXIMITY_TAG.match(tag)
        if proximity and proximity["field"] in PUBMED_PROXIMITY_TAGS and isinstance(node, Term):
            field = PUBMED_TAGS[proximity["field"]]
            words = [Term(w, field) for w in node.text.split()]
            if len(words) == 1:  # one word: no distance to keep
                return with_field(node, field)
            if len(words) >= 2:
                result: Node = words[0]
                for word in words[1:]:
                    result = Near(result, word, int(proximity["n"]), ordered=False)
                return result
        raise self.fail(
            token.column,
            f"unknown field tag {token.value!r}",
            "use a PubMed tag (PubMed Help, Search Field Descriptions and Tags) such as [tiab],"
            " [ti], [tw], [mh], [majr], [pt], [au]; proximity only with [ti], [tiab] or [ad]",
        )

    def pubmed_heading(self, text: str, explode: bool, major: bool, column: int | None) -> Heading:
        """``Epilepsy/drug therapy`` (or ``/dt``) is Epilepsy limited to one qualifier."""
        term, *raw = (part.strip() for part in text.split("/"))
        qualifiers = []
        for item in (q for q in raw if q):
            name = normalise_qualifier(item)
            if name is None:
                raise self.fail(
                    column,
                    f"{item!r} is not a MeSH qualifier",
                    "write a qualifier name (drug therapy) or its code (dt)",
                )
            qualifiers.append(name)
        return Heading(term, self.vocabulary, explode, major, tuple(qualifiers))

    def heading(self, token: Token) -> Node:
        value = token.value
        if token.type == "MHBRACKET":
            return self.cochrane_heading(value[1:-1].strip()[2:].strip(), token.column)
        body, _, codes = value.rpartition("/")
        body = body.strip()
        qualifiers = tuple(
            self.qualifier(token, code.strip()) for code in codes.split(",") if code.strip()
        )
        explode = body.lower().startswith("exp ")
        body = body[4:].strip() if explode else body
        major = body.startswith("*")
        term = body.lstrip("*").strip().strip('"').strip()
        return Heading(term, self.vocabulary, explode, major, qualifiers)

    def cochrane_heading(self, body: str, column: int | None) -> Node:
        """``[mh "x"]``, ``[mh ^x]`` (not exploded), ``[mh x/DT]``, ``[mh /DT]`` (floating)."""
        if body.startswith("/"):
            return self.subheading_term(Term(body[1:].strip().strip('"'), field="sh"))
        explode = not body.startswith("^")
        term, _, quals = body.lstrip("^").strip().partition("/")
        names = []
        for code in (q for q in quals.split(",") if q.strip()):
            name = normalise_qualifier(code)
            if name is None:
                raise self.fail(column, f"unknown qualifier /{code}", "use codes such as /DT")
            names.append(name)
        return Heading(term.strip().strip('"'), self.vocabulary, explode, qualifiers=tuple(names))

    def qualifier(self, token: Token, code: str) -> str:
        """The MeSH qualifier an Ovid two-letter subheading code stands for."""
        name = qualifier_name(code)
        if name is None:
            raise self.fail(
                token.column,
                f"unknown subheading code /{code}",
                "use MeSH's two-letter codes such as /dt /su /th /di",
            )
        return name


def _ref(token: Token) -> Node:
    if token.type == "HASHREF":
        return LineRef(int(token.value.lstrip("#Ss")))
    op, _, spec = token.value.partition("/")
    numbers: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        numbers.extend(range(int(low), int(high or low) + 1))
    refs = tuple(LineRef(n) for n in numbers)
    if len(refs) == 1:
        return refs[0]
    return Bool("AND", refs) if op.strip().lower() == "and" else Bool("OR", refs)


def _tree(item: Token | Tree[Token]) -> Tree[Token]:
    assert isinstance(item, Tree)
    return item


def _token(item: Token | Tree[Token]) -> Token:
    assert isinstance(item, Token)
    return item
