"""The evidens extension tags that make a written RIS file read back into identical records.

Standard RIS has no place for per-database accessions, registry ids or the raw fields of a
CSV or XML source, so :func:`write_ris` adds two private tags to each record: ``ZE`` holds the
mapped fields as one JSON object and each ``ZZ`` holds one raw field as a JSON pair. JSON with
``ensure_ascii`` keeps every value on one ASCII line, so no line break, BOM or control
character inside a value can disturb the RIS line structure. Other tools ignore the two tags
(unknown RIS tags are kept or dropped, never fatal), and read the standard tags instead.
"""

from __future__ import annotations

import json
from typing import Any

from evidens.core import Record

ZE_TAG = "ZE"
ZZ_TAG = "ZZ"
_MARK = "evidens"
_VERSION = 1
_SCALARS = ("title", "journal", "volume", "issue", "pages", "doi", "pmid", "pmcid")
_SCALARS_2 = ("abstract", "language", "issn", "source_database")
_LISTS = ("authors", "registry_ids", "keywords", "subject_headings", "publication_types", "urls")


def encode_fields(record: Record) -> str:
    """The ``ZE`` value: every mapped field of the record, as one ASCII JSON line."""
    data: dict[str, Any] = {_MARK: _VERSION}
    for name in (*_SCALARS, *_SCALARS_2, "year"):
        value = getattr(record, name)
        if value is not None:
            data[name] = value
    for name in _LISTS:
        values = getattr(record, name)
        if values:
            data[name] = list(values)
    if record.accessions:
        data["accessions"] = [list(pair) for pair in record.accessions]
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))


def encode_raw(tag: str, value: str) -> str:
    """One ``ZZ`` value: a raw (tag, value) pair."""
    return json.dumps([tag, value], ensure_ascii=True, separators=(",", ":"))


def decode_record(fields_json: str, raw_json: list[str], source_line: int | None) -> Record | None:
    """The record a ``ZE``/``ZZ`` pair describes, or ``None`` if they are not evidens's own."""
    try:
        data = json.loads(fields_json)
        raw = [json.loads(item) for item in raw_json]
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get(_MARK) != _VERSION or not _valid_raw(raw):
        return None
    try:
        return _record_from(data, raw, source_line)
    except (TypeError, ValueError):
        return None


def _valid_raw(raw: list[Any]) -> bool:
    return all(
        isinstance(item, list) and len(item) == 2 and all(isinstance(s, str) for s in item)
        for item in raw
    )


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(name)


def _texts(data: dict[str, Any], name: str) -> tuple[str, ...]:
    values = data.get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError(name)
    return tuple(values)


def _record_from(data: dict[str, Any], raw: list[list[str]], source_line: int | None) -> Record:
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise TypeError("year")
    accessions = data.get("accessions", [])
    if not isinstance(accessions, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p)
        for p in accessions
    ):
        raise TypeError("accessions")
    scalars = {name: _text(data, name) for name in (*_SCALARS, *_SCALARS_2)}
    lists = {name: _texts(data, name) for name in _LISTS}
    return Record(
        **scalars,  # type: ignore[arg-type]
        **lists,  # type: ignore[arg-type]
        year=year,
        accessions=tuple((a, b) for a, b in accessions),
        raw=tuple((tag, value) for tag, value in raw),
        source_line=source_line,
    )
