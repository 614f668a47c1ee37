"""CSV and TSV exports: PubMed, Scopus, Embase, CENTRAL, EBSCO, Lens, OpenAlex, ClinicalTrials.gov.

One reader serves them all: it finds the header row (Embase puts a search-query preamble
before it), picks the flavour from the header's columns, and maps columns by name, never by
position, because vendors change column sets between years and users pick columns.
"""

from __future__ import annotations

import _csv
import csv
import io
import re
from collections.abc import Iterable

from evidens.core import Record
from evidens.errors import FormatError
from evidens.formats._base import FormatPlugin, ParseWarning, RecordBuilder
from evidens.formats._csv_flavours import FLAVOURS, Flavour, Row
from evidens.formats._text import split_lines

csv.field_size_limit(64 * 1024 * 1024)
_EXCEL_WRAPPED = re.compile(r'^="(.*)"$', re.DOTALL)
_NO_VALUE = {"[No abstract available]", "nan", "None", "NA"}
_PLUGIN_FLAVOURS = {
    "pubmed_csv": {"pubmed_csv"},
    "scopus_csv": {"scopus_csv"},
    "ctgov_csv": {"ctgov_csv"},
    "vendor_csv": {"embase", "central", "ebsco", "lens", "openalex"},
}


def _reader(lines: Iterable[str], delimiter: str) -> _csv.Reader:
    """Tab-separated exports are never quoted (a quote is text); CSVs quote as usual."""
    if delimiter == "\t":
        return csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
    return csv.reader(lines, delimiter=",", quoting=csv.QUOTE_MINIMAL, strict=True)


SEMICOLON_HINT = (
    "a spreadsheet set to a locale with decimal commas saves CSV so: save it comma-separated, "
    "as Excel's 'CSV UTF-8', or better import the database's original export, since "
    "spreadsheets can change long cells and identifiers"
)


def semicolon_delimited(line: str) -> bool:
    """Whether a header line is split by semicolons rather than commas or tabs."""
    return line.count(";") > max(line.count(","), line.count("\t"))


def _header(line: str) -> tuple[list[str], str]:
    if semicolon_delimited(line):
        cells = [c.strip().strip('"') for c in line.split(";")]
        return cells, ";"
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    try:
        cells = next(_reader([line], delimiter), [])
    except csv.Error:
        return [], delimiter
    return [c.strip() for c in cells], delimiter


def find_header(text: str) -> tuple[int, Flavour, str] | None:
    """(0-based line of the header row, flavour, delimiter), searching the first lines."""
    for index, line in enumerate(split_lines(text[:50000])[:15]):
        if not line.strip():
            continue
        cells, delimiter = _header(line)
        names = set(cells)
        for flavour in FLAVOURS:
            if flavour.matches(names):
                return index, flavour, delimiter
    return None


def _sniffer(plugin_id: str) -> FormatPlugin:
    def sniff(text: str) -> int:
        found = find_header(text)
        if found is None and plugin_id == "vendor_csv" and _semicolon_table(text):
            return 5  # read only to say what is wrong, when no other format claims it
        return 80 if found and found[1].name in _PLUGIN_FLAVOURS[plugin_id] else 0

    def read(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
        return read_csv(text, name, _PLUGIN_FLAVOURS[plugin_id])

    label = {
        "pubmed_csv": "PubMed CSV",
        "scopus_csv": "Scopus CSV",
        "ctgov_csv": "ClinicalTrials.gov CSV/TSV download",
        "vendor_csv": "vendor CSV (Embase, CENTRAL, EBSCO, Lens, OpenAlex)",
    }[plugin_id]
    return FormatPlugin(id=plugin_id, label=label, sniff=sniff, read=read)


def _cell(value: str) -> str:
    wrapped = _EXCEL_WRAPPED.match(value.strip())
    return wrapped.group(1) if wrapped else value


def _semicolons(name: str, line: int) -> FormatError:
    return FormatError(
        "the columns are separated by semicolons, not commas",
        path=name,
        line=line,
        hint=SEMICOLON_HINT,
    )


def _semicolon_table(text: str) -> int | None:
    """The line (from 1) of a semicolon-separated header of three or more columns, if the
    text opens with one: no export format is like that, so it earns a hint, not a shrug."""
    for index, line in enumerate(split_lines(text[:5000])[:15], start=1):
        if line.strip():
            return index if semicolon_delimited(line) and line.count(";") >= 2 else None
    return None


def read_csv(text: str, name: str, allowed: set[str]) -> tuple[list[Record], list[ParseWarning]]:
    found = find_header(text)
    if found is None and (line := _semicolon_table(text)) is not None:
        raise _semicolons(name, line)
    if found is None or found[1].name not in allowed:
        raise FormatError("no header row of a known CSV export found", path=name, line=1)
    header_index, flavour, delimiter = found
    if delimiter == ";":
        raise _semicolons(name, header_index + 1)
    lines = split_lines(text)
    body = "\n".join(lines[header_index:])
    reader = _reader(io.StringIO(body), delimiter)
    header = [h.strip() for h in next(reader)]
    records: list[Record] = []
    row_start = reader.line_num + 1
    for row in reader:
        line = header_index + row_start
        row_start = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise FormatError(
                f"row has {len(row)} cells but the header has {len(header)}",
                path=name,
                line=line,
                hint="the file is cut off or a quote is unbalanced; export it again",
            )
        raw = [(col, cell) for col, cell in zip(header, row, strict=False) if cell.strip()]
        values = {col: _cell(cell) for col, cell in raw if _cell(cell).strip() not in _NO_VALUE}
        records.append(_map_row(flavour, values, raw, line))
    return records, []


def _map_row(flavour: Flavour, row: Row, raw: list[tuple[str, str]], line: int) -> Record:
    builder = RecordBuilder(source_database=flavour.database)
    for attr, columns in flavour.single.items():
        for column in columns:
            value = row.get(column)
            if attr == "year":
                builder.set_year(value)
            elif attr == "doi":
                builder.set_doi(value)
            elif attr == "issn":
                builder.first("issn", re.split(r"[;|\s]", value.strip())[0] if value else None)
            else:
                builder.first(attr, value)
    for attr, sources in flavour.lists.items():
        for column, separator in sources:
            for item in re.split(separator, row.get(column, "")):
                builder.add(attr, item)
    for database, column in flavour.accessions:
        builder.accession(database, row.get(column))
    if flavour.adjust is not None:
        flavour.adjust(builder, row)
    return builder.build(raw, line)


PUBMED_PLUGIN = _sniffer("pubmed_csv")
SCOPUS_PLUGIN = _sniffer("scopus_csv")
VENDOR_PLUGIN = _sniffer("vendor_csv")
CTGOV_PLUGIN = _sniffer("ctgov_csv")
