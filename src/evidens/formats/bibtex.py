"""BibTeX: a small tolerant reader (WoS, Scopus, Zotero, JabRef flavours) and a writer.

We parse BibTeX ourselves rather than depend on bibtexparser: exports only use entries with
braced, quoted or bare values, and owning the parser lets every problem carry its line
number. LaTeX escapes common in exports (accents, ``{\\textless}``, ``\\&``) are decoded for
the mapped fields; the raw fields keep the file's text exactly.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from evidens.core import Record
from evidens.core.records import RawField
from evidens.errors import FormatError
from evidens.formats._base import FormatPlugin, ParseWarning, RecordBuilder
from evidens.formats._text import head_lines

_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*[{(]")
_FIELD_NAME = re.compile(r"\s*([A-Za-z][\w\-:.+]*)\s*=\s*")
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303"}
_ACCENTS |= {"c": "\u0327", "=": "\u0304", ".": "\u0307", "v": "\u030c", "u": "\u0306"}
_SYMBOLS = {
    "textless": "<",
    "textgreater": ">",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textquoteright": "\u2019",
    "textquoteleft": "\u2018",
    "ss": "\u00df",
    "o": "\u00f8",
    "O": "\u00d8",
    "ae": "\u00e6",
    "aa": "\u00e5",
    "l": "\u0142",
    "i": "i",
}
_ACCENT_CMD = re.compile(r"\\([`'^\"~=.]|[cvu](?=[\s{]))\s*\{?\s*\\?([A-Za-z])\}?")
_SYMBOL_CMD = re.compile(r"\\([A-Za-z]+)\b\s?(?:\{\})?")
_ESCAPED = re.compile(r"\\([&%$#_{}])")
_SKIPPED = {"comment", "preamble", "string"}
_DELIMITERS_BRACE = re.compile(r"\\.|[{}]", re.DOTALL)
_DELIMITERS_PAREN = re.compile(r"\\.|[{}()]", re.DOTALL)


def sniff(text: str) -> int:
    lines = head_lines(text, 5)
    return 85 if lines and _ENTRY.match(lines[0].lstrip()) else 0


def latex_to_text(value: str) -> str:
    """Readable text from a BibTeX value: accents and symbols decoded, grouping braces gone."""
    import unicodedata

    text = _ACCENT_CMD.sub(lambda m: m.group(2) + _ACCENTS[m.group(1)], value)
    text = _SYMBOL_CMD.sub(lambda m: _SYMBOLS.get(m.group(1), m.group(0)), text)
    text = _ESCAPED.sub(lambda m: "\x00" + m.group(1), text)
    text = text.replace("{", "").replace("}", "").replace("\x00", "")
    text = text.replace("--", "\u2013") if "--" in text and " -- " not in text else text
    return unicodedata.normalize("NFC", " ".join(text.split()))


class _Scanner:
    """Walks the text once, tracking the line number for error messages."""

    def __init__(self, text: str, name: str) -> None:
        self.text, self.name, self.pos = text, name, 0
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self._newlines, self.pos if pos is None else pos) + 1

    def fail(self, message: str, pos: int | None = None) -> FormatError:
        return FormatError(message, path=self.name, line=self.line(pos), hint="fix or re-export")

    def balanced(self, open_pos: int, closer: str) -> int:
        """Index just past the matching ``closer`` of the brace/paren at ``open_pos``."""
        opener = self.text[open_pos]
        pattern = _DELIMITERS_PAREN if opener == "(" else _DELIMITERS_BRACE
        depth = 0
        for match in pattern.finditer(self.text, open_pos):
            char = match.group(0)
            if char[0] == "\\":
                continue
            if char in ("{", opener):
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return match.end()
        raise self.fail("entry is cut off: braces never close", open_pos)


def _skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _value_part(scanner: _Scanner, pos: int, end: int, name: str) -> tuple[str, int]:
    """One braced, quoted or bare piece of a value, and the index just after it."""
    text = scanner.text
    char = text[pos]
    if char == "{":
        close = scanner.balanced(pos, "}")
        return text[pos + 1 : close - 1], close
    if char == '"':
        close = text.find('"', pos + 1, end)
        if close < 0:
            raise scanner.fail(f"field {name}: quote never closes", pos)
        return text[pos + 1 : close], close + 1
    bare = re.match(r"[^,#}\s)]+", text[pos:end])
    if bare is None:
        raise scanner.fail(f"field {name} has no value", pos)
    return bare.group(0), pos + bare.end()


def _field_value(scanner: _Scanner, pos: int, end: int, name: str) -> tuple[str, int]:
    """A whole value, joining ``#``-concatenated pieces."""
    parts = []
    while True:
        if pos >= end:
            raise scanner.fail(f"field {name} has no value", pos)
        part, pos = _value_part(scanner, pos, end, name)
        parts.append(part)
        pos = _skip_space(scanner.text, pos, end)
        if pos < end and scanner.text[pos] == "#":
            pos = _skip_space(scanner.text, pos + 1, end)
            continue
        return "".join(parts), pos


