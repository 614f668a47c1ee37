"""Read one line of a search strategy into the query tree.

One lark grammar accepts PubMed (``"x"[tiab]``, ``x[Mesh]``), Ovid (``x.ti,ab.``, ``exp x/``,
``ADJ3``, ``or/1-4``) and, so that another database's strategy can be compared with a
translation as a tree, the target syntaxes too (Embase.com ``'x'/exp``, ``x:ti,ab``; Scopus
``TITLE-ABS-KEY(...)``; Web of Science ``TS=(...)``; Cochrane ``[mh x]``). The dialect only
decides what wildcard characters and untagged headings mean. Boolean operators are read left to
right with equal precedence, as PubMed documents; proximity binds tighter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from evidens.errors import InputError
from evidens.search.ast import (
    OPTIONAL,
    SINGLE,
    UNLIMITED,
    Bool,
    BoolOp,
    Heading,
    LineRef,
    Near,
    Node,
    Template,
    Term,
)
from evidens.search.engines import qualifier_name
from evidens.search.fields import (
    FUNCTION_CODES,
    PUBMED_HEADING_TAGS,
    PUBMED_TAGS,
    SUFFIX_CODES,
    suffix_key,
)

DIALECTS = ("pubmed", "ovid", "embase", "cochrane", "scopus", "wos", "cinahl", "ictrp", "ctgov")
MAX_QUERY_CHARS = 100_000
MAX_NESTING = 64
MAX_DEPTH = 200

_HEAD_WORD = (
    r"(?!(?:and|or|not|adj\d*|near|next|exp)(?=[\s(\/]))"
    r"[^\s,()\/\[\]\"'{}<>.][^\s,()\/\[\]\"{}<>.]*"
)

_SCOPUS_CODES = (
    "TITLE-ABS-KEY|TITLE-ABS|TITLE|ABS|KEY|AUTH|SRCTITLE|LANGUAGE|DOCTYPE|CHEM|INDEXTERMS|ALL"
    "|PUBYEAR"
)
_WOS_CODES = "TS|TI|AB|AU|SO|PY|DT|LA|ALL"

_GRAMMAR = rf"""
?start: query
query: near (BOOL near)*
near: atom (NEAROP atom)*
?atom: group | term | heading | ref | template | fielded
group: "(" query ")" suffix*
fielded: FIELDFN query ")"
term: (WORD+ | PHRASE | SQPHRASE | BRACE) suffix*
suffix: TAG | COLONFIELD | DOTFIELD | SLASHHEAD
heading: OVIDHEAD | MHBRACKET
ref: HASHREF | LINEOP
template: TEMPLATE

