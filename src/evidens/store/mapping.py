"""Mapping between store rows and the frozen domain types of :mod:`evidens.core`."""

from __future__ import annotations

from typing import Any

from evidens.core import Record, doi_key
from evidens.store.models import RecordRow

_LIST_FIELDS = (
    "authors",
    "registry_ids",
    "keywords",
    "subject_headings",
    "publication_types",
    "urls",
)
_TEXT_FIELDS = (
    "title",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "abstract",
    "language",
    "issn",
    "source_database",
)


def record_to_row(record: Record, *, review_id: int, batch_id: int, ordinal: int) -> RecordRow:
    values: dict[str, Any] = {name: getattr(record, name) for name in _TEXT_FIELDS}
    values.update({name: list(getattr(record, name)) for name in _LIST_FIELDS})
    return RecordRow(
        review_id=review_id,
        batch_id=batch_id,
        ordinal=ordinal,
        year=record.year,
        doi_key=doi_key(record.doi),
        accessions=[list(pair) for pair in record.accessions],
        raw=[list(pair) for pair in record.raw],
        source_line=record.source_line,
        **values,
    )


def row_to_record(row: RecordRow) -> Record:
    values: dict[str, Any] = {name: getattr(row, name) for name in _TEXT_FIELDS}
    values.update({name: tuple(getattr(row, name) or ()) for name in _LIST_FIELDS})
    return Record(
        year=row.year,
        accessions=tuple((str(a), str(b)) for a, b in row.accessions or ()),
        raw=tuple((str(a), str(b)) for a, b in row.raw or ()),
        source_line=row.source_line,
        **values,
    )
