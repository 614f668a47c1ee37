"""RIS in every vendor flavour in the samples, read with a tolerant tokenizer.

One tokenizer handles all vendors because their differences are at the edges: Cochrane's
``Record #n of N`` preamble and ``  -  `` separator, Ovid's ``1.`` record-number lines and
trailers, Rayyan's and EndNote's untagged continuation lines. Inside a record (between ``TY``
and ``ER``) an untagged line continues the previous tag; outside one it is dropped with a
warning. Which database the records come from is decided once per file, from the vendor's
fingerprints (preamble, ``DB``/``DP`` values, URLs), not per record.
"""

from __future__ import annotations

import re

from evidens.core import Record
from evidens.core.records import RawField, normalize_doi
from evidens.errors import FormatError
from evidens.formats import _lossless
from evidens.formats._base import FormatPlugin, ParseWarning, RecordBuilder
from evidens.formats._text import head_lines, split_lines

_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s{1,2}-(?: {1,2}|$)(.*)$")
_ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")
_EID = re.compile(r"eid=(2-s2\.0-\d+)")
_EBSCO_AN = re.compile(r"[?&]AN=(\d+)")
_EMBASE_ID = re.compile(r"^L?(\d{6,})$")
_PSYCINFO_ID = re.compile(r"^\d{4}-\d{5}-\d{3}$")
_HEADINGS_VENDORS = {"embase", "central", "pubmed"}

Tokens = list[tuple[int, list[RawField]]]


def sniff(text: str) -> int:
    """RIS if a ``TY  -`` line opens a record within the first lines (after any preamble)."""
    for line in head_lines(text, 40):
        match = _TAG.match(line)
        if match:
            return 90 if match.group(1) == "TY" else 0
    return 0


def _continue(fields: list[RawField], line: str) -> None:
    """An untagged line inside a record continues the previous tag's value."""
    tag, value = fields[-1]
    fields[-1] = (tag, f"{value}\n{line}")


def _cut_off(start: int, line: int, name: str, why: str) -> FormatError:
    return FormatError(
        f"record starting at line {start} is cut off: {why}",
        path=name,
        line=line,
        field="ER",
        hint="the export is damaged or incomplete; export it again",
    )


def tokenize(text: str, name: str) -> tuple[Tokens, list[ParseWarning]]:
    """(start line, raw fields) per record, and a warning per dropped line."""
    records: Tokens = []
    warnings: list[ParseWarning] = []
    fields: list[RawField] | None = None
    start = 0
    for number, line in enumerate(split_lines(text), 1):
        match = _TAG.match(line)
        if match is None:
            if fields is not None and line.strip():
                _continue(fields, line)
            elif line.strip():
                warnings.append(ParseWarning(number, f"line outside a record skipped: {line[:60]}"))
            continue
        tag, value = match.group(1), match.group(2)
        if tag == "TY":
            if fields is not None:
                raise _cut_off(start, number, name, "no ER line before the next TY")
            fields, start = [("TY", value)], number
        elif fields is None:
            warnings.append(ParseWarning(number, f"{tag} line outside a record skipped"))
        elif tag == "ER":
            records.append((start, fields))
            fields = None
        else:
            fields.append((tag, value))
    if fields is not None:
        raise _cut_off(start, start, name, "no ER line before the end of the file")
    return records, warnings


