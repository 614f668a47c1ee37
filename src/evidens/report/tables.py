"""The seed's four tables built from the domain packages' results.

Layouts follow the RISS review: Table 1 one row per source with its full strategy; Table 2
one row per included study with the extraction form's characteristics; Table 3 each study
once beside its RoB domains and the overall judgment; Table 4 the GRADE evidence profile
(patients per arm, effect, the five certainty domains, certainty) with lettered footnotes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evidens.core import SourceKind
from evidens.grade.model import Domain
from evidens.grade.render_html import other_considerations
from evidens.grade.sof import SofRow, SofTable, absolute_summary, arm_text, measure_names
from evidens.report.inputs import SearchLog
from evidens.report.model import Cell, Table
from evidens.rob.instrument import get_instrument
from evidens.rob.model import Result

NOT_REPORTED = "not reported"
_CHARACTERISTIC_WIDTHS = {
    "Study": 2.4,
    "Sample size": 1.4,
    "Country": 1.6,
    "Study Design": 2.2,
    "Inclusion criteria": 5.0,
    "Study Treatment": 2.4,
    "Comparator": 2.2,
    "Outcomes": 5.6,
}
_PROFILE_DOMAINS = (Domain.RISK_OF_BIAS, Domain.INCONSISTENCY, Domain.INDIRECTNESS)


def _heads(*names: str) -> tuple[tuple[Cell, ...], ...]:
    return (tuple(Cell(n, bold=True) for n in names),)


def _source_text(log: SearchLog) -> str:
    s = log.search
    text = s.source
    if s.platform and s.platform.casefold() != s.source.casefold():
        text += f"\nvia {s.platform}"
    if log.kind is SourceKind.REGISTER:
        text += "\n(trial register)"
    elif log.kind is SourceKind.OTHER:
        text += "\n(other method)"
    return text


def search_table(number: int, searches: Sequence[SearchLog]) -> Table:
    """Table 1: source, full strategy as run, date and hits (PRISMA-S items 1, 8, 13, 15);
    with a column of the records read from each search's exports when any were imported,
    so a hit count and an incomplete export are seen side by side."""
    imported = any(log.imported is not None for log in searches)
    body = []
    for log in searches:
        s = log.search
        strategy = s.strategy.strip()
        if s.limits:
            strategy += f"\nLimits: {s.limits}"
        row = [
            Cell(_source_text(log)),
            Cell(strategy),
            Cell(s.date_run.isoformat() if s.date_run else NOT_REPORTED),
            Cell(NOT_REPORTED if s.hits is None else str(s.hits)),
        ]
        if imported:
            row.append(Cell("none" if log.imported is None else str(log.imported)))
        body.append(tuple(row))
    notes = []
    if any(log.search.hits is None for log in searches):
        notes.append("Hits: records retrieved by the search; 'not reported' where not recorded.")
    if imported:
        notes.append(
            "Records imported: records read from the search's export files, before "
            "de-duplication (per file in the import table)."
        )
    heads = ["Source", "Search strategy", "Date searched", "Hits"]
    return Table(
        key="searches",
        number=number,
        caption="Search strategies.",
        header=_heads(*heads, *(["Records imported"] if imported else [])),
        body=tuple(body),
        widths=(3.0, 7.6, 2.1, 2.1, 2.4) if imported else (3.2, 10.2, 2.2, 1.6),
        notes=tuple(notes),
    )


def characteristics_table(number: int, rows: Sequence[Mapping[str, str]]) -> Table:
    """Table 2: one row per included study, columns in the extraction form's order."""
    columns = list(rows[0]) if rows else []
    return Table(
        key="characteristics",
        number=number,
        caption="Characteristics of the studies included in this review.",
        header=_heads(*columns),
        body=tuple(tuple(Cell(row.get(c, "")) for c in columns) for row in rows),
        widths=tuple(_CHARACTERISTIC_WIDTHS.get(c, 2.5) for c in columns),
        landscape=len(columns) > 5,
    )


def _risk_of(name: str) -> str:
    """'Bias arising from ...' as the seed prints it: 'Risk of bias arising from ...'."""
    return f"Risk of b{name[1:]}" if name.startswith("Bias") else name


