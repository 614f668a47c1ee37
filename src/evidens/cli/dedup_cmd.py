"""Standalone de-duplication of files: ``evidens dedup FILE... --out clusters.csv``.

The lead's ``evidens dedup`` command calls :func:`run_standalone` when files are given.
A CSV with the columns of the labelled benchmark sets (record_id, source_db, title, authors,
journal, year, volume, issue, pages, doi, pmid, isbn, abstract) is read here; any other file
goes through ``evidens.formats.read_records`` (RIS, MEDLINE, EndNote XML, ...); its records
get ids ``<file name>:<position>``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from evidens.core import Record
from evidens.core.files import EXPORT_LIMIT, read_bounded
from evidens.dedup import Deduplicator, DedupResult
from evidens.errors import FormatError, InputError

REQUIRED_COLUMNS = ("record_id", "title")
_AUTHOR_SPLIT = re.compile(r"\s*;\s*|\s+and\s+")
_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")


def run_standalone(files: list[Path], out: Path, **options: bool) -> None:
    """De-duplicate the records of ``files`` together; write record_id,cluster_id,decision,score.

    ``options`` are the Deduplicator's related-report choices (preprints_same, notices_same,
    abstracts_same)."""
    ids: list[str] = []
    records: list[Record] = []
    for path in files:
        file_ids, file_records = read_file(path)
        ids.extend(file_ids)
        records.extend(file_records)
    _check_unique(ids, files)
    result = Deduplicator(**options).fit(records)
    write_clusters(out, ids, result)


def read_file(path: Path) -> tuple[list[str], list[Record]]:
    """Record ids and records of one file (a benchmark-style CSV or any export format)."""
    data = _read_bytes(path)
    if path.suffix.lower() == ".csv" and _looks_like_benchmark_csv(data):
        return read_benchmark_csv(data, path)
    from evidens.formats import read_records  # lazy: the CSV path needs no reader

    records = list(read_records(data, name=path.name).records)
    return [f"{path.name}:{n}" for n in range(1, len(records) + 1)], records


def _read_bytes(path: Path) -> bytes:
    return read_bounded(path, EXPORT_LIMIT, what="export file")


def _looks_like_benchmark_csv(data: bytes) -> bool:
    header = data[:2000].decode("utf-8-sig", errors="replace").splitlines()[:1]
    columns = {c.strip().lower() for c in header[0].split(",")} if header else set()
    return all(c in columns for c in REQUIRED_COLUMNS)


def read_benchmark_csv(data: bytes, path: Path) -> tuple[list[str], list[Record]]:
    """Records of a CSV with the labelled sets' columns; ``record_id`` must be unique."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"not UTF-8 (byte {exc.start})", path=path, hint="save the CSV as UTF-8"
        ) from exc
    ids: list[str] = []
    records: list[Record] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        line = reader.line_num
        record_id = (row.get("record_id") or "").strip()
        if not record_id:
            raise InputError("empty record_id", path=path, line=line, field="record_id")
        ids.append(record_id)
        records.append(_row_record(row, line))
    return ids, records


def _row_record(row: dict[str, str | None], line: int) -> Record:
    def get(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    authors = get("authors")
    year = _YEAR.search(get("year") or "")
    return Record(
        title=get("title"),
        authors=tuple(a for a in _AUTHOR_SPLIT.split(authors) if a) if authors else (),
        year=int(year.group(1)) if year else None,
        journal=get("journal"),
        volume=get("volume"),
        issue=get("issue"),
        pages=get("pages"),
        doi=get("doi"),
        pmid=get("pmid"),
        abstract=get("abstract"),
        issn=get("isbn"),
        source_database=get("source_db"),
        source_line=line,
    )


def _check_unique(ids: Sequence[str], files: Sequence[Path]) -> None:
    seen: set[str] = set()
    for record_id in ids:
        if record_id in seen:
            raise InputError(
                f"record_id {record_id!r} appears twice",
                path=", ".join(str(f) for f in files),
                field="record_id",
                hint="record ids must be unique across all files given together",
            )
        seen.add(record_id)


def write_clusters(out: Path, ids: Sequence[str], result: DedupResult) -> None:
    """Write record_id,cluster_id,decision,score: one row per input record, in input order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["record_id", "cluster_id", "decision", "score"])
    for index, record_id in enumerate(ids):
        cluster = result.cluster_of[index]
        writer.writerow(
            [record_id, cluster + 1, result.decisions[index], f"{result.scores[index]:.3f}"]
        )
    try:
        out.write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=out) from exc
