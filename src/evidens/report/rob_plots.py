"""Risk-of-bias figures: traffic-light plot (studies x domains) and summary bars.

Colours and symbols follow robvis (docs/reference/methods.md) so figures look familiar to
reviewers.
Layout is computed in inches from the number of studies and the longest label, so that 1 and
60+ studies both stay readable: labels are always horizontal, cells and fonts shrink within
bounds, the domain caption and the legend sit in separate areas and never overlap (robvis
#148). Functions return a matplotlib Figure; :func:`render` gives SVG, PNG or PDF bytes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from evidens.core.drawing import DRAWING
from evidens.errors import ValidationError
from evidens.rob.files import rob_json
from evidens.rob.model import Judgment, Result
from evidens.rob.robvis import RobTable, table_from_results, tables_by_tool

J = Judgment
PALETTES: Mapping[str, Mapping[Judgment, str]] = {
    "cochrane": {
        J.LOW: "#02C100",
        J.SOME_CONCERNS: "#E2DF07",
        J.MODERATE: "#E2DF07",
        J.HIGH: "#BF0000",
        J.SERIOUS: "#BF0000",
        J.CRITICAL: "#820000",
        J.VERY_HIGH: "#820000",
        J.NO_INFORMATION: "#4EA1F7",
        J.NOT_APPLICABLE: "#cccccc",
    },
    "colourblind": {
        J.LOW: "#fed98e",
        J.SOME_CONCERNS: "#fe9929",
        J.MODERATE: "#fe9929",
        J.HIGH: "#d95f0e",
        J.SERIOUS: "#d95f0e",
        J.CRITICAL: "#993404",
        J.VERY_HIGH: "#993404",
        J.NO_INFORMATION: "#ffffff",
        J.NOT_APPLICABLE: "#cccccc",
    },
}
SYMBOLS: Mapping[Judgment, str] = {
    J.LOW: "+",
    J.SOME_CONCERNS: "−",
    J.MODERATE: "−",
    J.HIGH: "×",
    J.SERIOUS: "×",
    J.CRITICAL: "!",
    J.VERY_HIGH: "!",
    J.NO_INFORMATION: "?",
    J.NOT_APPLICABLE: "",
}
#: Order of levels in legends and stacked bars (least to most severe, then missing).
LEVEL_ORDER = (
    J.LOW,
    J.SOME_CONCERNS,
    J.MODERATE,
    J.HIGH,
    J.SERIOUS,
    J.CRITICAL,
    J.VERY_HIGH,
    J.NO_INFORMATION,
    J.NOT_APPLICABLE,
)
OVERALL_SHADE = "#d3d3d3"
MAX_LABEL = 60  # characters; longer study labels are cut with an ellipsis
FORMATS = ("svg", "png", "pdf")


def _palette(colours: str) -> Mapping[Judgment, str]:
    try:
        return PALETTES[colours]
    except KeyError:
        raise ValidationError(
            f"unknown colour scheme {colours!r}",
            field="colours",
            hint="use cochrane or colourblind",
        ) from None


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _text_width(text: str, size: float) -> float:
    """Approximate rendered width in inches (DejaVu Sans averages ~0.58 em per character)."""
    return len(text) * size * 0.58 / 72


def _levels(table: RobTable, overall: bool) -> list[Judgment]:
    used = {j for row in table.rows for j in row.judgments}
    if overall:
        used |= {row.overall for row in table.rows if row.overall is not None}
    return [level for level in LEVEL_ORDER if level in used]


def _check(table: RobTable) -> None:
    if not table.rows:
        raise ValidationError("no studies to plot", hint="assess or import at least one study")


def traffic_light(
    table: RobTable, *, overall: bool = True, colours: str = "cochrane", title: str = ""
) -> Figure:
    """Grid of coloured circles with robvis symbols; rows keep the table's study order."""
    _check(table)
    palette = _palette(colours)
    overall = overall and table.has_overall
    columns = [*table.domains, "Overall"] if overall else list(table.domains)
    n_rows, n_cols = len(table.rows), len(columns)
    cell = min(0.42, max(0.2, 7.5 / n_rows))  # inches per row: shrink for many studies
    font = min(10.0, max(6.0, cell * 24))
    labels = [_short(r.study) for r in table.rows]
    label_w = max(_text_width(s, font) for s in labels) + 0.15
    caption = [f"{c}: {n}" for c, n in zip(table.domains, table.domain_names, strict=True)]
    levels = _levels(table, overall)
    legend_w = max(_text_width(level.label, 8.5) for level in levels) + 0.75
    caption_h = (len(caption) + 1) * 8.5 * 1.35 / 72 + 0.1
    legend_h = (len(levels) + 1) * 0.24 + 0.1
    bottom = max(caption_h, 0.2)
    head = 0.35 + (0.3 if title else 0.0)
    grid_w, grid_h = n_cols * max(cell, 0.36), n_rows * cell
    width = 0.1 + label_w + grid_w + 0.25 + legend_w
    height = head + max(grid_h, legend_h) + bottom
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes(
        (
            (0.1 + label_w) / width,
            (bottom + max(grid_h, legend_h) - grid_h) / height,
            grid_w / width,
            grid_h / height,
        )
    )
    _draw_grid(ax, table, columns, labels, palette, font, cell, overall)
    _draw_caption(fig, caption, bottom, width, height)
    _draw_legend(fig, levels, palette, (0.1 + label_w + grid_w + 0.25), head, width, height)
    if title:
        fig.text(
            0.5,
            1 - 0.2 / height,
            title,
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
            parse_math=False,
        )
    return fig