def _values(scanner: _Scanner, body_start: int, body_end: int) -> list[RawField]:
    """The (name, value) pairs of one entry body, values verbatim without outer delimiters."""
    text, pos, fields = scanner.text, body_start, []
    while pos < body_end:
        match = _FIELD_NAME.match(text, pos, body_end)
        if match is None:
            if text[pos:body_end].strip(" \t\r\n,"):
                raise scanner.fail("expected `name = value` in entry", pos)
            break
        name = match.group(1)
        value, pos = _field_value(scanner, match.end(), body_end, name)
        fields.append((name, value))
        pos = _skip_space(text, pos, body_end)
        if pos < body_end and text[pos] == ",":
            pos += 1
        elif pos < body_end:
            raise scanner.fail(f"expected a comma after field {name}", pos)
    return fields


def entries(text: str, name: str) -> list[tuple[int, str, str, list[RawField]]]:
    """(line, entry type, key, fields) per entry; comments, strings and preambles skipped."""
    scanner = _Scanner(text, name)
    found = []
    pos = 0
    while (match := _ENTRY.search(text, pos)) is not None:
        kind = match.group(1).lower()
        open_pos = match.end() - 1
        end = scanner.balanced(open_pos, "}" if text[open_pos] == "{" else ")")
        pos = end
        if kind in _SKIPPED:
            continue
        body = text[match.end() : end - 1]
        key, comma, _ = body.partition(",")
        if not comma:
            raise scanner.fail("entry has no key followed by a comma", match.start())
        body_start = match.end() + len(key) + 1
        found.append(
            (scanner.line(match.start()), kind, key.strip(), _values(scanner, body_start, end - 1))
        )
    return found


def _map(kind: str, key: str, fields: list[RawField], line: int) -> Record:
    builder = RecordBuilder()
    lower = {n.lower(): v for n, v in reversed(fields)}
    get = {n: latex_to_text(v) for n, v in lower.items()}
    builder.first("title", get.get("title"))
    for author in re.split(r"\s+and\s+", lower.get("author", "")):
        builder.add("authors", latex_to_text(author))
    builder.set_year(get.get("year"))
    builder.first("journal", get.get("journal") or get.get("booktitle"))
    builder.first("volume", get.get("volume"))
    builder.first("issue", get.get("number"))
    builder.first("pages", (get.get("pages") or "").replace("\u2013", "-"))
    builder.set_doi(lower.get("doi"))
    builder.first("abstract", get.get("abstract"))
    for keyword in re.split(r"[;,]\s*", get.get("keywords", "")):
        builder.add("keywords", keyword)
    builder.first("language", get.get("language"))
    builder.first("issn", get.get("issn"))
    builder.first("pmid", get.get("pmid") or get.get("pubmed_id"))
    builder.add("urls", get.get("url"))
    builder.add("publication_types", get.get("document_type") or get.get("type") or kind)
    _ids(builder, key, get)
    return builder.build([("ENTRYTYPE", kind), ("ID", key), *fields], line)


def _ids(builder: RecordBuilder, key: str, get: dict[str, str]) -> None:
    unique = get.get("unique-id", key)
    if unique.startswith("WOS:"):
        builder.source_database = "wos"
        builder.accession("wos", unique)
    if get.get("source", "").lower() == "scopus":
        builder.source_database = "scopus"
        eid = re.search(r"eid=([\w.\-]+)", get.get("url", ""))
        if eid:
            builder.accession("scopus", eid.group(1))


