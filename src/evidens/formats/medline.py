"""PubMed MEDLINE (.nbib) and Ovid tagged exports: 2-4 letter tags, ``- ``, indented wraps.

Both formats wrap long values onto lines indented by six spaces (Ovid also leaves some
unindented); a wrapped line is the same value, so it is joined with a space. MEDLINE
separates records by blank lines and opens each with ``PMID-``; Ovid opens each with
``<n. >``. We keep authors in file order because de-duplication compares first authors.
"""

from __future__ import annotations

import re

from evidens.core import Record
from evidens.core.records import RawField
from evidens.errors import FormatError
from evidens.formats._base import FormatPlugin, ParseWarning, RecordBuilder, mentions_registry
from evidens.formats._text import head_lines, split_lines

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *- ?(.*)$")
_OVID_START = re.compile(r"^<\d+\. ?>\s*$")
_WRAP = re.compile(r"\n +")
_SHORT_THEN_WRAP = re.compile(r"\n[^ \n][^\n]{0,4}\n ")
"""A line of at most five characters continued by a wrapped line. Joined, it could pass for
a ``TAG - value`` line (``Z99`` + ``-`` + ``9``), or be a tag whose value is empty, where
the line walk keeps a leading space: the fast tokenizer leaves such files to the walk."""
_ODD_SPACES = (
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character ``str.isspace`` accepts besides space and newline: files holding one take
the line walk (``str.find`` per character is far faster than a regex class over the text)."""
_FIELD = re.compile(
    r"\n([A-Z](?=   - )|[A-Z][^\n](?=  - )|[A-Z][^\n]{2}(?= - )|[A-Z][^\n]{3}(?=- )) *- ([^\n]*)"
)
"""One ``TAG - value`` line after its line break: a tag padded with spaces to four characters,
then ``- ``. Shortest tag first, so the group leaves out the padding (``line[:4].rstrip()``);
the leading line break lets the regex engine jump from line to line, and means a match can
never start inside a line."""
_PAGES = re.compile(r"^(\d+)-(\d+)$")
_SO = re.compile(
    r"^(?P<journal>.+?)\.\s.*?(?P<volume>\d+)\s*(?:\((?P<issue>[^)]*)\))?"
    r"\s*(?:\((?P<nopage>no pagination)\)|\(?(?P<pages>[\d]+(?:-\d+)?)\)?)?,\s*(?P<year>\d{4})"
)
Tokens = list[tuple[int, list[RawField]]]


def sniff_medline(text: str) -> int:
    lines = head_lines(text, 3)
    return 95 if lines and lines[0].startswith("PMID-") else 0


def sniff_ovid(text: str) -> int:
    lines = head_lines(text, 3)
    ovid = len(lines) > 1 and _OVID_START.match(lines[0]) and "Ovid Technologies" in lines[1]
    return 95 if ovid else 0


def _split(line: str) -> tuple[str, str] | None:
    """(tag, value) of a tagged line: fast path for ``TAG - value`` padded to 4 characters."""
    if line[4:6] == "- " and "A" <= line[0] <= "Z":
        return line[:4].rstrip(), line[6:].rstrip()
    match = None if line.startswith(" ") else _TAG.match(line)
    return (match.group(1), match.group(2).rstrip()) if match else None


def _before_first_record(line: str, number: int, name: str) -> FormatError:
    return FormatError(
        f"text before the first record: {line[:60]!r}",
        path=name,
        line=number,
        hint="the file is not a complete MEDLINE/Ovid export",
    )


def tokenize(text: str, name: str, *, ovid: bool) -> Tokens:
    """(start line, raw fields) per record; wrapped lines joined to their tag's value."""
    fast = None if ovid else _tokenize_clean(text)
    return fast if fast is not None else _tokenize_lines(text, name, ovid=ovid)


def _tokenize_clean(text: str) -> Tokens | None:
    """Records of a plain PubMed file (blank-line separated, ``PMID-`` first, indented wraps)
    found with whole-text string operations; ``None`` when anything needs the line walk.

    Gives exactly what :func:`_tokenize_lines` gives on such a file (tested on every sample).
    Spaces ending a line are dropped first, so a blank-looking line is empty and records
    split on an empty line; line numbers count the line breaks, which that never removes.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(space in text for space in _ODD_SPACES):
        return None
    for _ in range(8):  # str.replace is far faster than a regex over the whole text
        if " \n" not in text:
            break
        text = text.replace(" \n", "\n")
    else:
        return None  # runs of many trailing spaces: the line walk handles those
    records: Tokens = []
    line = 1
    for chunk in text.rstrip().split("\n\n"):
        block = chunk.lstrip("\n")
        if block:
            joined = block
            if "\n " in block:
                if _SHORT_THEN_WRAP.search("\n" + block):
                    return None
                joined = _WRAP.sub(" ", block)
            if not joined.startswith("PMID- ") or "\nPMID-" in joined:
                return None
            fields: list[RawField] = _FIELD.findall("\n" + joined)
            if len(fields) != joined.count("\n") + 1:
                return None  # a line that is not ``TAG - value``
            records.append((line + len(chunk) - len(block), fields))
        line += chunk.count("\n") + 2
    return records or None


def _tokenize_lines(text: str, name: str, *, ovid: bool) -> Tokens:
    """The general walk over lines (Ovid record openers, unindented wraps).

    Each field is kept as a list of its lines until the next tag, then joined once: the
    hot loop of a large import avoids repeated string concatenation.
    """
    records: Tokens = []
    fields: list[list[str]] | None = None
    start = 0
    for number, line in enumerate(split_lines(text), 1):
        if not line or line.isspace():
            continue
        if ovid and line[0] == "<" and _OVID_START.match(line):
            if fields:
                records.append((start, _joined(fields)))
            fields, start = [], number
            continue
        tagged = _split(line)
        if tagged is not None and not ovid and (fields is None or tagged[0] == "PMID"):
            if fields:
                records.append((start, _joined(fields)))
            fields, start = [], number
        if fields is None:
            raise _before_first_record(line, number, name)
        if tagged is not None:
            fields.append([tagged[0], tagged[1]])
        elif fields:
            fields[-1].append(line.strip())
    if fields:
        records.append((start, _joined(fields)))
    return records


def _joined(fields: list[list[str]]) -> list[RawField]:
    """[tag, first line, more lines...] -> (tag, lines joined by spaces)."""
    return [(f[0], f[1]) if len(f) == 2 else (f[0], " ".join(f[1:])) for f in fields]


def _expand_pages(value: str) -> str:
    """MEDLINE abbreviates end pages: "466-75" means 466-475."""
    match = _PAGES.match(value.strip())
    if not match:
        return value.strip()
    first, last = match.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return f"{first}-{last}"


def _map_medline(fields: list[RawField], start: int, registry: bool = True) -> Record:
    builder = RecordBuilder(source_database="pubmed")
    for tag, value in fields:
        kind = _MEDLINE_KIND.get(tag)
        if kind is None:
            continue
        single, attr = kind
        if single:
            if getattr(builder, attr) is None and (text := value.strip()):
                setattr(builder, attr, text)
        elif attr:
            builder.add(attr, value)
        else:
            _medline_tag(builder, tag, value)
    if not builder.authors:
        for tag, value in fields:
            if tag in {"AU", "CN"}:
                builder.add("authors", value)
    if builder.journal is None:
        builder.first("journal", next((v for t, v in fields if t == "TA"), None))
    return builder.build(fields, start, registry_ids=registry)


_MEDLINE_SINGLE = {
    "PMID": "pmid",
    "TI": "title",
    "BTI": "title",
    "JT": "journal",
    "VI": "volume",
    "IP": "issue",
    "AB": "abstract",
    "LA": "language",
    "PMC": "pmcid",
    "IS": "issn",
}
_MEDLINE_LISTS = {
    "FAU": "authors",
    "MH": "subject_headings",
    "OT": "keywords",
    "PT": "publication_types",
}


_MEDLINE_OTHER = frozenset({"DP", "PG", "LID", "AID"})
_MEDLINE_KIND: dict[str, tuple[bool, str]] = {
    **dict.fromkeys(_MEDLINE_OTHER, (False, "")),
    **{tag: (False, attr) for tag, attr in _MEDLINE_LISTS.items()},
    **{tag: (True, attr) for tag, attr in _MEDLINE_SINGLE.items()},
}
"""Tag -> (sets a single field?, field name or "" for :func:`_medline_tag`): one dict
lookup per field, the inner loop of a large import."""


def _medline_tag(builder: RecordBuilder, tag: str, value: str) -> None:
    if tag == "DP":
        builder.set_year(value)
    elif tag == "PG":
        builder.first("pages", _expand_pages(value))
    elif tag in {"LID", "AID"} and value.endswith("[doi]"):
        builder.set_doi(value)


def _map_ovid(fields: list[RawField], start: int) -> Record:
    database = next((v for t, v in fields if t == "DB"), "").strip()
    builder = RecordBuilder(source_database=database.lower().split(" ")[0] or None)
    for tag, value in fields:
        _ovid_tag(builder, tag, value, builder.source_database)
    source = next((v for t, v in fields if t == "SO"), None)
    match = _SO.match(source or "")
    if match:
        builder.first("journal", match.group("journal"))
        builder.first("volume", match.group("volume"))
        builder.first("issue", match.group("issue"))
        builder.first("pages", match.group("pages"))
        builder.set_year(match.group("year"))
    return builder.build(fields, start)


def _ovid_tag(builder: RecordBuilder, tag: str, value: str, database: str | None) -> None:
    simple = {"TI": "title", "AB": "abstract", "LG": "language", "PM": "pmid", "IS": "issn"}
    if tag in simple:
        builder.first(simple[tag], value)
    elif tag == "AU":
        builder.add("authors", value)
    elif tag == "YR":
        builder.set_year(value)
    elif tag == "DO":
        builder.set_doi(value)
    elif tag in {"MH", "OD"}:
        builder.add("subject_headings", value)
    elif tag == "KW":
        builder.add("keywords", value)
    elif tag == "PT":
        builder.add("publication_types", value)
    elif tag == "UI":
        if database == "embase":
            builder.accession("embase", value)
        elif database and database.startswith("ovid"):
            builder.first("pmid", value)
        elif database:
            builder.accession(database, value)


def _check_complete(tokens: Tokens, text: str, name: str) -> None:
    """Refuse a PubMed file cut mid-record.

    MEDLINE has no end-of-record tag like RIS's ``ER``, but PubMed writes ``SO`` (the
    source citation) last in every record. So when every other record ends with ``SO``
    and the last one does not, or a last record without ``SO`` stops mid-line, the file
    was cut: reading it would silently lose the end of a record (or the records after it).
    """
    if not tokens:
        return
    start, fields = tokens[-1]
    if fields[-1][0] == "SO":
        return
    earlier_end_with_so = len(tokens) > 1 and all(f[-1][0] == "SO" for _, f in tokens[:-1])
    if earlier_end_with_so or not text.endswith(("\n", "\r")):
        last_line = len(split_lines(text.rstrip("\r\n")))
        raise FormatError(
            f"record starting at line {start} is cut off: it ends without its SO line",
            path=name,
            line=last_line,
            field="SO",
            hint="the export is damaged or incomplete; export it again",
        )


def read_medline(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    tokens = tokenize(text, name, ovid=False)
    _check_complete(tokens, text, name)
    registry = mentions_registry(text)
    return [_map_medline(fields, start, registry) for start, fields in tokens], []


def read_ovid(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    tokens = tokenize(text, name, ovid=True)
    return [_map_ovid(fields, start) for start, fields in tokens], []


PLUGIN = FormatPlugin(
    id="medline", label="PubMed MEDLINE (.nbib)", sniff=sniff_medline, read=read_medline
)
OVID_PLUGIN = FormatPlugin(
    id="ovid_tagged", label="Ovid tagged export", sniff=sniff_ovid, read=read_ovid
)
