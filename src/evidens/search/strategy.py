"""Multi-line strategies: numbered lines, ``#`` comments, line references and joined lines.

Three shapes are accepted, as people paste them:

* one query on one line;
* numbered searches, one per line (``1 exp Spasms, Infantile/``, ``#2 west syndrome[tiab]``,
  ``3 1 or 2``, ``4 or/1-3``), where numbers and ``#n`` refer to earlier lines;
* blocks joined by lines holding only ``AND``/``OR``/``NOT`` (polyglot's convention), which
  make one query.

Unnumbered lines are numbered 1, 2, ... so references still resolve.
"""

from __future__ import annotations

import re

from evidens.errors import InputError
from evidens.search.ast import Bool, Heading, Line, LineRef, Near, Node, Strategy, Term, walk
from evidens.search.parser import parse_query
from evidens.search.treeops import combine

_NUMBERED = re.compile(r"^\s*(?:#|S(?=\d))?(\d+)[.):]?\s+(\S.*?)\s*$")
_STARTS_WITH_OPERATOR = re.compile(r"^(?:and|or|not)\b(?!/)", re.IGNORECASE)
_BARE_OPERATOR = re.compile(r"^\s*(and|or|not)\s*$", re.IGNORECASE)
_COMMENT = re.compile(r"^\s*#(?!\d)\s?(.*)$")
# Ovid's history adds notes in square brackets ([mp=title, ...], [Complications, Drug
# Therapy]); Ovid syntax has no square brackets of its own.
_OVID_ANNOTATION = re.compile(r"\s*\[[^\]\n]*\]")
_REMOVE_DUPLICATES = re.compile(r"^\s*remove\s+duplicates\s+from\s+(\d+)\s*$", re.IGNORECASE)
_OVID_HITS = re.compile(r"\s+\(\d[\d,]*\)\s*$")
_LIMIT = re.compile(r"^\s*limit\s+(\d+)\s+to\s+(.+?)\s*$", re.IGNORECASE)
_LIMIT_YEARS = re.compile(r'^yr\s*=\s*"?\s*(\d{4})\s*-\s*(\d{4}|current)\s*"?$', re.IGNORECASE)
_LIMIT_LANGUAGE = re.compile(
    r"^(english|spanish|french|german|italian|portuguese|chinese|japanese|russian|dutch"
    r"|korean|polish|swedish|danish|norwegian|turkish|arabic|hebrew|greek|czech)"
    r"(?:\s+language)?$",
    re.IGNORECASE,
)
_LIMIT_HEADINGS = {"humans": "Humans", "animals": "Animals"}
_LIMIT_PUBLICATION_TYPES = {
    "randomized controlled trial": "randomized controlled trial",
    "controlled clinical trial": "controlled clinical trial",
    "clinical trial": "clinical trial",
    "meta analysis": "meta-analysis",
    "systematic reviews": "systematic review",
    "systematic review": "systematic review",
    "review": "review",
    "guideline": "guideline",
    "practice guideline": "practice guideline",
    "observational study": "observational study",
    "case reports": "case reports",
}


def parse_strategy(text: str, *, dialect: str = "pubmed") -> Strategy:
    """Parse a one-line query or a multi-line strategy (see the module docstring)."""
    raw = [
        (number, _clean(line, dialect))
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip()
    ]
    if not raw:
        raise InputError("the query is empty", field="query", hint="write a search")
    comments = [(n, m[1].strip()) for n, line in raw if (m := _COMMENT.match(line))]
    content = [(n, line) for n, line in raw if not _COMMENT.match(line)]
    if not content:
        raise InputError(
            "the strategy has only comments", field="query", hint="add at least one search line"
        )
    operators = [(n, line) for n, line in content if _BARE_OPERATOR.match(line)]
    searches = [(n, line) for n, line in content if not _BARE_OPERATOR.match(line)]
    if operators and not (len(searches) > 1 and all(_numbering(line) for _, line in searches)):
        return _joined(comments, content, dialect)
    numbered = len(searches) > 1 and all(_numbering(line) for _, line in searches)
    strategy = _lines(raw, searches, dialect, numbered=numbered)
    return _join_blocks(strategy, content) if operators else strategy


def _lines(
    raw: list[tuple[int, str]], content: list[tuple[int, str]], dialect: str, *, numbered: bool
) -> Strategy:
    """Each search line parsed, numbered, its references to earlier lines resolved."""
    lines: list[Line] = []
    seen: set[int] = set()
    index = 0
    for source_line, line in raw:
        comment = _COMMENT.match(line)
        if comment:
            lines.append(Line(None, None, comment[1].strip()))
            continue
        if _BARE_OPERATOR.match(line):
            continue
        index += 1
        number, body = (_numbering(line) or (index, line)) if numbered else (index, line)
        duplicates = _REMOVE_DUPLICATES.match(body)
        if duplicates:  # the same records, once each: the same search for translation
            body = duplicates[1]
        limit = _LIMIT.match(body)
        node = (
            _limit(int(limit[1]), limit[2], source_line)
            if limit
            else parse_query(body, dialect=dialect, line=source_line)
        )
        if len(content) > 1:
            node = _resolve_refs(node, seen, source_line, number)
        seen.add(number)
        lines.append(Line(number, node))
    return Strategy(tuple(lines), numbered=numbered)


