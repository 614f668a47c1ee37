"""robvis-compatible tables: CSV in and out (pure functions on str) and results to a table.

robvis reads judgments by their initials, so "NI" becomes "Not applicable" there (robvis issue
#149). Here every level is read by its code or label (Judgment.parse) and checked against the
levels the tool allows; NI always means "No information".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from evidens.errors import FormatError, ValidationError
from evidens.rob.engine import OVERALL
from evidens.rob.instrument import Instrument, get_instrument
from evidens.rob.model import Assessment, Judgment, Override, Result

J = Judgment
#: robvis templates: domain columns and allowed levels (docs/reference/methods.md).
TOOLS: Mapping[str, tuple[tuple[str, ...], frozenset[Judgment]]] = {
    "ROB2": (
        ("D1", "D2", "D3", "D4", "D5"),
        frozenset({J.LOW, J.SOME_CONCERNS, J.HIGH, J.NO_INFORMATION}),
    ),
    "ROB2-Cluster": (
        ("D1", "D1b", "D2", "D3", "D4", "D5"),
        frozenset({J.LOW, J.SOME_CONCERNS, J.HIGH, J.NO_INFORMATION, J.NOT_APPLICABLE}),
    ),
    "ROBINS-I": (
        tuple(f"D{i}" for i in range(1, 8)),
        frozenset({J.LOW, J.MODERATE, J.SERIOUS, J.CRITICAL, J.NO_INFORMATION}),
    ),
    "ROBINS-E": (
        tuple(f"D{i}" for i in range(1, 8)),
        frozenset({J.LOW, J.SOME_CONCERNS, J.HIGH, J.VERY_HIGH, J.NO_INFORMATION}),
    ),
    "QUADAS-2": (
        ("D1", "D2", "D3", "D4"),
        frozenset({J.LOW, J.SOME_CONCERNS, J.HIGH, J.NO_INFORMATION}),
    ),
    "Generic": ((), frozenset(Judgment)),
}
#: Instruments whose results can be turned back into assessments on import.
IMPORTABLE = {"ROB2": "rob2", "ROBINS-I": "robins-i"}
MAX_CSV = 5_000_000


@dataclass(frozen=True)
class RobRow:
    """One study (or study and result) with its domain judgments in column order."""

    study: str
    judgments: tuple[Judgment, ...]
    overall: Judgment | None = None
    weight: float | None = None


@dataclass(frozen=True)
class RobTable:
    """What robvis plots: a tool, its domain columns (with names for the caption), rows."""

    tool: str
    domains: tuple[str, ...]
    domain_names: tuple[str, ...]
    rows: tuple[RobRow, ...]

    @property
    def has_overall(self) -> bool:
        return any(r.overall is not None for r in self.rows)

    @property
    def has_weights(self) -> bool:
        return any(r.weight is not None for r in self.rows)


def _tool(tool: str) -> tuple[tuple[str, ...], frozenset[Judgment]]:
    for name, spec in TOOLS.items():
        if name.lower() == tool.lower():
            return spec
    raise ValidationError(
        f"unknown robvis tool {tool!r}", field="tool", hint=f"use one of {', '.join(TOOLS)}"
    )


def _level(text: str, allowed: frozenset[Judgment], line: int, column: str) -> Judgment:
    if not text.strip():
        text = "not applicable"
    judgment = Judgment.parse(text, field=column)
    if judgment not in allowed:
        raise ValidationError(
            f"{judgment.label} is not a level of this tool",
            line=line,
            field=column,
            hint=f"use one of {', '.join(sorted(j.label for j in allowed))}",
        )
    return judgment


def read_csv(text: str, tool: str = "ROB2", *, path: str | None = None) -> RobTable:
    """Parse a robvis CSV: Study, one column per domain, Overall, optional Weight; a header row.

    Rows keep their order (robvis keeps input order in traffic-light plots).
    """
    if len(text) > MAX_CSV:
        raise FormatError("CSV is too large for a risk-of-bias table", path=path)
    columns, allowed = _tool(tool)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise FormatError("empty CSV", path=path, hint="first row: Study,D1,...,Overall")
    header = [h.strip() for h in rows[0]]
    weighted = header[-1].lower() == "weight"
    n_domains = len(header) - 2 - int(weighted)
    if header[-1 - int(weighted)].lower() != "overall" or n_domains < 1:
        raise FormatError(
            "header must be Study, domain columns, Overall[, Weight]", path=path, line=1
        )
    if columns and n_domains != len(columns):
        raise FormatError(
            f"{tool} needs {len(columns)} domain columns, found {n_domains}",
            path=path,
            line=1,
            hint=f"columns: Study,{','.join(columns)},Overall[,Weight]",
        )
    labels = columns or tuple(header[1 : 1 + n_domains])
    parsed = [
        _row(r, labels=labels, allowed=allowed, weighted=weighted, line=i, path=path)
        for i, r in enumerate(rows[1:], 2)
    ]
    return RobTable(tool, labels, labels, tuple(parsed))


def _row(
    cells: list[str],
    *,
    labels: tuple[str, ...],
    allowed: frozenset[Judgment],
    weighted: bool,
    line: int,
    path: str | None,
) -> RobRow:
    width = len(labels) + 2 + int(weighted)
    if len(cells) != width or not cells[0].strip():
        raise FormatError(
            f"expected {width} cells with a study label, found {len(cells)}", path=path, line=line
        )
    try:
        judgments = tuple(
            _level(c, allowed, line, label) for c, label in zip(cells[1:], labels, strict=False)
        )
        overall = _level(cells[1 + len(labels)], allowed, line, "Overall")
    except ValidationError as exc:
        raise ValidationError(
            exc.message, path=path, line=line, field=exc.field, hint=exc.hint
        ) from None
    weight = None
    if weighted:
        try:
            weight = float(cells[-1])
        except ValueError:
            raise ValidationError(
                f"weight {cells[-1]!r} is not a number", path=path, line=line, field="Weight"
            ) from None
    return RobRow(cells[0].strip(), judgments, overall, weight)


def write_csv(table: RobTable) -> str:
    """The robvis CSV of a table (labels as robvis expects: "Some concerns", "No information")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["Study", *table.domains, "Overall"] + (["Weight"] if table.has_weights else [])
    writer.writerow(header)
    for row in table.rows:
        cells = [row.study, *(j.label for j in row.judgments)]
        cells.append(row.overall.label if row.overall else "")
        if table.has_weights:
            cells.append("" if row.weight is None else f"{row.weight:g}")
        writer.writerow(cells)
    return out.getvalue()