def _draw_grid(
    ax: Any,
    table: RobTable,
    columns: Sequence[str],
    labels: Sequence[str],
    palette: Mapping[Judgment, str],
    font: float,
    cell: float,
    overall: bool,
) -> None:
    n_rows, n_cols = len(table.rows), len(columns)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_axis_off()
    if overall:
        ax.add_patch(Rectangle((n_cols - 1, 0), 1, n_rows, color=OVERALL_SHADE, zorder=0))
    diameter = cell * 72 * 0.8  # points
    for i, row in enumerate(table.rows):
        cells = list(row.judgments) + ([row.overall or J.NOT_APPLICABLE] if overall else [])
        ax.text(
            -0.15,
            i + 0.5,
            labels[i],
            ha="right",
            va="center",
            fontsize=font,
            parse_math=False,
            clip_on=False,
        )
        for j, level in enumerate(cells):
            edge = "none" if level is J.NOT_APPLICABLE else "#333333"
            ax.scatter(
                [j + 0.5],
                [i + 0.5],
                s=diameter**2,
                c=palette[level],
                edgecolors=edge,
                linewidths=0.5,
                zorder=2,
            )
            ax.text(
                j + 0.5,
                i + 0.5,
                SYMBOLS[level],
                ha="center",
                va="center",
                fontsize=diameter * 0.62,
                fontweight="bold",
                zorder=3,
                parse_math=False,
            )
    for j, name in enumerate(columns):
        weight = "bold" if overall and j == n_cols - 1 else "normal"
        ax.text(
            j + 0.5,
            -0.25,
            name,
            ha="center",
            va="bottom",
            fontsize=max(font, 8),
            fontweight=weight,
            parse_math=False,
            clip_on=False,
        )


def _draw_caption(
    fig: Figure, lines: Sequence[str], bottom: float, width: float, height: float
) -> None:
    step = 8.5 * 1.35 / 72
    fig.text(
        0.1 / width,
        (bottom - 0.05) / height,
        "Domains:",
        ha="left",
        va="top",
        fontsize=8.5,
        fontweight="bold",
    )
    for k, line in enumerate(lines, 1):
        fig.text(
            0.1 / width,
            (bottom - 0.05 - k * step) / height,
            _short(line),
            ha="left",
            va="top",
            fontsize=8.5,
            parse_math=False,
        )


def _draw_legend(
    fig: Figure,
    levels: Sequence[Judgment],
    palette: Mapping[Judgment, str],
    left: float,
    head: float,
    width: float,
    height: float,
) -> None:
    top = height - head
    fig.text(
        left / width,
        top / height,
        "Judgement",
        ha="left",
        va="top",
        fontsize=8.5,
        fontweight="bold",
    )
    for k, level in enumerate(levels, 1):
        y = (top - 0.12 - k * 0.24) / height
        fig.text(
            (left + 0.12) / width,
            y,
            SYMBOLS[level] or " ",
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.25", "fc": palette[level], "ec": "#333333", "lw": 0.5},
        )
        fig.text((left + 0.32) / width, y, level.label, ha="left", va="center", fontsize=8.5)