LINEOP.9: /(?i:or|and)\/\s*\d+(?:\s*-\s*\d+)?(?:\s*,\s*\d+(?:\s*-\s*\d+)?)*/
FIELDFN.8: /(?:{_SCOPUS_CODES})\s*\(|(?:{_WOS_CODES})\s*=\s*\(/
MHBRACKET.8: /\[(?i:mh)\s+[^\]\n]+\]/
TEMPLATE.7: /<[^<>\n]+>/
OVIDHEAD.6: /(?i:(?:exp\s+)?\*?{_HEAD_WORD}(?:[ ,]+{_HEAD_WORD})*\/(?:[a-z]{{2}}(?:,[a-z]{{2}})*)?)/
BOOL.5: /(?i:and\s+not|and|or|not)(?![^\s()"'])/
NEAROP.5: /(?i:adj\d*|near\/\d+|near\d*|next(?:\/\d+)?|w\/\d+|pre\/\d+)(?![^\s()"'])/
HASHREF.5: /#\d+/
SLASHHEAD.4: /\/(?:exp|de|mj)(?:\/(?:exp|de|mj))*/
DOTFIELD.4: /\.[a-z]{{2,3}}(?:,[a-z]{{2,3}})*\./
COLONFIELD.4: /:[a-z]{{2,3}}(?:,[a-z]{{2,3}})*/
PHRASE.3: /"[^"\n]*"/
SQPHRASE.3: /'[^'\n]*'/
BRACE.3: /\{{[^{{}}\n]*\}}/
TAG.3: /\[[^\]\n]*\]/
WORD: /[^\s()\[\]"{{}}<>\/:.'][^\s()\[\]"{{}}<>\/]*/
%ignore /\s+/
"""

# Per dialect: source wildcard character -> canonical mark (see evidens.search.ast).
_WILDCARDS: dict[str, dict[str, str]] = {
    "pubmed": {"*": UNLIMITED, "?": SINGLE},
    "ovid": {"*": UNLIMITED, "$": UNLIMITED, "#": SINGLE, "?": OPTIONAL},
    "embase": {"*": UNLIMITED, "?": SINGLE, "$": OPTIONAL},
    "cochrane": {"*": UNLIMITED, "?": SINGLE},
    "scopus": {"*": UNLIMITED, "?": SINGLE},
    "wos": {"*": UNLIMITED, "?": SINGLE, "$": OPTIONAL},
    "cinahl": {"*": UNLIMITED, "?": SINGLE, "#": OPTIONAL},
    "ictrp": {"*": UNLIMITED},
    "ctgov": {},
}
_VOCABULARY = {"embase": "emtree", "cinahl": "cinahl"}
_OVID_LIMIT = re.compile(r"\$(\d+)$")
_WORD_SUFFIX = re.compile(
    r"^(?P<text>.+?)(?:\.(?P<dot>[a-z]{2,3}(?:,[a-z]{2,3})*)\.|:(?P<colon>[a-z]{2,3}(?:,[a-z]{2,3})*))$"
)
_PROXIMITY_TAG = re.compile(r"^(?P<field>[a-z/ ]+):~(?P<n>\d+)$")


@cache
def _lark() -> Lark:
    return Lark(
        _GRAMMAR, parser="lalr", lexer="basic", maybe_placeholders=False, propagate_positions=True
    )


def parse_query(text: str, *, dialect: str = "pubmed", line: int | None = None) -> Node:
    """Parse one search line into a tree; raise :class:`InputError` with a caret on failure."""
    if dialect not in DIALECTS:
        raise InputError(
            f"unknown query syntax {dialect!r}",
            field="source",
            hint="use one of " + ", ".join(DIALECTS),
        )
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(
            f"query is {len(text)} characters long",
            field="query",
            line=line,
            hint=f"split it into lines of at most {MAX_QUERY_CHARS} characters",
        )
    if not text.strip():
        raise InputError("the query is empty", field="query", line=line, hint="write a search")
    _check_nesting(text, line)
    parser = _lark()
    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc, line) from None
    node = _Builder(text, dialect, line).node(tree)
    if _depth(node) > MAX_DEPTH:
        raise InputError(
            f"the query nests more than {MAX_DEPTH} operators deep",
            field="query",
            line=line,
            hint="bracket runs of mixed operators or split the query into numbered lines",
        )
    return node


def _depth(node: Node) -> int:
    """Depth of the tree, computed without recursion (the tree may be very deep)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(current, Bool):
            stack.extend((child, level + 1) for child in current.operands)
        elif isinstance(current, Near):
            stack.extend(((current.left, level + 1), (current.right, level + 1)))
    return deepest


def _check_nesting(text: str, line: int | None) -> None:
    """Refuse absurdly deep brackets before parsing: the tree builder recurses per level."""
    depth = 0
    for column, char in enumerate(text, 1):
        depth += (char == "(") - (char == ")")
        if depth > MAX_NESTING:
            raise InputError(
                caret_message(
                    text[:200], min(column, 200), f"brackets nest deeper than {MAX_NESTING}"
                ),
                field="query",
                line=line,
                hint="split the query into numbered lines that refer to each other",
            )


def caret_message(text: str, column: int, what: str) -> str:
    """``what`` followed by the query and a caret under ``column`` (1-based)."""
    return f"{what} at column {column}\n  {text}\n  {' ' * (column - 1)}^"


def _syntax_error(text: str, exc: UnexpectedInput, line: int | None) -> InputError:
    column = max(1, getattr(exc, "column", 1) or 1)
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        column = len(text.rstrip()) + 1
        what = "the query ends too early (an operand or ')' is missing)"
    elif isinstance(exc, UnexpectedToken):
        what = f"unexpected {exc.token.value!r}"
    elif isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream or 0]
        what = f"unclosed quote {char}" if char in "\"'{" else f"unexpected character {char!r}"
    else:  # pragma: no cover - lark has no other UnexpectedInput kinds
        what = "cannot read the query"
    return InputError(
        caret_message(text, column, what),
        field="query",
        line=line,
        hint="check brackets, quotes and operators (AND, OR, NOT, ADJn)",
    )


class _Builder:
    """Turns lark's parse tree into :mod:`evidens.search.ast` nodes."""

    def __init__(self, text: str, dialect: str, line: int | None) -> None:
        self.text = text
        self.dialect = dialect
        self.line = line
        self.vocabulary = _VOCABULARY.get(dialect, "mesh")

    def fail(self, token: Token, what: str, hint: str) -> InputError:
        column = token.column if isinstance(token.column, int) else 1
        return InputError(
            caret_message(self.text, column, what), field="query", line=self.line, hint=hint
        )

    def node(self, tree: Tree[Token]) -> Node:
        children = tree.children
        kind = tree.data
        builders: dict[str, Callable[[], Node]] = {
            "query": lambda: self.query(children),
            "near": lambda: self.near(children),
            "group": lambda: self.suffixed(
                self.node(_tree(children[0])), [_tree(c) for c in children[1:]]
            ),
            "fielded": lambda: self.fielded(_token(children[0]), self.node(_tree(children[1]))),
            "term": lambda: self.term(children),
            "heading": lambda: self.heading(_token(children[0])),
            "ref": lambda: _ref(_token(children[0])),
            "template": lambda: Template(_token(children[0]).value.strip("<> ").strip()),
        }
        return builders[str(kind)]()

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
            distance, ordered = _near_operator(_token(children[index]).value)
            result = Near(result, self.node(_tree(children[index + 1])), distance, ordered)
        return result

    def fielded(self, token: Token, inner: Node) -> Node:
        code = token.value.rstrip("(").rstrip().rstrip("=").strip()
        if code == "INDEXTERMS":
            return _map_terms(inner, lambda t: Heading(t.text, "index", explode=False))
        return with_field(inner, FUNCTION_CODES[code])

    def term(self, children: list[Token | Tree[Token]]) -> Node:
        words = [c for c in children if isinstance(c, Token)]
        suffixes = [c for c in children if isinstance(c, Tree)]
        first = words[0]
        quoted = first.type in ("PHRASE", "SQPHRASE", "BRACE")
        text = first.value[1:-1] if quoted else " ".join(w.value for w in words)
        base: Node = self.make_term(text, quoted)
        if not quoted and not suffixes:
            match = _WORD_SUFFIX.match(text)
            if match and suffix_key(match["dot"] or match["colon"]) in SUFFIX_CODES:
                code = suffix_key(match["dot"] or match["colon"])
                return with_field(self.make_term(match["text"], False), SUFFIX_CODES[code])
        return self.suffixed(base, suffixes)

    def make_term(self, text: str, quoted: bool) -> Term:
        table = _WILDCARDS[self.dialect]
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
            parts = value.strip("/").split("/")
            return _map_terms(
                node,
                lambda t: Heading(
                    t.text, self.vocabulary, explode="exp" in parts, major="mj" in parts
                ),
            )
        code = suffix_key(value.strip(".:"))
        if code not in SUFFIX_CODES:
            raise self.fail(
                token,
                f"unknown field code {value!r}",
                "use codes such as .ti. .ab. .ti,ab. .tw. .mp. or :ti,ab",
            )
        return with_field(node, SUFFIX_CODES[code])

    def pubmed_tag(self, node: Node, token: Token) -> Node:
        tag = " ".join(token.value[1:-1].lower().split())
        if tag in PUBMED_HEADING_TAGS:
            explode, major = PUBMED_HEADING_TAGS[tag]
            return _map_terms(
                node, lambda t: _pubmed_heading(t.text, self.vocabulary, explode, major)
            )
        if tag in PUBMED_TAGS:
            return with_field(node, PUBMED_TAGS[tag])
        proximity = _PROXIMITY_TAG.match(tag)
        if proximity and proximity["field"] in PUBMED_TAGS and isinstance(node, Term):
            words = [Term(w, PUBMED_TAGS[proximity["field"]]) for w in node.text.split()]
            if len(words) >= 2:
                result: Node = words[0]
                for word in words[1:]:
                    result = Near(result, word, int(proximity["n"]), ordered=False)
                return result
        raise self.fail(
            token,
            f"unknown field tag {token.value!r}",
            "use PubMed tags such as [tiab], [ti], [tw], [Mesh], [Majr], [pt]",
        )

    def heading(self, token: Token) -> Node:
        value = token.value
        if token.type == "MHBRACKET":
            body = value[1:-1].strip()[2:].strip()
            if body.startswith("/"):
                return Term(body[1:].strip().strip('"'), field="sh")
            explode = not body.startswith("^")
            return Heading(body.lstrip("^").strip().strip('"'), self.vocabulary, explode)
        body, _, codes = value.rpartition("/")
        body = body.strip()
        qualifiers = tuple(self.qualifier(token, code) for code in codes.split(",") if code)
        explode = body.lower().startswith("exp ")
        body = body[4:].strip() if explode else body
        major = body.startswith("*")
        return Heading(body.lstrip("*").strip(), self.vocabulary, explode, major, qualifiers)

    def qualifier(self, token: Token, code: str) -> str:
        """The MeSH qualifier an Ovid two-letter subheading code stands for."""
        name = qualifier_name(code)
        if name is None:
            raise self.fail(
                token,
                f"unknown subheading code /{code}",
                "use MeSH's two-letter codes such as /dt /su /th /di",
            )
        return name


def _pubmed_heading(text: str, vocabulary: str, explode: bool, major: bool) -> Heading:
    """``Epilepsy/drug therapy`` is the heading Epilepsy limited to one qualifier."""
    term, *qualifiers = (part.strip() for part in text.split("/"))
    return Heading(term, vocabulary, explode, major, tuple(q.lower() for q in qualifiers if q))


def combine(op: str, left: Node, right: Node) -> Node:
    """``left op right``, flattening runs of the same AND/OR into one n-ary node."""
    if op == "NOT":
        return Bool("NOT", (left, right))
    bool_op: BoolOp = "AND" if op == "AND" else "OR"
    operands = left.operands if isinstance(left, Bool) and left.op == bool_op else (left,)
    return Bool(bool_op, (*operands, right))


def with_field(node: Node, field: str) -> Node:
    """Give every untagged term under ``node`` the field ``field`` (Ovid group tags)."""
    return _map_terms(node, lambda t: t if t.field else Term(t.text, field, t.quoted, t.limit))


def _map_terms(node: Node, change: Callable[[Term], Node]) -> Node:
    if isinstance(node, Term):
        return change(node)
    if isinstance(node, Bool):
        return Bool(node.op, tuple(_map_terms(child, change) for child in node.operands))
    if isinstance(node, Near):
        return Near(
            _map_terms(node.left, change),
            _map_terms(node.right, change),
            node.distance,
            node.ordered,
        )
    return node


def _near_operator(value: str) -> tuple[int | None, bool]:
    """(distance, ordered) of ADJn / NEAR/n / NEXT / W/n / PRE/n."""
    word = value.lower()
    digits = "".join(ch for ch in word if ch.isdigit())
    distance = int(digits) if digits else None
    if word.startswith("adj"):
        return (None, True) if distance is None else (distance, False)
    if word.startswith("next"):
        return distance, True
    if word.startswith("pre"):
        return distance, True
    return (distance if distance is not None else 6), False


def _ref(token: Token) -> Node:
    if token.type == "HASHREF":
        return LineRef(int(token.value[1:]))
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
