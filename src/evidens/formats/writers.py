"""Writers: RIS (lossless for evidens, readable by any reference manager) and CSV.

:func:`write_ris` writes the standard tags other tools read, then evidens's ``ZE``/``ZZ``
tags (see :mod:`evidens.formats._lossless`) so that reading the file back with evidens gives
the very same records, raw fields included, whatever format they first came from.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

from evidens.core import Record
from evidens.core.cells import spreadsheet_safe
from evidens.formats import _lossless

_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
CSV_COLUMNS = (
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "accessions",
    "registry_ids",
    "abstract",
    "keywords",
    "subject_headings",
    "language",
    "publication_types",
    "issn",
    "urls",
    "source_database",
)


def _one_line(value: str) -> str:
    """A value safe on one RIS line (line breaks become spaces, control characters go)."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value)).strip()


def _standard_tags(record: Record) -> Iterable[tuple[str, str]]:
    yield "TI", record.title or ""
    for author in record.authors:
        yield "AU", author
    yield "PY", str(record.year) if record.year is not None else ""
    for tag, value in (
        ("T2", record.journal),
        ("VL", record.volume),
        ("IS", record.issue),
        ("SP", record.pages),
        ("DO", record.doi),
        ("AB", record.abstract),
        ("LA", record.language),
        ("SN", record.issn),
        ("DB", record.source_database),
    ):
        yield tag, value or ""
    for keyword in (*record.keywords, *record.subject_headings):
        yield "KW", keyword
    for url in record.urls:
        yield "UR", url
    for database, accession in record.accessions:
        yield "AN", f"{database}:{accession}"


def write_ris(records: Iterable[Record]) -> str:
    """RIS text for ``records``; evidens reads it back into identical records."""
    out: list[str] = []
    for record in records:
        out.append("TY  - JOUR")
        for tag, value in _standard_tags(record):
            text = _one_line(value)
            if text:
                out.append(f"{tag}  - {text}")
        out.append(f"{_lossless.ZE_TAG}  - {_lossless.encode_fields(record)}")
        for tag, value in record.raw:
            out.append(f"{_lossless.ZZ_TAG}  - {_lossless.encode_raw(tag, value)}")
        out.append("ER  - ")
        out.append("")
    return "\n".join(out) + ("\n" if out else "")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        parts = [":".join(v) if isinstance(v, tuple) else str(v) for v in value]
        return "; ".join(parts)
    return str(value)


def write_csv(
    records: Sequence[Record],
    extra_columns: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """CSV with one row per record; ``extra_columns`` adds decisions, labels and the like.

    Each extra column gives one value per record, in the records' order.
    """
    extra = dict(extra_columns or {})
    for column, values in extra.items():
        if len(values) != len(records):
            raise ValueError(
                f"extra column {column!r} has {len(values)} values for {len(records)} records"
            )
        if column in CSV_COLUMNS:
            raise ValueError(f"extra column {column!r} clashes with a record column")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *extra])
    for index, record in enumerate(records):
        row = [spreadsheet_safe(_cell(getattr(record, column))) for column in CSV_COLUMNS]
        row.extend(spreadsheet_safe(values[index]) for values in extra.values())
        writer.writerow(row)
    return buffer.getvalue()