def summary(
    table: RobTable, *, overall: bool = True, weighted: bool = False, colours: str = "cochrane"
) -> Figure:
    """100%-stacked bars per domain (share of studies, or of weight when ``weighted``)."""
    _check(table)
    palette = _palette(colours)
    overall = overall and table.has_overall
    if weighted and any(r.weight is None for r in table.rows):
        missing = [r.study for r in table.rows if r.weight is None]
        raise ValidationError(
            f"no weight for {', '.join(missing[:5])}",
            field="Weight",
            hint="give every study a weight or plot unweighted",
        )
    weights = [r.weight if weighted and r.weight is not None else 1.0 for r in table.rows]
    names = [f"{n}" for n in table.domain_names]
    series = [[r.judgments[k] for r in table.rows] for k in range(len(table.domains))]
    if overall:
        names.append("Overall risk of bias")
        series.append([r.overall or J.NOT_APPLICABLE for r in table.rows])
    levels = _levels(table, overall)
    label_w = max(_text_width(n, 9) for n in names) + 0.2
    height = 0.9 + 0.38 * len(names) + 0.45
    width = max(6.5, label_w + 4.5)
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes(
        (label_w / width, 0.95 / height, 1 - (label_w + 0.3) / width, (0.38 * len(names)) / height)
    )
    total = sum(weights)
    for y, judged in enumerate(series):
        left = 0.0
        for level in levels:
            share = 100 * sum(w for w, j in zip(weights, judged, strict=True) if j is level) / total
            if share > 0:
                ax.barh(
                    y,
                    share,
                    left=left,
                    height=0.7,
                    color=palette[level],
                    edgecolor="#333333",
                    linewidth=0.5,
                )
            left += share
    ax.set_xlim(0, 100)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([_short(n) for n in names], fontsize=9)
    if overall:
        ax.get_yticklabels()[-1].set_fontweight("bold")
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"], fontsize=8.5)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Rectangle((0, 0), 1, 1, color=palette[lv], ec="#333333", lw=0.5) for lv in levels]
    fig.legend(
        handles,
        [lv.label for lv in levels],
        loc="lower center",
        ncol=len(levels),
        fontsize=8.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    ax.set_xlabel("Share of total weight" if weighted else "Share of studies", fontsize=8.5)
    return fig


def render(fig: Figure, fmt: str = "svg", *, dpi: int = 200) -> bytes:
    """The figure as SVG (text kept as text), PNG or PDF bytes, without creation dates."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(
            f"cannot write {fmt!r} figures", field="format", hint="use svg, png or pdf"
        )
    metadata: dict[str, Any] = {
        "svg": {"Date": None},
        "pdf": {"CreationDate": None},
        "png": {},
    }[fmt]
    buf = io.BytesIO()
    with DRAWING, mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "evidens-rob"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return buf.getvalue()


def rob_outputs(
    results: Sequence[Result], weights: Mapping[str, float] | None = None
) -> dict[str, bytes]:
    """What ``evidens run`` writes to OUT: rob.json and both figures as SVG, by file name.

    One traffic-light and one summary figure per instrument; the first instrument's files
    carry the plain names (rob-traffic-light.svg, rob-summary.svg), others add the id.
    The summary is weighted when ``weights`` (by study label) covers every study.
    """
    files = {"rob.json": json.dumps(rob_json(results), indent=2, ensure_ascii=False).encode()}
    for k, (tool_id, group) in enumerate(tables_by_tool(results).items()):
        suffix = "" if k == 0 else f"-{tool_id}"
        table = table_from_results(group, weights)
        weighted = all(r.weight is not None for r in table.rows)
        with DRAWING:  # built as well as saved with matplotlib's settings to ourselves
            files[f"rob-traffic-light{suffix}.svg"] = render(traffic_light(table))
            files[f"rob-summary{suffix}.svg"] = render(summary(table, weighted=weighted))
    return files
