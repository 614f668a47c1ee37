"""League table of a network meta-analysis: CSV, HTML and DOCX.

Layout (as in most NMA publications): treatments on the diagonal, ordered by P-score (best
first). Each cell reads **row treatment versus column treatment**. Below the diagonal: network
(mixed) estimates; above it: the direct evidence alone (side-splitting), "–" where two
treatments were never compared directly. Ratio measures are shown as ratios.
"""

from __future__ import annotations

import csv
import html
import io
import math
from dataclasses import dataclass

from evidens.meta.effects import RATIO_MEASURES
from evidens.meta.nma import NetworkResult
from evidens.meta.nma_contribution import studies_per_comparison
from evidens.meta.nma_split import split
from evidens.meta.results import MEASURE_NAMES

CAPTION = (
    "Each cell: row treatment vs column treatment, estimate (95% CI). Below the diagonal: "
    "network estimates; above: direct evidence only (– = no direct comparison). Treatments "
    "ordered by P-score, best first."
)


_CELL = "border:1px solid #999;padding:3px 6px;text-align:center"
_STYLE = {
    "treatment": _CELL + ";background:#1F4E79;color:white",
    "network": _CELL,
    "direct": _CELL + ";background:#EEF3F8;font-style:italic",
}


@dataclass(frozen=True)
class LeagueTable:
    """Text cells, ``cells[i][j]``; the diagonal holds the treatment names."""

    treatments: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    title: str


def _fmt(res: NetworkResult, est: float, lo: float, hi: float) -> str:
    if res.contrasts.measure in RATIO_MEASURES:
        est, lo, hi = math.exp(est), math.exp(lo), math.exp(hi)
    return f"{est:.2f} ({lo:.2f} to {hi:.2f})"


def league_table(res: NetworkResult, *, direct: bool = True) -> LeagueTable:
    """Build the table; ``direct=False`` mirrors network estimates in the upper triangle."""
    order = [t for _, t in sorted(zip(-res.pscores(), res.treatments, strict=True))]
    lg = res.league()
    idx = {t: i for i, t in enumerate(res.treatments)}
    pairs = studies_per_comparison(res) if direct else {}
    crit = res.fit.crit
    rows: list[tuple[str, ...]] = []
    for a, ta in enumerate(order):
        row: list[str] = []
        for b, tb in enumerate(order):
            i, j = idx[ta], idx[tb]
            if a == b:
                row.append(ta)
            elif a > b or not direct:
                row.append(_fmt(res, lg.estimate[i, j], lg.ci_lb[i, j], lg.ci_ub[i, j]))
            elif (ta, tb) in pairs or (tb, ta) in pairs:
                s = split(res, ta, tb)
                if s is None:  # no indirect evidence: the network estimate is the direct one
                    row.append(_fmt(res, lg.estimate[i, j], lg.ci_lb[i, j], lg.ci_ub[i, j]))
                else:
                    sign = 1.0 if (s.second, s.first) == (ta, tb) else -1.0
                    e = sign * s.direct
                    row.append(_fmt(res, e, e - crit * s.direct_se, e + crit * s.direct_se))
            else:
                row.append("–")
        rows.append(tuple(row))
    name = MEASURE_NAMES.get(res.contrasts.measure, res.contrasts.measure)
    title = f"League table ({name}, {res.model} model)"
    return LeagueTable(tuple(order), tuple(rows), title)


def league_csv(table: LeagueTable) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([table.title])
    for row in table.cells:
        writer.writerow(row)
    writer.writerow([CAPTION])
    return buf.getvalue()


def league_html(table: LeagueTable) -> str:
    """A standalone HTML fragment (a <table> with caption); diagonal cells are headers."""
    out = [
        '<table class="league" style="border-collapse:collapse;font-size:0.85em">',
        f"<caption>{html.escape(table.title)}</caption>",
    ]
    for a, row in enumerate(table.cells):
        cells = []
        for b, text in enumerate(row):
            tag = "th" if a == b else "td"
            kind = "network" if a > b else "direct" if a < b else "treatment"
            cells.append(
                f'<{tag} class="{kind}" style="{_STYLE[kind]}">{html.escape(text)}</{tag}>'
            )
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append(f'<tr><td colspan="{len(table.cells)}">{html.escape(CAPTION)}</td></tr>')
    out.append("</table>")
    return "\n".join(out)


def league_docx(table: LeagueTable) -> bytes:
    """A Word document holding the table (landscape, small font), for the report's annex."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_heading(table.title, level=2)
    n = len(table.cells)
    grid = doc.add_table(rows=n, cols=n)
    grid.style = "Table Grid"
    for a, row in enumerate(table.cells):
        for b, text in enumerate(row):
            cell = grid.cell(a, b)
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(7)
                run.bold = a == b
    doc.add_paragraph(CAPTION)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