def read(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    tokens, warnings = tokenize(text, name)
    vendor = detect_vendor(text, tokens)
    records = [_to_record(fields, start, vendor) for start, fields in tokens]
    return records, warnings


def detect_vendor(text: str, tokens: Tokens) -> str | None:
    """The database the whole file came from, from its strongest vendor fingerprint."""
    head = text[:2000]
    if "Provider: John Wiley" in head:
        return "central"
    if "Provider: American Psychological Association" in head:
        return "psycinfo"
    seen: set[str] = set()
    for _, fields in tokens[:200]:
        for tag, value in fields:
            seen.add(_fingerprint(tag, value))
    for vendor in ("embase", "scopus", "wos", "eric", "psycinfo", "proquest", "ebsco"):
        if vendor in seen:
            return vendor
    for vendor in ("pubmed", "rayyan"):
        if vendor in seen:
            return vendor
    return None


_DB_VENDORS = (
    ("embase", "embase"),
    ("scopus", "scopus"),
    ("eric", "eric"),
    ("psyc", "psycinfo"),
    ("psyh", "psycinfo"),
    ("ptsdpubs", "proquest"),
)
_DP_VENDORS = {"EBSCOhost": "ebsco", "NLM": "pubmed"}
_AN_PREFIXES = (("WOS:", "wos"), ("rayyan-", "rayyan"))
_UR_VENDORS = (("scopus.com", "scopus"), ("proquest.com", "proquest"))


def _fingerprint(tag: str, value: str) -> str:
    """The vendor one field gives away, or "" (e.g. ``DB  - Embase``, ``AN  - WOS:...``)."""
    low = value.lower()
    candidates: tuple[tuple[bool, str], ...] = ()
    if tag == "DB":
        candidates = tuple(
            (low.startswith(key) or f" {key}" in low, vendor) for key, vendor in _DB_VENDORS
        )
    elif tag == "DP":
        candidates = ((value.strip() in _DP_VENDORS, _DP_VENDORS.get(value.strip(), "")),)
    elif tag == "AN":
        candidates = tuple((value.startswith(key), vendor) for key, vendor in _AN_PREFIXES)
    elif tag == "ID":
        candidates = ((bool(_PSYCINFO_ID.match(value)), "psycinfo"),)
    elif tag == "UR":
        candidates = tuple((key in low, vendor) for key, vendor in _UR_VENDORS)
    return next((vendor for hit, vendor in candidates if hit), "")


def _to_record(fields: list[RawField], start: int, vendor: str | None) -> Record:
    own = _own_record(fields, start)
    if own is not None:
        return own
    builder = RecordBuilder(source_database=vendor)
    for tag, value in fields:
        _map_tag(builder, tag, value, vendor)
    journals = {tag: value.strip() for tag, value in reversed(fields) if tag in _JOURNAL}
    builder.journal = next((journals[t] for t in _JOURNAL if journals.get(t)), None)
    if builder.doi is None:
        for tag, value in fields:
            if tag in {"M3", "L2", "UR", "N1"} and "10." in value:
                builder.set_doi(value if tag == "M3" else _doi_in(value))
    _vendor_ids(builder, fields, vendor)
    if not builder.publication_types and fields[0][1].strip():
        builder.add("publication_types", fields[0][1])
    return builder.build(fields, start)


def _own_record(fields: list[RawField], start: int) -> Record | None:
    """A record evidens wrote itself: rebuilt exactly from its ZE/ZZ tags."""
    fields_json = [v for t, v in fields if t == _lossless.ZE_TAG]
    if len(fields_json) != 1:
        return None
    raw_json = [v for t, v in fields if t == _lossless.ZZ_TAG]
    return _lossless.decode_record(fields_json[0], raw_json, start)


_SINGLE = {
    "TI": "title",
    "T1": "title",
    "CT": "title",
    "VL": "volume",
    "IS": "issue",
    "SP": "start_page",
    "EP": "end_page",
    "AB": "abstract",
    "N2": "abstract",
    "LA": "language",
}
_JOURNAL = ("T2", "JF", "JO", "JA", "J2")


def _map_tag(builder: RecordBuilder, tag: str, value: str, vendor: str | None) -> None:
    if tag in _SINGLE:
        builder.first(_SINGLE[tag], value)
    elif tag in {"AU", "A1"}:
        builder.add("authors", value)
    elif tag in {"PY", "Y1", "DA"}:
        builder.set_year(value)
    elif tag == "DO":
        builder.set_doi(value)
    elif tag == "KW":
        target = "subject_headings" if vendor in _HEADINGS_VENDORS else "keywords"
        for item in value.split("\n"):
            builder.add(target, item)
    elif tag in {"M3", "PT"} and normalize_doi(value) is None:
        builder.add("publication_types", value)
    else:
        _map_other(builder, tag, value, vendor)


def _map_other(builder: RecordBuilder, tag: str, value: str, vendor: str | None) -> None:
    if tag == "SN":
        _set_issn(builder, value)
    elif tag in {"UR", "L2"}:
        for url in value.split():
            if url.startswith("http"):
                builder.add("urls", url)
    elif tag in {"PMID", "C5"}:
        builder.first("pmid", value)
    elif tag == "C3" and vendor == "central":
        _central_ids(builder, value)


def _set_issn(builder: RecordBuilder, value: str) -> None:
    match = _ISSN.search(value)
    if match:
        builder.first("issn", match.group(0))


def _doi_in(value: str) -> str | None:
    for token in value.replace(";", " ").split():
        if "10." in token and normalize_doi(token):
            return token
    return None


def _central_ids(builder: RecordBuilder, value: str) -> None:
    """``C3  -  PUBMED 38407106,EMBASE 643589775``: Cochrane's cross-database ids."""
    for part in value.split(","):
        label, _, ident = part.strip().partition(" ")
        if label == "PUBMED":
            builder.first("pmid", ident)
        elif label == "EMBASE":
            builder.accession("embase", ident)


def _vendor_ids(builder: RecordBuilder, fields: list[RawField], vendor: str | None) -> None:
    """Accession numbers, which each vendor puts under a different tag."""
    for tag, value in fields:
        text = value.strip()
        if vendor == "embase" and tag == "U2":
            match = _EMBASE_ID.match(text)
            builder.accession("embase", match.group(1) if match else text)
        elif vendor == "scopus" and tag == "UR" and (eid := _EID.search(text)):
            builder.accession("scopus", eid.group(1))
        elif vendor == "ebsco" and tag == "UR" and (an := _EBSCO_AN.search(text)):
            builder.accession("ebsco", an.group(1))
        elif tag == "AN":
            _an_accession(builder, text, vendor)
        elif tag == "ID" and vendor in {"eric", "psycinfo"}:
            builder.accession(vendor, text)


def _an_accession(builder: RecordBuilder, text: str, vendor: str | None) -> None:
    if text.startswith("WOS:"):
        builder.accession("wos", text)
    elif text.startswith("CN-"):
        builder.accession("central", text)
    elif vendor == "proquest":
        for part in text.split(";"):
            builder.accession("proquest", part)
    elif vendor == "pubmed" and text.isdigit():
        builder.first("pmid", text)
    elif vendor is not None:
        builder.accession(vendor, text)


PLUGIN = FormatPlugin(id="ris", label="RIS (any vendor)", sniff=sniff, read=read)
