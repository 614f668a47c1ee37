"""The report's lists of records and files, each row a recorded fact, never retyped.

Reports not retrieved (PRISMA 2020 item 16a's "reports not retrieved" box, named one by
one), full texts excluded with their reasons (item 16b), the export files as imported with
every warning the importer raised (PRISMA-S items 15-16), and the analyses with the settings
they ran with and the studies they pooled (items 13a-13d). Notes under the lists repeat the
flow diagram's counts so a reader sees that the list and the box agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from evidens.meta.results import MEASURE_NAMES, TAU2_NAMES, Methods
from evidens.report.citation import record_citation
from evidens.report.inputs import AnalysisMethod, ImportLog, ReportOutcome
from evidens.report.model import Cell, Table

NO_REASON = "reason not recorded"
"""What the flow diagram counts a reasonless exclusion under (evidens.prisma.counts)."""
MAX_WARNINGS_SHOWN = 25
"""Warnings listed per file; more are summarised in one line (all stay in the store)."""


def _heads(*names: str) -> tuple[tuple[Cell, ...], ...]:
    return (tuple(Cell(n, bold=True) for n in names),)


def _sorted(rows: Sequence[ReportOutcome]) -> list[tuple[str, ReportOutcome]]:
    """Rows with their citations, alphabetical as a reference list is."""
    cited = [(record_citation(r.record), r) for r in rows]
    return sorted(cited, key=lambda pair: (pair[0].casefold(), pair[1].reason))


def not_retrieved_table(number: int, rows: Sequence[ReportOutcome]) -> Table:
    """Reports sought for retrieval that could not be obtained, with the reason recorded."""
    body = tuple(
        (Cell(citation), Cell(row.reason or NO_REASON, muted=not row.reason))
        for citation, row in _sorted(rows)
    )
    return Table(
        key="not-retrieved",
        number=number,
        caption="Reports sought for retrieval but not retrieved.",
        header=_heads("Report", "Reason not retrieved"),
        body=body,
        widths=(11.0, 6.0),
        notes=(f"n = {len(rows)}, the 'Reports not retrieved' box of the flow diagram.",),
    )


def excluded_table(number: int, rows: Sequence[ReportOutcome]) -> Table:
    """Full texts assessed and excluded, each with the reason of its final decision."""
    body = tuple(
        (Cell(citation), Cell(row.reason or NO_REASON, muted=not row.reason), Cell(row.decided))
        for citation, row in _sorted(rows)
    )
    reasons = Counter(r.reason or NO_REASON for r in rows)
    by_reason = "; ".join(
        f"{reason} (n = {n})"
        for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return Table(
        key="excluded",
        number=number,
        caption="Full-text reports excluded, with the reason for each exclusion.",
        header=_heads("Report", "Reason for exclusion", "Final decision"),
        body=body,
        widths=(10.0, 5.0, 2.6),
        notes=(
            f"n = {len(rows)}, the 'Reports excluded' box of the flow diagram: {by_reason}.",
            (
                "Final decision: the reviewers agreed, or a resolver decided a disagreement; the "
                "reason is the resolver's, else the one the excluding reviewers gave most often."
            ),
        ),
    )


def _warning_lines(log: ImportLog) -> str:
    shown = [
        f"line {w.line}: {w.message}" if w.line else w.message
        for w in log.warnings[:MAX_WARNINGS_SHOWN]
    ]
    more = len(log.warnings) - len(shown)
    if more > 0:
        shown.append(f"... and {more} more warning(s) of this file")
    return "\n".join(shown) if shown else "none"


def imports_table(number: int, imports: Sequence[ImportLog]) -> Table:
    """Every export file as imported: source, format, records read and each warning."""
    body = tuple(
        (
            Cell(log.file),
            Cell(log.source),
            Cell(log.format),
            Cell(str(log.records)),
            Cell(_warning_lines(log), muted=not log.warnings),
        )
        for log in imports
    )
    total = sum(log.records for log in imports)
    return Table(
        key="imports",
        number=number,
        caption="Search results as imported: records read and warnings, per export file.",
        header=_heads("Export file", "Source", "Format", "Records", "Import warnings"),
        body=body,
        widths=(4.3, 2.4, 2.0, 1.9, 6.4),
        notes=(
            f"{total} records read from {len(imports)} file(s), before de-duplication.",
            "Warnings name the line of the export file the importer could not read fully.",
        ),
    )


_POOLING_WORDS = {"IV": "inverse variance", "MH": "Mantel-Haenszel", "PETO": "Peto"}


def model_text(methods: Methods, k: int) -> str:
    """The model an analysis ran with, in the words of :meth:`Methods.describe`: fixed-effect
    pooling, the random-effects τ² estimator, test and prediction interval; or that nothing
    was pooled when fewer than two studies had an estimable effect."""
    if k < 2:
        return f"not pooled ({k} study with an estimable effect): its effect and CI shown"
    text = f"{_POOLING_WORDS.get(methods.pooling, methods.pooling)} (fixed effect)"
    if methods.method != "FE":
        text += f"; random effects, {TAU2_NAMES.get(methods.method, methods.method)} τ²"
    text += "; Knapp-Hartung t-test" if methods.test == "knha" else "; z-test"
    if methods.prediction != "none" and methods.method != "FE":
        text += f"; prediction interval ({methods.prediction})"
    return text


def synthesis_table(number: int, analyses: Sequence[AnalysisMethod]) -> Table:
    """Each analysis: outcome, effect measure, model as run and the studies it pooled."""
    body = []
    for a in analyses:
        m = a.methods
        measure = MEASURE_NAMES.get(m.measure, m.measure)
        if m.zero_cells:
            measure += f"\n({m.zero_cells.replace(' (only0)', '')})"
        studies = "; ".join(a.studies)
        k = str(a.k) if a.k == len(a.studies) else f"{a.k} of {len(a.studies)} estimable"
        body.append(
            (
                Cell(a.name),
                Cell(a.outcome),
                Cell(measure),
                Cell(model_text(m, a.k) + f"\n{m.level:g}% CI; preset {m.preset}"),
                Cell(f"{k}: {studies}" if studies else "0"),
            )
        )
    return Table(
        key="analyses",
        number=number,
        caption="Syntheses: the settings each analysis ran with and the studies it includes.",
        header=_heads("Analysis", "Outcome", "Effect measure", "Model", "Studies (k)"),
        body=tuple(body),
        widths=(3.4, 3.0, 3.2, 5.0, 3.4),
        notes=("Settings as applied by the analysis (presets filled in), not as typed.",),
    )