def _study_label(result: Result, results: Sequence[Result]) -> str:
    a = result.assessment
    several = sum(r.assessment.study == a.study for r in results) > 1
    return f"{a.study}\n({a.outcome})" if several and a.outcome else a.study


def rob_table(number: int, results: Sequence[Result]) -> Table:
    """Table 3: each study (and result) once, beside every domain and the overall row."""
    body: list[tuple[Cell, ...]] = []
    for result in results:
        lines = [
            (_risk_of(d.name), d.final.label if d.final else "Incomplete") for d in result.domains
        ]
        overall = result.final_overall.label if result.final_overall else "Incomplete"
        lines.append(("Overall risk of bias", overall))
        study = Cell(_study_label(result, results), rowspan=len(lines))
        for k, (domain, judgment) in enumerate(lines):
            row = (Cell(domain), Cell(judgment))
            body.append((study, *row) if k == 0 else row)
    tools = sorted({get_instrument(r.assessment.instrument).name for r in results})
    return Table(
        key="rob",
        number=number,
        caption=f"Risk of bias assessment results using {' and '.join(tools)}.",
        header=_heads("Study", "Domains", "Risk of bias"),
        body=tuple(body),
        widths=(3.5, 10.0, 3.0),
    )


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sup(*letters: tuple[str, ...]) -> str:
    return ",".join(x for group in letters for x in group)


def _profile_row(row: SofRow) -> tuple[Cell, ...]:
    a, ev = row.assessment, row.assessment.evidence
    effect = row.relative_text
    absolute = absolute_summary(row)
    if absolute and absolute != "not estimable":
        effect += f"\n{absolute}"
    cells = [
        Cell(row.outcome_text, _sup(row.outcome_letters)),
        Cell(arm_text(ev.intervention, ev.kind)),
        Cell(arm_text(ev.comparator, ev.kind)),
        Cell(effect, _sup(row.relative_letters, row.absolute_letters)),
        Cell(str(ev.studies)),
    ]
    for domain in (*_PROFILE_DOMAINS, Domain.IMPRECISION):
        label = a.judgment(domain).rating.label.capitalize()
        cells.append(Cell(label, _sup(row.letters_for(domain))))
    pub = _sup(row.letters_for(Domain.PUBLICATION_BIAS), row.upgrade_letters)
    cells.append(Cell(_upper_first(other_considerations(row)), pub))
    cells.append(Cell(row.certainty_text))
    return tuple(cells)


def sof_table(number: int, sof: SofTable) -> Table:
    """Table 4: the seed's layout of the GRADE evidence per outcome."""
    h = sof.header
    header = (
        (
            Cell("Outcome", rowspan=2, bold=True),
            Cell("№ of patients", colspan=2, bold=True),
            Cell("Effect (95% CI)", rowspan=2, bold=True),
            Cell("Certainty assessment", colspan=6, bold=True),
            Cell("Certainty", rowspan=2, bold=True),
        ),
        tuple(
            Cell(text, bold=True)
            for text in (
                h.intervention_short,
                h.comparison_short,
                "№ of studies",
                "Risk of bias",
                "Inconsistency",
                "Indirectness",
                "Imprecision",
                "Other considerations",
            )
        ),
    )
    notes = [
        f"{h.intervention_short}: {h.intervention}; {h.comparison_short}: {h.comparison}; "
        + "; ".join(measure_names(sof))
        + "."
    ]
    if h.population:
        notes.append(f"Population: {h.population}.")
    if h.setting:
        notes.append(f"Setting: {h.setting}.")
    notes += [f"{f.letter}. {f.text}" for f in sof.footnotes]
    return Table(
        key="sof",
        number=number,
        caption=f"Summary of findings: {h.title}.",
        header=header,
        body=tuple(_profile_row(r) for r in sof.rows),
        widths=(3.3, 2.0, 2.0, 3.6, 1.7, 1.9, 2.6, 2.2, 2.2, 2.6, 1.9),
        notes=tuple(notes),
        landscape=True,
    )