def read(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    try:
        found = entries(text, name)
    except FormatError as error:
        found, warnings = _recover(text, name, error)
        return [_map(kind, key, fields, line) for line, kind, key, fields in found], warnings
    return [_map(kind, key, fields, line) for line, kind, key, fields in found], []


# --- recovery: one field per line ------------------------------------------------------------
# EBSCOhost writes each field on its own line and copies scraped page text into Keywords,
# braces and all; one unbalanced brace makes the whole file unreadable as BibTeX. Such files
# are read again entry by entry, and an entry the strict reader refuses is read line by line.

_ENTRY_LINE = re.compile(r"^\s*@\s*([A-Za-z]+)\s*\{\s*([^,\s]*)\s*,\s*$")
_FIELD_LINE = re.compile(r"^\s*([A-Za-z][\w\-:.+]*)\s*=\s*(.*?)\s*$")


def _recover(
    text: str, name: str, error: FormatError
) -> tuple[list[tuple[int, str, str, list[RawField]]], list[ParseWarning]]:
    """Entries of a one-field-per-line export; re-raises ``error`` for other files."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _ENTRY_LINE.match(line)]
    if not starts or not _one_field_per_line(lines, starts):
        raise error
    found: list[tuple[int, str, str, list[RawField]]] = []
    warnings: list[ParseWarning] = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else len(lines)
        chunk = "\n".join(lines[start:stop])
        try:
            strict = entries(chunk, name)
        except FormatError:
            strict = []
        if len(strict) == 1:
            line, kind, key, fields = strict[0]
            found.append((line + start, kind, key, fields))
            continue
        entry, bad = _entry_by_lines(lines, start, stop)
        found.append(entry)
        warnings.append(
            ParseWarning(
                bad,
                f"entry {entry[2] or entry[1]}: unbalanced braces in field "
                f"{_field_at(lines, bad - 1)}; read one field per line (check that field)",
            )
        )
    return found, warnings


def _one_field_per_line(lines: list[str], starts: list[int]) -> bool:
    """Whether entries look like EBSCO's: ``@type{key,`` alone on a line, fields on their own
    lines, and every entry closed by a line holding only ``}`` (a file cut off is not)."""
    bounds = [*starts[1:], len(lines)]
    for start, stop in zip(starts, bounds, strict=True):
        body = [line.strip() for line in lines[start + 1 : stop] if line.strip()]
        if not body or body[-1] != "}" or not _FIELD_LINE.match(body[0]):
            return False
    return True


def _entry_by_lines(
    lines: list[str], start: int, stop: int
) -> tuple[tuple[int, str, str, list[RawField]], int]:
    """One entry read line by line, and the 1-based line of its first unbalanced field."""
    head = _ENTRY_LINE.match(lines[start])
    assert head is not None
    fields: list[RawField] = []
    bad = start + 1
    for number in range(start + 1, stop):
        line = lines[number]
        match = _FIELD_LINE.match(line)
        if match is None:
            if line.strip() in ("}", ")", "") or not fields:
                continue
            name, value = fields[-1]
            fields[-1] = (name, f"{value}\n{line.strip()}")
            continue
        value = match.group(2).removesuffix(",").strip()
        if value.count("{") != value.count("}") and bad == start + 1:
            bad = number + 1
        if value[:1] in ('"', "{"):
            value = value[1:]
            value = value[:-1] if value[-1:] in ('"', "}") else value
        fields.append((match.group(1), value))
    return (start + 1, head.group(1).lower(), head.group(2), fields), bad


def _field_at(lines: list[str], index: int) -> str:
    match = _FIELD_LINE.match(lines[index]) if 0 <= index < len(lines) else None
    return match.group(1) if match else "?"


def _braced(value: str) -> str:
    """A value safe inside ``{...}``: unbalanced braces are escaped, line breaks kept."""
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth == 0:
        return value
    return value.replace("{", "\\{").replace("}", "\\}")


def write_bibtex(records: Iterable[Record]) -> str:
    """BibTeX entries (``@article``) with the mapped fields; keys are unique per file."""
    out = []
    seen: dict[str, int] = {}
    for record in records:
        base = re.sub(r"\W", "", (record.first_author or "anon").split(",")[0]) or "anon"
        base = f"{base}{record.year or ''}"
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base}_{seen[base]}"
        fields = [
            ("title", record.title),
            ("author", " and ".join(record.authors) or None),
            ("year", str(record.year) if record.year is not None else None),
            ("journal", record.journal),
            ("volume", record.volume),
            ("number", record.issue),
            ("pages", record.pages),
            ("doi", record.doi),
            ("pmid", record.pmid),
            ("issn", record.issn),
            ("abstract", record.abstract),
            ("keywords", "; ".join((*record.keywords, *record.subject_headings)) or None),
            ("language", record.language),
            ("url", record.urls[0] if record.urls else None),
        ]
        body = ",\n".join(f"  {name} = {{{_braced(value)}}}" for name, value in fields if value)
        out.append(f"@article{{{key},\n{body}\n}}\n")
    return "\n".join(out)


PLUGIN = FormatPlugin(id="bibtex", label="BibTeX", sniff=sniff, read=read)
