"""Web of Science plain text ("Other reference software") and tab-delimited exports.

Both use the same two-letter field tags, so they share one mapping. In plain text, a line
indented by three spaces continues the previous tag; for the list tags (authors, addresses,
cited references) each such line is a new item, for the others it is a wrapped line.
``UT`` carries the accession with its database prefix (``WOS:``, ``ZOOREC:``, ``MEDLINE:``).
"""

from __future__ import annotations

import csv
import re

from evidens.core import Record
from evidens.core.records import RawField
from evidens.errors import FormatError
from evidens.formats._base import FormatPlugin, ParseWarning, RecordBuilder
from evidens.formats._text import head_lines, split_lines

_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_EMAIL = re.compile(r"\s*\([^()\s]+@[^()\s]+\)\s*$")
"""Zoological Record appends the author's e-mail in parentheses; it is not part of the name."""
_LIST_TAGS = {"AU", "AF", "CR", "C1", "BA", "BF", "CA", "ED"}
_UT_DATABASES = {"WOS": "wos", "ZOOREC": "zoorec", "MEDLINE": "medline", "INSPEC": "inspec"}
Tokens = list[tuple[int, list[RawField]]]


def sniff(text: str) -> int:
    lines = head_lines(text, 3)
    if not lines:
        return 0
    first = lines[0]
    if first.startswith("FN ") or (first.startswith("PT ") and "\t" not in first):
        return 90
    return 0


def sniff_tab(text: str) -> int:
    lines = head_lines(text, 1)
    return 95 if lines and lines[0].startswith("PT\tAU\t") else 0


def tokenize(text: str, name: str) -> Tokens:
    records: Tokens = []
    fields: list[RawField] | None = None
    start = 0
    for number, line in enumerate(split_lines(text), 1):
        if line.startswith("   ") and fields:
            tag, value = fields[-1]
            if tag in _LIST_TAGS:
                fields.append((tag, line.strip()))
            else:
                fields[-1] = (tag, f"{value} {line.strip()}")
            continue
        match = _LINE.match(line.rstrip())
        if match is None:
            if line.strip():
                raise FormatError(
                    f"line is not a Web of Science field: {line[:60]!r}", path=name, line=number
                )
            continue
        tag, value = match.group(1), match.group(2) or ""
        if tag == "PT":
            if fields is not None:
                raise FormatError(
                    f"record starting at line {start} has no ER line", path=name, line=number
                )
            fields, start = [("PT", value)], number
        elif tag == "ER":
            if fields is not None:
                records.append((start, fields))
            fields = None
        elif fields is not None:
            fields.append((tag, value))
    if fields is not None:
        raise FormatError(
            f"record starting at line {start} is cut off: no ER line before the end",
            path=name,
            line=start,
            field="ER",
            hint="the export is incomplete; export it again",
        )
    return records


_SIMPLE = {
    "TI": "title",
    "SO": "journal",
    "VL": "volume",
    "IS": "issue",
    "AB": "abstract",
    "BP": "start_page",
    "EP": "end_page",
    "PM": "pmid",
    "LA": "language",
    "SN": "issn",
    "EI": "issn",
}
_SPLIT = {"DE": "keywords", "ID": "keywords", "DT": "publication_types"}


def map_fields(fields: list[RawField], start: int) -> Record:
    """Record from WoS (tag, value) pairs, in file order, list tags one item per pair."""
    builder = RecordBuilder(source_database="wos")
    author_tag = "AF" if any(tag == "AF" for tag, _ in fields) else "AU"
    for tag, value in fields:
        if tag in _SIMPLE:
            builder.first(_SIMPLE[tag], value)
        elif tag in _SPLIT or tag == author_tag:
            for item in value.split(";"):
                text = _EMAIL.sub("", item) if tag == author_tag else item
                builder.add(_SPLIT.get(tag, "authors"), text)
        elif tag == "PY":
            builder.set_year(value)
        elif tag == "DI":
            builder.set_doi(value)
        elif tag == "UT":
            prefix, _, _ = value.partition(":")
            builder.accession(_UT_DATABASES.get(prefix, prefix.lower()), value)
    if builder.start_page is None:
        builder.first("pages", next((v for t, v in fields if t == "AR"), None))
    return builder.build(fields, start)


def read(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    tokens = tokenize(text, name)
    warnings = []
    if not re.search(r"(?m)^EF\s*$", text[-200:]):
        warnings.append(ParseWarning(None, "no EF line at the end: the export may be cut off"))
    return [map_fields(fields, start) for start, fields in tokens], warnings


def read_tab(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    lines = split_lines(text)
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
    header = [h.strip() for h in next(reader)]
    records = []
    for number, row in enumerate(reader, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header) - 1:
            raise FormatError(
                f"row has {len(row)} cells but the header has {len(header)}",
                path=name,
                line=number,
                hint="the file is cut off or not tab-delimited",
            )
        fields = _tab_fields(header, row)
        records.append(map_fields(fields, number))
    return records, []


def _tab_fields(header: list[str], row: list[str]) -> list[RawField]:
    """Raw (tag, cell) pairs for the non-empty cells, in column order."""
    return [(tag, cell) for tag, cell in zip(header, row, strict=False) if tag and cell.strip()]


PLUGIN = FormatPlugin(id="wos_plaintext", label="Web of Science plain text", sniff=sniff, read=read)
TAB_PLUGIN = FormatPlugin(
    id="wos_tabdelimited", label="Web of Science tab-delimited", sniff=sniff_tab, read=read_tab
)
