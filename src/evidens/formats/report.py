"""The per-file import report: how many records were read and how complete they are.

Fill rates tell a reviewer at a glance that, say, a PubMed CSV has no abstracts (so screening
would be blind) before anything is stored.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from evidens.core import Record
from evidens.formats._base import ImportReport, ParseResult

REPORTED_FIELDS = tuple(
    f.name for f in dataclasses.fields(Record) if f.name not in {"raw", "source_line"}
)


def _filled(value: Any) -> bool:
    return value is not None and value not in ((), "")


def import_report(result: ParseResult) -> ImportReport:
    """Counts of missing key fields and the fill rate of every Record field."""
    records = result.records
    total = len(records)

    def missing(name: str) -> int:
        return sum(1 for r in records if not _filled(getattr(r, name)))

    rates = tuple(
        (name, round((total - missing(name)) / total, 4) if total else 0.0)
        for name in REPORTED_FIELDS
    )
    return ImportReport(
        name=result.name,
        format=result.format,
        encoding=result.encoding,
        records=total,
        missing_title=missing("title"),
        missing_abstract=missing("abstract"),
        missing_year=missing("year"),
        missing_doi=missing("doi"),
        fill_rates=rates,
        warnings=result.warnings,
    )


def report_as_dict(report: ImportReport) -> dict[str, Any]:
    """JSON-ready form used by ``evidens formats inspect --json``."""
    return {
        "name": report.name,
        "format": report.format,
        "encoding": report.encoding,
        "records": report.records,
        "missing": {
            "title": report.missing_title,
            "abstract": report.missing_abstract,
            "year": report.missing_year,
            "doi": report.missing_doi,
        },
        "fields": dict(report.fill_rates),
        "warnings": [{"line": w.line, "message": w.message} for w in report.warnings],
    }