def table_from_results(
    results: Sequence[Result], weights: Mapping[str, float] | None = None
) -> RobTable:
    """Results of one instrument as a robvis table, one row per study and result.

    Domains sharing a robvis column (both RoB 2 domain-2 variants share "D2") are shown by
    their most severe final judgment, which is also what the overall judgment reflects.
    Rows are labelled by study, with the outcome added when a study has several.
    """
    if not results:
        raise ValidationError("no results to tabulate", hint="assess at least one study")
    tool = get_instrument(results[0].assessment.instrument)
    if any(r.assessment.instrument != tool.id for r in results):
        raise ValidationError("results mix instruments", hint="plot one instrument at a time")
    columns: list[str] = []
    names: dict[str, str] = {}
    for domain in tool.domains:
        if domain.column not in columns:
            columns.append(domain.column)
            names[domain.column] = domain.short
        else:  # a shared column is named after what its domains have in common
            names[domain.column] = domain.name.split(" (")[0].removeprefix("Bias due to ")
            names[domain.column] = names[domain.column][:1].upper() + names[domain.column][1:]
    studies = [r.assessment.study for r in results]
    rows = []
    for result in results:
        a = result.assessment
        label = a.study if studies.count(a.study) == 1 else f"{a.study} ({a.outcome})"
        cells = [_column(tool, result, c) for c in columns]
        weight = None if weights is None else weights.get(label, weights.get(a.study))
        rows.append(RobRow(label, tuple(cells), result.final_overall, weight))
    return RobTable(tool.robvis_tool, tuple(columns), tuple(names[c] for c in columns), tuple(rows))


def _column(tool: Instrument, result: Result, column: str) -> Judgment:
    finals = [d.final for d in result.domains if tool.domain(d.domain).column == column]
    known = [f for f in finals if f is not None]
    if not known:
        return Judgment.NOT_APPLICABLE if not finals else Judgment.NO_INFORMATION
    ordered = (*tool.scale, Judgment.NO_INFORMATION)
    return max(known, key=lambda j: ordered.index(j) if j in ordered else -1)


def assessments_from_table(
    table: RobTable, *, outcome: str, assessor: str, reason: str = "imported from robvis CSV"
) -> list[Assessment]:
    """Assessments holding a table's judgments as recorded overrides (no answers).

    Imported judgments were typed elsewhere; keeping them as overrides with a reason makes that
    visible, and answering the questions later turns them into proposals.
    """
    instrument_id = IMPORTABLE.get(table.tool)
    if instrument_id is None:
        raise ValidationError(
            f"cannot turn {table.tool} judgments into assessments",
            field="tool",
            hint=f"import supports {', '.join(IMPORTABLE)}",
        )
    tool = get_instrument(instrument_id)
    settings = tool.resolve_settings({})
    by_column = {d.column: d.id for d in tool.domains_for(settings)}
    out = []
    for row in table.rows:
        # "No information" is not a RoB 2 domain level: such a domain stays unjudged (incomplete)
        overrides = {
            by_column[c]: Override(j, reason)
            for c, j in zip(table.domains, row.judgments, strict=True)
            if j in tool.domain(by_column[c]).scale
        }
        if row.overall is not None and row.overall in (*tool.scale, Judgment.NO_INFORMATION):
            overrides[OVERALL] = Override(row.overall, reason)
        out.append(
            Assessment(row.study, outcome, assessor, instrument_id, {}, {}, overrides, settings)
        )
    return out


def tables_by_tool(results: Iterable[Result]) -> dict[str, list[Result]]:
    """Group results by instrument id, since one plot shows one instrument."""
    grouped: dict[str, list[Result]] = {}
    for result in results:
        grouped.setdefault(result.assessment.instrument, []).append(result)
    return grouped