def _join_blocks(strategy: Strategy, content: list[tuple[int, str]]) -> Strategy:
    """Numbered blocks joined by lines holding only AND/OR/NOT (``3. 1 or 2`` / ``AND`` /
    ``6. 4 or 5``): each block stands for its last line, and a final line combines them."""
    numbers = iter(line.number for line in strategy.searches)
    blocks: list[list[int]] = [[]]
    ops: list[str] = []
    for source_line, line in content:
        bare = _BARE_OPERATOR.match(line)
        if bare is None:
            blocks[-1].append(next(numbers) or 0)
            continue
        if not blocks[-1]:
            raise InputError(
                f"{bare[1].upper()} has no search line before it",
                line=source_line,
                field="query",
                hint="put AND/OR/NOT lines between numbered searches",
            )
        ops.append(bare[1].upper())
        blocks.append([])
    if not blocks[-1]:
        raise InputError(
            f"{ops[-1]} has no search line after it",
            field="query",
            hint="end the strategy with a search line",
        )
    lines = {line.number: line.node for line in strategy.searches}
    for block in blocks:
        _check_block(block, lines)
    node: Node = LineRef(blocks[0][-1])
    for op, block in zip(ops, blocks[1:], strict=True):
        node = combine(op, node, LineRef(block[-1]))
    last = max(line.number or 0 for line in strategy.searches) + 1
    return Strategy((*strategy.lines, Line(last, node)), numbered=True)


def _check_block(block: list[int], lines: dict[int | None, Node | None]) -> None:
    """A block stands for its last line, so that line must combine the block's other lines;
    guessing how they combine could search something else."""
    last = lines.get(block[-1])
    refs = {n.number for n in walk(last) if isinstance(n, LineRef)} if last else set()
    missing = [n for n in block[:-1] if n not in refs]
    if missing:
        raise InputError(
            f"the block of lines {block[0]}-{block[-1]} joined by AND/OR/NOT does not combine "
            f"line(s) {', '.join(map(str, missing))} in its last line",
            field="query",
            hint=f"end the block with a line such as {' OR '.join(map(str, block[:-1]))}",
        )


def _clean(line: str, dialect: str) -> str:
    """Drop what Ovid's search history adds to a line: ``[mp=title, abstract, ...]`` notes
    and the hit count ``(1234)`` at the end."""
    if dialect not in ("ovid", "embase"):
        return line
    return _OVID_HITS.sub("", _OVID_ANNOTATION.sub("", line))


def _numbering(line: str) -> tuple[int, str] | None:
    match = _NUMBERED.match(line)
    if not match or _STARTS_WITH_OPERATOR.match(match[2]):
        return None
    return int(match[1]), match[2]


def _limit(number: int, spec: str, source_line: int) -> Node:
    """Ovid's ``limit 3 to (english language and yr="2010-2020")`` as ``#3 AND ...``; a
    limit naming several values of one kind (``english or spanish``) is their OR."""
    parts: list[Node] = [LineRef(number)]
    for item in re.split(r"\s+and\s+", spec.strip().strip("()"), flags=re.IGNORECASE):
        choices = [
            _limit_value(choice.strip().strip("()").strip(), source_line)
            for choice in re.split(r"\s+or\s+", item.strip().strip("()"), flags=re.IGNORECASE)
        ]
        parts.append(choices[0] if len(choices) == 1 else Bool("OR", tuple(choices)))
    return Bool("AND", tuple(parts))


def _limit_value(text: str, source_line: int) -> Node:
    """One value of an Ovid limit (Ovid MEDLINE's Limits: years, languages, humans/animals,
    publication types)."""
    years = _LIMIT_YEARS.match(text)
    language = _LIMIT_LANGUAGE.match(text)
    key = " ".join(text.lower().strip('"').split())
    if years:
        last = "3000" if years[2].lower() == "current" else years[2]
        return Term(f"{years[1]}:{last}", field="dp")
    if language:
        return Term(language[1].lower(), field="la")
    if key in _LIMIT_HEADINGS:
        return Heading(_LIMIT_HEADINGS[key], explode=False)
    if key in _LIMIT_PUBLICATION_TYPES:
        return Term(_LIMIT_PUBLICATION_TYPES[key], field="pt", quoted=True)
    raise InputError(
        f"cannot translate the Ovid limit {text!r}",
        line=source_line,
        field="query",
        hint='write it as a search line; limits read: yr="a-b", <language> language, '
        "humans, animals, and publication types such as randomized controlled trial",
    )


def _joined(
    comments: list[tuple[int, str]], content: list[tuple[int, str]], dialect: str
) -> Strategy:
    parts = [
        line.strip() if _BARE_OPERATOR.match(line) else f"({line.strip()})" for _, line in content
    ]
    node = parse_query(" ".join(parts), dialect=dialect, line=content[0][0])
    lines = [Line(None, None, comment) for _, comment in comments]
    return Strategy((*lines, Line(1, node)))


def _resolve_refs(node: Node, seen: set[int], source_line: int, number: int) -> Node:
    """Bare numbers become references to earlier lines; a reference forward is an error."""
    if isinstance(node, Term) and node.text.isdigit() and not node.quoted and not node.field:
        if int(node.text) in seen:
            return LineRef(int(node.text))
        if int(node.text) >= number:
            raise InputError(
                f"line {number} refers to line {node.text}, which is not an earlier line",
                line=source_line,
                field="query",
                hint="refer only to lines above this one (quote a number meant as a word)",
            )
        return node
    if isinstance(node, LineRef):
        if node.number not in seen:
            raise InputError(
                f"line {number} refers to line {node.number}, which is not an earlier line",
                line=source_line,
                field="query",
                hint="refer only to lines above this one",
            )
        return node
    if isinstance(node, Bool):
        return Bool(
            node.op, tuple(_resolve_refs(c, seen, source_line, number) for c in node.operands)
        )
    if isinstance(node, Near):
        return Near(
            _resolve_refs(node.left, seen, source_line, number),
            _resolve_refs(node.right, seen, source_line, number),
            node.distance,
            node.ordered,
        )
    return node
