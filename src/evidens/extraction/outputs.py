"""Consensus data as the analyses and the report consume it, without retyping.

Only :class:`~evidens.extraction.model.Consensus` records are accepted here: a single
extractor's answers never reach a meta-analysis or the table of included studies.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from evidens.core import ArmData, Outcome
from evidens.core.cells import spreadsheet_safe
from evidens.extraction.forms import OUTCOMES_SECTION
from evidens.extraction.model import Consensus, Derived, Value

CHARACTERISTICS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Study", "characteristics.study"),
    ("Sample size", "characteristics.sample_size"),
    ("Country", "characteristics.country"),
    ("Study Design", "characteristics.design"),
    ("Inclusion criteria", "characteristics.inclusion_criteria"),
    ("Study Treatment", "characteristics.treatment"),
    ("Comparator", "characteristics.comparator"),
    ("Outcomes", "characteristics.outcomes"),
)
"""The seed's Table 2 columns (names as printed) and the default form's keys behind them."""

TREATMENT_KEY = "characteristics.treatment"
COMPARATOR_KEY = "characteristics.comparator"

OUTCOME_COLUMNS = (
    "study",
    "outcome_id",
    "outcome",
    "kind",
    "timepoint",
    "unit",
    "experimental",
    "comparator",
    "exp_events",
    "exp_total",
    "exp_mean",
    "exp_sd",
    "exp_n",
    "comp_events",
    "comp_total",
    "comp_mean",
    "comp_sd",
    "comp_n",
    "derived",
)
"""One row per study and outcome, both arms side by side as meta-analysis input
(``exp_events, exp_total, comp_events, comp_total`` are metafor's ai, n1i, ci, n2i);
``derived`` names the numbers reviewers computed rather than read, with method and formula."""


@dataclass(frozen=True)
class StudyArms:
    """One study's two arms for one outcome: the unit a meta-analysis pools."""

    study: str
    outcome_id: str
    outcome: Outcome
    experimental: ArmData
    comparator: ArmData
    unit: str | None = None
    derived: tuple[Derived, ...] = ()

    @property
    def pair(self) -> tuple[ArmData, ArmData]:
        return self.experimental, self.comparator


def outcome_data(consensus: Sequence[Consensus]) -> dict[str, tuple[StudyArms, ...]]:
    """Per outcome id, each study's (experimental, comparator) arm data, in study order.

    Arms are named by the study's treatment and comparator where the extraction has them, so
    a forest plot can label them without another lookup.
    """
    by_outcome: dict[str, list[StudyArms]] = {}
    for record in consensus:
        names = (record.value(TREATMENT_KEY), record.value(COMPARATOR_KEY))
        for data in record.arms:
            experimental, comparator = data.experimental, data.comparator
            if names[0] is not None:
                experimental = replace(experimental, arm=display(names[0]))
            if names[1] is not None:
                comparator = replace(comparator, arm=display(names[1]))
            prefix = f"{OUTCOMES_SECTION}.{data.id}."
            derived = tuple(d for d in record.derived if d.target.startswith(prefix))
            by_outcome.setdefault(data.id, []).append(
                StudyArms(
                    record.study,
                    data.id,
                    data.outcome,
                    experimental,
                    comparator,
                    data.unit,
                    derived,
                )
            )
    return {key: tuple(rows) for key, rows in by_outcome.items()}


def characteristics_rows(
    consensus: Sequence[Consensus],
    columns: Sequence[tuple[str, str]] = CHARACTERISTICS_COLUMNS,
) -> list[dict[str, str]]:
    """The report's table of included studies: one row per study, the seed's column names.

    ``columns`` maps a column name to a form key, for forms that name their fields otherwise.
    The Study column falls back to the study label when the form's Study field is blank.
    """
    rows = []
    for record in consensus:
        row = {name: display(record.value(key)) for name, key in columns}
        if "Study" in row and not row["Study"]:
            row["Study"] = record.study
        rows.append(row)
    return rows


def characteristics_csv(
    consensus: Sequence[Consensus],
    columns: Sequence[tuple[str, str]] = CHARACTERISTICS_COLUMNS,
) -> str:
    """``OUT/characteristics.csv``: :func:`characteristics_rows` as CSV text."""
    return _csv([name for name, _ in columns], characteristics_rows(consensus, columns))


def outcomes_csv(consensus: Sequence[Consensus]) -> str:
    """``OUT/outcomes.csv``: one row per study and outcome with both arms' numbers."""
    rows = [_outcome_row(item) for items in outcome_data(consensus).values() for item in items]
    return _csv(list(OUTCOME_COLUMNS), rows)


def _outcome_row(item: StudyArms) -> dict[str, str]:
    row = {
        "study": item.study,
        "outcome_id": item.outcome_id,
        "outcome": item.outcome.name,
        "kind": item.outcome.kind.value,
        "timepoint": item.outcome.timepoint or "",
        "unit": item.unit or "",
        "experimental": item.experimental.arm,
        "comparator": item.comparator.arm,
    }
    for prefix, arm in (("exp", item.experimental), ("comp", item.comparator)):
        for stat in ("events", "total", "mean", "sd", "n"):
            row[f"{prefix}_{stat}"] = display(getattr(arm, stat))
    row["derived"] = "; ".join(
        f"{_column(d.target)}: {d.method} ({d.formula})" for d in item.derived
    )
    return row


def _column(target: str) -> str:
    """``outcomes.pain.experimental.sd`` as its outcomes.csv column, ``exp_sd``."""
    *_, arm, stat = target.split(".")
    return f"{'exp' if arm == 'experimental' else 'comp'}_{stat}"


def display(value: Value | None) -> str:
    """A value as text for a table cell: numbers without trailing zeros, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)


def _csv(header: list[str], rows: Sequence[Mapping[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: spreadsheet_safe(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()
