"""Build the review report from the domain packages' results: ``build_report(inputs)``.

Parts are numbered in the seed's order (Table 1 searches, Figure 1 PRISMA, Table 2
characteristics, Table 3 risk of bias and its traffic-light figure, Table 4 summary of
findings, a forest plot per analysis); parts without data are left out and the numbers close
up. The methods summary and the PRISMA checklist are written after numbering so that they
can point at the right table or figure. The appendix (searches as translated, with their
warnings) follows the checklist.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping

import matplotlib as mpl

from evidens.core.drawing import DRAWING
from evidens.prisma.diagram import build_diagram
from evidens.prisma.render import render as render_prisma
from evidens.report.checklist import fill_checklist
from evidens.report.inputs import PrismaFigure, ReportInputs
from evidens.report.lists import excluded_table, imports_table, not_retrieved_table, synthesis_table
from evidens.report.methods import methods_sections
from evidens.report.model import Cell, ChecklistItem, Figure, ReviewReport, Section, Table
from evidens.report.network_section import network_blocks
from evidens.report.rob_plots import render as render_rob
from evidens.report.rob_plots import traffic_light
from evidens.report.search_appendix import translations_table
from evidens.report.tables import characteristics_table, rob_table, search_table, sof_table
from evidens.rob.instrument import get_instrument
from evidens.rob.robvis import RobRow, RobTable, table_from_results, tables_by_tool


class _Numbers:
    """Running table and figure numbers, and the label given to each part's key."""

    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0
        self.labels: dict[str, str] = {}

    def table(self, key: str) -> int:
        self.tables += 1
        self.labels[key] = f"Table {self.tables}"
        return self.tables

    def figure(self, key: str) -> int:
        self.figures += 1
        self.labels[key] = f"Figure {self.figures}"
        return self.figures


def _prisma_figure(number: int, figure: PrismaFigure) -> Figure:
    diagram = build_diagram(
        figure.counts, figure.template, previous=figure.previous, other=figure.other
    )
    # text stays text in the SVG, so the HTML report is searchable and readable aloud
    with DRAWING, mpl.rc_context({"svg.fonttype": "none"}):
        svg = render_prisma(diagram, "svg")
    return Figure(
        key="prisma",
        number=number,
        caption="Study selection flow diagram (PRISMA 2020).",
        svg=svg,
        png=render_prisma(diagram, "png"),
        inline=True,
        alt=" ".join(
            " ".join([box.heading, *(line.strip() for line in box.lines)]) for box in diagram.boxes
        ),
    )


def _rob_alt(table: RobTable, row: RobRow) -> str:
    cells = [f"{d} {j.label}" for d, j in zip(table.domains, row.judgments, strict=True)]
    overall = f", overall {row.overall.label}" if row.overall else ""
    return f"{row.study}: {', '.join(cells)}{overall}"


def _rob_figures(inputs: ReportInputs, numbers: _Numbers) -> list[Figure]:
    figures = []
    for tool_id, results in tables_by_tool(inputs.rob_results).items():
        table = table_from_results(results)
        fig = traffic_light(table)
        number = numbers.figure(f"rob-figure:{tool_id}")
        name = get_instrument(tool_id).name
        figures.append(
            Figure(
                key=f"rob-figure:{tool_id}",
                number=number,
                caption=f"Risk of bias per study and domain, traffic-light plot: {name}.",
                svg=render_rob(fig, "svg"),
                png=render_rob(fig, "png"),
                inline=True,
                alt="; ".join(_rob_alt(table, row) for row in table.rows),
            )
        )
    return figures


def _forest_figures(inputs: ReportInputs, numbers: _Numbers) -> list[Figure]:
    names = list(dict.fromkeys([*inputs.forest_svgs, *inputs.forest_pngs]))
    figures = []
    for name in names:
        key = f"forest:{name}"
        figures.append(
            Figure(
                key=key,
                number=numbers.figure(key),
                caption=f"Forest plot: {name}.",
                alt=f"Forest plot: {name}",
                svg=inputs.forest_svgs.get(name),
                png=inputs.forest_pngs.get(name),
            )
        )
    return figures


def _blocks(inputs: ReportInputs, numbers: _Numbers) -> list[Table | Figure]:
    blocks: list[Table | Figure] = []
    if inputs.searches:
        blocks.append(search_table(numbers.table("searches"), inputs.searches))
    if inputs.imports:
        blocks.append(imports_table(numbers.table("imports"), inputs.imports))
    if inputs.prisma is not None:
        blocks.append(_prisma_figure(numbers.figure("prisma"), inputs.prisma))
    if inputs.not_retrieved:
        blocks.append(not_retrieved_table(numbers.table("not-retrieved"), inputs.not_retrieved))
    if inputs.excluded:
        blocks.append(excluded_table(numbers.table("excluded"), inputs.excluded))
    if inputs.characteristics:
        number = numbers.table("characteristics")
        blocks.append(characteristics_table(number, inputs.characteristics))
    if inputs.rob_results:
        blocks.append(rob_table(numbers.table("rob"), inputs.rob_results))
        blocks += _rob_figures(inputs, numbers)
    if inputs.sof is not None:
        blocks.append(sof_table(numbers.table("sof"), inputs.sof))
    if inputs.analyses:
        blocks.append(synthesis_table(numbers.table("analyses"), inputs.analyses))
    blocks += _forest_figures(inputs, numbers)
    blocks += network_blocks(inputs.networks, numbers)
    return blocks


