"""The PRISMA2020 R package / Shiny app's CSV (columns data,node,box,description,boxtext,
tooltips,url,n), in and out, so users of that app can move their diagrams over.

Multi-value cells (per-database and per-register results, exclusion reasons) use that app's
``"Name, n; Name, n"`` form. Reading refuses a malformed count naming its line, instead of
silently shifting the tallies after it as the app does.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from evidens.core import SourceKind
from evidens.errors import InputError
from evidens.prisma.counts import PrismaCounts, SourceCount, derive, with_reported
from evidens.prisma.diagram import OtherMethods, PreviousReview

COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

_SIMPLE = {
    "duplicates": "duplicate_records_removed",
    "excluded_automatic": "records_marked_ineligible_by_automation_tools",
    "excluded_other": "records_removed_for_other_reasons",
    "records_screened": "records_screened",
    "records_excluded": "records_excluded",
    "dbr_sought_reports": "reports_sought_for_retrieval",
    "dbr_notretrieved_reports": "reports_not_retrieved",
    "dbr_assessed": "reports_assessed_for_eligibility",
    "new_studies": "studies_included_in_review",
    "new_reports": "reports_of_included_studies",
}
_OTHER = {
    "website_results": "Websites",
    "organisation_results": "Organisations",
    "citations_results": "Citation searching",
}


def _pairs(items: list[tuple[str, int | None]]) -> str:
    return "; ".join(f"{name}, {n}" for name, n in items if n is not None)


def write_prisma2020_csv(
    counts: PrismaCounts,
    *,
    previous: PreviousReview | None = None,
    other: OtherMethods | None = None,
) -> str:
    """The counts in the PRISMA2020 app's CSV layout."""
    db = [(s.name, s.records) for s in counts.sources if s.kind is SourceKind.DATABASE]
    reg = [(s.name, s.records) for s in counts.sources if s.kind is SourceKind.REGISTER]
    known = all(n is not None for _, n in db + reg)
    oth = {s.name: s.records or 0 for s in counts.sources if s.kind is SourceKind.OTHER}
    other = other or OtherMethods()
    rows: list[tuple[str, str]] = [
        ("previous_studies", str(previous.studies) if previous else ""),
        ("previous_reports", str(previous.reports) if previous else ""),
        # per-source counts unknown (reported total only): the total goes to databases
        (
            "database_results",
            str(sum(n or 0 for _, n in db) if known else counts.records_identified),
        ),
        ("database_specific_results", _pairs(db) if known else ""),
        ("register_results", str(sum(n or 0 for _, n in reg)) if known else ""),
        ("register_specific_results", _pairs(reg) if known else ""),
    ]
    rows += [(key, str(oth.get(label, 0))) for key, label in _OTHER.items()]
    rows += [(key, str(getattr(counts, field))) for key, field in _SIMPLE.items()]
    rows += [
        ("dbr_excluded", _pairs(list(counts.reports_excluded))),
        ("other_sought_reports", str(other.sought)),
        ("other_notretrieved_reports", str(other.not_retrieved)),
        ("other_assessed", str(other.assessed)),
        ("other_excluded", _pairs(list(other.excluded))),
        (
            "total_studies",
            str(counts.studies_included_in_review + (previous.studies if previous else 0)),
        ),
        (
            "total_reports",
            str(counts.reports_of_included_studies + (previous.reports if previous else 0)),
        ),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i, (key, n) in enumerate(rows, start=1):
        writer.writerow((key, f"node{i}", "", "", "", "", "", n))
    return out.getvalue()


def _number(text: str, name: str, line: int, key: str) -> int:
    try:
        value = int(text.strip().replace(",", ""))
    except ValueError:
        raise InputError(
            f"{key}: {text!r} is not a count",
            path=name,
            line=line,
            field="n",
            hint="write a whole number, or leave the cell empty",
        ) from None
    if value < 0:
        raise InputError(f"{key}: negative count {value}", path=name, line=line, field="n")
    return value


def _parse_pairs(text: str, name: str, line: int, key: str) -> list[tuple[str, int]]:
    pairs = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        label, sep, count = part.rpartition(",")
        if not sep or not label.strip():
            raise InputError(
                f"{key}: {part!r} is not 'Name, n'",
                path=name,
                line=line,
                field="n",
                hint="separate entries with ';' as in 'PubMed, 120'",
            )
        pairs.append((label.strip(), _number(count, name, line, key)))
    return pairs


def read_prisma2020_csv(
    text: str, *, name: str = "<PRISMA.csv>"
) -> tuple[PrismaCounts, PreviousReview | None, OtherMethods]:
    """Counts from a PRISMA2020-app CSV; every count is marked as reported."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"data", "n"} <= set(reader.fieldnames):
        raise InputError(
            "not a PRISMA2020 CSV: needs the columns 'data' and 'n'", path=name, line=1
        )
    cells = {
        row["data"].strip(): (reader.line_num, (row.get("n") or "").strip())
        for row in reader
        if row.get("data")
    }

    def number(key: str) -> int | None:
        line, value = cells.get(key, (0, ""))
        return _number(value, name, line, key) if value and value.upper() != "NA" else None

    def pairs(key: str) -> list[tuple[str, int]]:
        line, value = cells.get(key, (0, ""))
        return _parse_pairs(value, name, line, key)

    sources = [
        SourceCount(n, SourceKind.DATABASE, c) for n, c in pairs("database_specific_results")
    ]
    if not sources and number("database_results") is not None:
        sources = [SourceCount("Databases", SourceKind.DATABASE, number("database_results"))]
    sources += [
        SourceCount(n, SourceKind.REGISTER, c) for n, c in pairs("register_specific_results")
    ]
    if not any(s.kind is SourceKind.REGISTER for s in sources) and number("register_results"):
        sources.append(SourceCount("Registers", SourceKind.REGISTER, number("register_results")))
    sources += [
        SourceCount(label, SourceKind.OTHER, number(key))
        for key, label in _OTHER.items()
        if number(key)
    ]
    reported: dict[str, object] = {
        f: number(k) for k, f in _SIMPLE.items() if number(k) is not None
    }
    reported["reports_excluded"] = dict(pairs("dbr_excluded"))
    counts = derive(sources, 0, [])
    counts = with_reported(counts, reported)
    counts = replace(
        counts,
        records_identified=sum(s.records or 0 for s in sources if s.kind is not SourceKind.OTHER),
        basis={**counts.basis, "records_identified": "reported", "sources": "reported"},
    )
    prev_s, prev_r = number("previous_studies"), number("previous_reports")
    previous = PreviousReview(prev_s, prev_r or 0) if prev_s is not None else None
    other = OtherMethods(
        number("other_sought_reports") or 0,
        number("other_notretrieved_reports") or 0,
        number("other_assessed") or 0,
        tuple(pairs("other_excluded")),
    )
    return counts, previous, other
