"""RIS tags to Record fields, per vendor: one dispatch table, one pass over a record's tags.

A single pass with a tag -> handler table keeps a 100,000-record import fast; per-vendor
differences (which tag holds the accession, whether ``KW`` is a controlled vocabulary) are
decided by the vendor the whole file was recognised as.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from evidens.core import Record
from evidens.core.records import RawField, normalize_doi
from evidens.formats import _lossless
from evidens.formats._base import RecordBuilder

Handler = Callable[[RecordBuilder, str, str | None], None]

_ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")
_EID = re.compile(r"eid=(2-s2\.0-\d+)")
_EBSCO_AN = re.compile(r"[?&]AN=(\d+)")
_EMBASE_ID = re.compile(r"^L?(\d{6,})$")
_HEADINGS_VENDORS = {"embase", "central", "pubmed"}
_JOURNAL_RANK = {"T2": 0, "JF": 1, "JO": 2, "JA": 3, "J2": 4}
_DOI_FALLBACK_TAGS = {"M3", "L2", "UR", "N1"}


def to_record(
    fields: list[RawField], start: int, vendor: str | None, own: bool, registry: bool = True
) -> Record:
    """The Record for one RIS record's raw fields (``own``: it carries evidens ZE/ZZ tags;
    ``registry``: the file may mention trial registry ids, see ``mentions_registry``)."""
    if own:
        record = _own_record(fields, start)
        if record is not None:
            return record
    builder = RecordBuilder(source_database=vendor)
    journal_rank = len(_JOURNAL_RANK)
    for tag, value in fields:
        attr = _SINGLE.get(tag)
        if attr is not None:
            if getattr(builder, attr) is None and (text := value.strip()):
                setattr(builder, attr, text)
        elif (handler := _HANDLERS.get(tag)) is not None:
            handler(builder, value, vendor)
        elif tag in _JOURNAL_RANK and _JOURNAL_RANK[tag] < journal_rank and value.strip():
            builder.journal, journal_rank = value.strip(), _JOURNAL_RANK[tag]
    if builder.doi is None:
        for tag, value in fields:
            if tag in _DOI_FALLBACK_TAGS and "10." in value:
                builder.set_doi(value if tag == "M3" else _doi_in(value))
    if not builder.publication_types and fields[0][1].strip():
        builder.add("publication_types", fields[0][1])
    return builder.build(fields, start, registry_ids=registry)


def _own_record(fields: list[RawField], start: int) -> Record | None:
    """A record evidens wrote itself: rebuilt exactly from its ZE/ZZ tags."""
    fields_json = [v for t, v in fields if t == _lossless.ZE_TAG]
    if len(fields_json) != 1:
        return None
    raw_json = [v for t, v in fields if t == _lossless.ZZ_TAG]
    return _lossless.decode_record(fields_json[0], raw_json, start)


def _authors(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    builder.add("authors", value)


def _year(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    builder.set_year(value)


def _doi(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    builder.set_doi(value)


def _keywords(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    """``KW``; continuation lines (Rayyan, EndNote) are one keyword each."""
    target = "subject_headings" if vendor in _HEADINGS_VENDORS else "keywords"
    if "\n" not in value:
        builder.add(target, value)
        return
    for item in value.split("\n"):
        builder.add(target, item)


def _publication_type(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    if normalize_doi(value) is None:
        builder.add("publication_types", value)


def _issn(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    match = _ISSN.search(value)
    if match:
        builder.first("issn", match.group(0))


def _url(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    for url in value.split():
        if url.startswith("http"):
            builder.add("urls", url)
    if vendor == "scopus" and (eid := _EID.search(value)):
        builder.accession("scopus", eid.group(1))
    elif vendor == "ebsco" and (an := _EBSCO_AN.search(value)):
        builder.accession("ebsco", an.group(1))


def _pmid(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    builder.first("pmid", value)


def _central_ids(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    """``C3  -  PUBMED 38407106,EMBASE 643589775``: Cochrane's cross-database ids."""
    if vendor != "central":
        return
    for part in value.split(","):
        label, _, ident = part.strip().partition(" ")
        if label == "PUBMED":
            builder.first("pmid", ident)
        elif label == "EMBASE":
            builder.accession("embase", ident)


def _embase_id(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    if vendor == "embase":
        match = _EMBASE_ID.match(value.strip())
        builder.accession("embase", match.group(1) if match else value)


def _id(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    if vendor in {"eric", "psycinfo"}:
        builder.accession(vendor, value)


def _an(builder: RecordBuilder, value: str, vendor: str | None) -> None:
    text = value.strip()
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


def _doi_in(value: str) -> str | None:
    for token in value.replace(";", " ").split():
        if "10." in token and normalize_doi(token):
            return token
    return None


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
"""Tags whose first non-blank value sets one field (handled inline: the hot path)."""
_HANDLERS: dict[str, Handler] = {
    "AU": _authors,
    "A1": _authors,
    "PY": _year,
    "Y1": _year,
    "DA": _year,
    "DO": _doi,
    "KW": _keywords,
    "M3": _publication_type,
    "PT": _publication_type,
    "SN": _issn,
    "UR": _url,
    "L2": _url,
    "PMID": _pmid,
    "C5": _pmid,
    "C3": _central_ids,
    "U2": _embase_id,
    "AN": _an,
    "ID": _id,
}