def _methods_at(sections: tuple[Section, ...], key: str, extra: str = "") -> str:
    for s in sections:
        if s.key == key:
            return f"Methods: {s.heading}" + (f"; {extra}" if extra else "")
    return ""


def _where(
    inputs: ReportInputs, labels: Mapping[str, str], sections: tuple[Section, ...]
) -> dict[str, str]:
    """Where each fact the checklist asks about is reported (absent = unknown)."""
    p, m = inputs.protocol, inputs.methods
    forests = [v for k, v in labels.items() if k.startswith("forest:")]
    networks = [v for k, v in labels.items() if k.startswith("network-")]
    analyses = labels.get("analyses", "") or "; ".join(networks)
    synthesis = _methods_at(sections, "synthesis", analyses) if m.synthesis or analyses else ""
    flow = [labels[k] for k in ("prisma", "not-retrieved", "excluded") if k in labels]
    rob = [v for k, v in labels.items() if k == "rob" or k.startswith("rob-figure:")]
    where = {
        "title": "Title",
        "question": _methods_at(sections, "question") if p and p.question else "",
        "eligibility": _methods_at(sections, "question") if p and p.inclusion_criteria else "",
        "sources": (
            _methods_at(sections, "sources", labels["searches"]) if inputs.searches else ""
        ),
        "strategy": "; ".join(
            labels[k] for k in ("searches", "search-translations") if k in labels
        ),
        "selection": _methods_at(sections, "selection") if m.screening_reviewers else "",
        "collection": _methods_at(sections, "collection") if m.extraction_reviewers else "",
        "outcomes": _methods_at(sections, "question") if p and p.outcomes else "",
        "data_items": labels.get("characteristics", ""),
        "rob_method": _methods_at(sections, "rob"),
        "effect_measures": "; ".join(labels[k] for k in ("sof", "analyses") if k in labels),
        "synthesis_eligibility": synthesis if analyses else "",
        "data_preparation": synthesis if analyses else "",
        "synthesis": synthesis,
        "heterogeneity": synthesis if any(a.subgroups for a in inputs.analyses) else "",
        "reporting_bias": _methods_at(sections, "synthesis") if m.reporting_bias else "",
        "certainty_method": _methods_at(sections, "certainty"),
        "flow": "; ".join(flow),
        "excluded": labels.get("excluded", ""),
        "contributing": analyses,
        "characteristics": labels.get("characteristics", ""),
        "rob_results": "; ".join(rob),
        "forests": "; ".join(forests),
        "certainty": labels.get("sof", ""),
        "registration": _methods_at(sections, "other") if p and p.registration else "",
    }
    tables = [labels[k] for k in ("characteristics", "rob", "sof", "analyses") if k in labels]
    where["tabulation"] = "; ".join(tables + forests)
    return where


def _checklist_table(number: int, items: tuple[ChecklistItem, ...]) -> Table:
    return Table(
        key="checklist",
        number=number,
        caption="PRISMA 2020 checklist: where each item is reported.",
        header=(tuple(Cell(h, bold=True) for h in ("Item", "Section", "Topic", "Location")),),
        body=tuple(
            (
                Cell(i.item),
                Cell(i.section),
                Cell(i.topic),
                Cell(i.shown_location, muted=not i.filled),
            )
            for i in items
        ),
        widths=(1.2, 3.0, 6.5, 6.3),
        notes=("Topics are short labels; see the PRISMA 2020 statement for each item's text.",),
    )


def _version() -> str:
    try:
        return importlib.metadata.version("evidens")
    except importlib.metadata.PackageNotFoundError:
        return "(development)"


def build_report(inputs: ReportInputs) -> ReviewReport:
    """Lay out the whole report; pure apart from drawing the figures."""
    numbers = _Numbers()
    blocks = _blocks(inputs, numbers)
    appendix = translations_table(numbers.tables + 2, inputs.searches)  # after the checklist
    if appendix is not None:
        numbers.labels[appendix.key] = f"Appendix {appendix.label}"
    sections = methods_sections(inputs, numbers.labels)
    checklist = fill_checklist(_where(inputs, numbers.labels, sections))
    return ReviewReport(
        title=inputs.title,
        methods=sections,
        blocks=tuple(blocks),
        checklist=checklist,
        checklist_table=_checklist_table(numbers.tables + 1, checklist),
        colophon=f"Generated by evidens {_version()} from the review's recorded data.",
        appendix=() if appendix is None else (appendix,),
    )
