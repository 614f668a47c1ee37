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
from functools import cache

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from evidens.errors import InputError
from evidens.search.ast import Bool, Heading, Near, Node
from evidens.search.builder import Builder
from evidens.search.vocabulary import qualifier_name

DIALECTS = (
    "pubmed",
    "ovid",
    "embase",
    "cochrane",
    "scopus",
    "wos",
    "cinahl",
    "ebsco",
    "ictrp",
    "ctgov",
)
_EBSCO = ("cinahl", "ebsco")
MAX_QUERY_CHARS = 100_000
MAX_NESTING = 64
MAX_DEPTH = 200

_HEAD_WORD = (
    r"(?!(?:and|or|not|adj\d*|near|next|exp)(?=[\s(\/]))"
    r"[^\s,()\/\[\]\"'{}<>.][^\s,()\/\[\]\"{}<>.]*"
)

_SCOPUS_CODES = (
    "TITLE-ABS-KEY|TITLE-ABS|TITLE|ABS|KEY|AUTH|SRCTITLE|LANGUAGE|DOCTYPE|CHEM|INDEXTERMS|ALL"
    "|PUBYEAR|PMID|DOI|AFFIL|ISSN|ISBN|VOLUME|ISSUE"
)
_WOS_CODES = "TS|TI|AB|AU|SO|PY|DT|LA|ALL|AK|AD|OG|DO|PMID"
_QUALS = r"(?:[a-z]{2}(?:\s*,\s*[a-z]{2})*)?(?![\w\/])"

_GRAMMAR = rf"""
?start: query
query: near (BOOL near)*
near: atom (NEAROP atom)*
?atom: group | term | heading | ref | template | fielded
group: "(" query ")" suffix*
fielded: FIELDFN query ")"
term: (WORD+ | PHRASE | SQPHRASE | BRACE) suffix*
suffix: TAG | COLONFIELD | DOTFIELD | SLASHHEAD
heading: (OVIDHEAD | QOVIDHEAD | MHBRACKET) suffix*
ref: HASHREF | LINEOP
template: TEMPLATE

LINEOP.9: /(?i:or|and)\/\s*\d+(?:\s*-\s*\d+)?(?:\s*,\s*\d+(?:\s*-\s*\d+)?)*/
FIELDFN.8: /(?:{_SCOPUS_CODES})\s*\(|(?:{_WOS_CODES})\s*=\s*\(/
MHBRACKET.8: /\[(?i:mh)\s+[^\]\n]+\]/
TEMPLATE.7: /<[^<>\n]+>/
QOVIDHEAD.7: /(?i:(?:exp\s+)?\*?"[^"\n]+"\/{_QUALS})/
OVIDHEAD.6: /(?i:(?:exp\s+)?\*?{_HEAD_WORD}(?:[ ,]+{_HEAD_WORD})*\/{_QUALS})/
BOOL.5: /(?i:and\s+not|and|or|not)(?![^\s()"'])/
NEAROP.5: /(?i:adj\d*|near\/\d+|near\d*|next(?:\/\d+)?|w\/\d+|pre\/\d+@EBSCO_NEAR@)(?![^\s()"'])/
HASHREF.5: /#\d+@EBSCO_REF@/
SLASHHEAD.4: /\/(?:exp|de|mj)(?:\/(?:exp|de|mj))*/
DOTFIELD.4: /\.(?i:[a-z]{{2,3}}(?:,[a-z]{{2,3}})*)\.?/
COLONFIELD.4: /:(?i:[a-z]{{2,3}}(?:,[a-z]{{2,3}})*)/
PHRASE.3: /"[^"\n]*"/
SQPHRASE.3: /'[^'\n]*'/
BRACE.3: /\{{[^{{}}\n]*\}}/
TAG.3: /\[[^\]\n]*\]/
WORD: /[^\s()\[\]"{{}}<>\/:.'][^\s()\[\]"{{}}<>\/]*(?:\/[^\s()\[\]"{{}}<>\/]+)*/
%ignore /\s+/
"""


@cache
def _lark(ebsco: bool) -> Lark:
    """The parser; EBSCO syntaxes add ``Nn``/``Wn`` proximity and ``Sn`` line references, which
    would misread words such as "omega n3" elsewhere."""
    grammar = _GRAMMAR.replace("@EBSCO_NEAR@", r"|n\d+|w\d+" if ebsco else "").replace(
        "@EBSCO_REF@", r"|S\d+" if ebsco else ""
    )
    return Lark(
        grammar, parser="lalr", lexer="basic", maybe_placeholders=False, propagate_positions=True
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
    if dialect == "pubmed" and ":" in text:
        text = _PUBMED_DATE_RANGE.sub(lambda m: f'"{m[1]}:{m[3]}"[{m["tag"]}]', text)
    if dialect == "ovid" and "exp" in text.lower():
        text = _EXP_HEADING.sub(lambda m: f'{m[1]}"{" ".join(m[2].split())}"/', text)
    whole = _whole_line_heading(text) if dialect == "ovid" else None
    if whole is not None:
        return whole
    parser = _lark(dialect in _EBSCO)
    try:
        tree = parser.parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc, line) from None
    node = Builder(text, dialect, line).node(tree)
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


# PubMed's date range: "2010/01/01"[dp] : "2024/12/31"[dp] (both ends carry the same tag).
_PUBMED_DATE_RANGE = re.compile(
    r'"?(\d{4}(?:/\d{1,2}){0,2})"?\s*\[(?P<tag>[^\]\n]+)\]\s*:\s*'
    r'"?(\d{4}(?:/\d{1,2}){0,2})"?\s*\[(?P=tag)\]'
)

# ``exp`` always names a heading, up to the next slash: ``exp Wounds and Injuries/`` is one
# heading even inside a longer line (quoted so that "and" is not read as an operator).
_EXP_HEADING = re.compile(
    r"(\bexp\s+\*?)((?=[^\"()/\[\].]*\s(?:and|or|not)\s)[^\"()/\[\].]+?)\s*/",
    re.IGNORECASE,
)

_WHOLE_HEADING = re.compile(
    r"^\s*(?P<exp>exp\s+)?(?P<major>\*)?(?P<term>[^\"()\[\]/.<>#]+?)\s*/"
    r"(?P<quals>[a-z]{2}(?:,[a-z]{2})*)?\s*$",
    re.IGNORECASE,
)


def _whole_line_heading(text: str) -> Node | None:
    """An Ovid line that is one heading whose name holds "and" (``exp Head and Neck
    Neoplasms/``): Ovid reads the whole line before the slash as the heading."""
    match = _WHOLE_HEADING.match(text)
    if match is None or not re.search(r"\band\b", match["term"], re.IGNORECASE):
        return None
    if re.search(r"\b(?:or|not|adj\d*|exp)\b", match["term"], re.IGNORECASE):
        return None
    names = [qualifier_name(code) for code in (match["quals"] or "").split(",") if code]
    if any(name is None for name in names):
        return None
    return Heading(
        " ".join(match["term"].split()),
        explode=bool(match["exp"]),
        major=bool(match["major"]),
        qualifiers=tuple(n for n in names if n),
    )
