"""Mapping between store rows and the frozen domain types of :mod:`evidens.core`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection

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


def record_values(record: Record, *, review_id: int, batch_id: int, ordinal: int) -> dict[str, Any]:
    """Column values of a record row, spelled out: the readable specification that the fast
    :func:`record_params` tuples are tested against."""
    values: dict[str, Any] = {name: getattr(record, name) for name in _TEXT_FIELDS}
    values.update({name: list(getattr(record, name)) for name in _LIST_FIELDS})
    values.update(
        review_id=review_id,
        batch_id=batch_id,
        ordinal=ordinal,
        year=record.year,
        doi_key=doi_key(record.doi),
        accessions=[list(pair) for pair in record.accessions],
        raw=[list(pair) for pair in record.raw],
        source_line=record.source_line,
    )
    return values


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


JSON_COLUMNS = frozenset(
    (
        "authors",
        "accessions",
        "registry_ids",
        "keywords",
        "subject_headings",
        "publication_types",
        "urls",
        "raw",
    )
)

RECORD_COLUMNS = (
    "review_id",
    "batch_id",
    "ordinal",
    *_TEXT_FIELDS,
    "doi_key",
    "year",
    "source_line",
    *_LIST_FIELDS,
    "accessions",
    "raw",
)
"""Column order of the tuples :func:`record_params` yields (the INSERT names them)."""


_quote = encode_basestring
"""The C string quoter ``json`` itself uses with ``ensure_ascii=False``: calling it per
string skips the encoder's per-call set-up, which dominated a 100,000-record import."""


def _json_texts(items: tuple[str, ...]) -> str:
    """A JSON array of strings, as ``json.dumps`` writes it with compact separators."""
    if not items:
        return "[]"
    return "[" + ",".join(map(_quote, items)) + "]"


def _json_pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    """A JSON array of [a, b] string pairs (raw fields, accessions), as ``json.dumps``."""
    if not pairs:
        return "[]"
    return "[" + ",".join([f"[{_quote(a)},{_quote(b)}]" for a, b in pairs]) + "]"


def record_params(
    records: Iterable[Record], *, review_id: int, batch_id: int, first_ordinal: int = 1
) -> Iterator[tuple[Any, ...]]:
    """One parameter tuple per record, in :data:`RECORD_COLUMNS` order, JSON encoded.

    Built directly as tuples (no dict per row) because this runs once per imported record.
    """
    texts, lists = attrgetter(*_TEXT_FIELDS), attrgetter(*_LIST_FIELDS)
    for ordinal, record in enumerate(records, first_ordinal):
        yield (
            review_id,
            batch_id,
            ordinal,
            *texts(record),
            doi_key(record.doi) if record.doi is not None else None,
            record.year,
            record.source_line,
            *map(_json_texts, lists(record)),
            _json_pairs(record.accessions),
            _json_pairs(record.raw),
        )


def insert_record_params(connection: Connection, params: list[tuple[Any, ...]]) -> None:
    """Insert rows made by :func:`record_params` through the driver's executemany."""
    if params:
        connection.exec_driver_sql(_insert_sql(connection, RECORD_COLUMNS), params)


def _insert_sql(connection: Connection, columns: Sequence[str]) -> str:
    dialect = connection.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    marks = ", ".join(mark for _ in columns)
    return f"INSERT INTO {RecordRow.__tablename__} ({names}) VALUES ({marks})"
