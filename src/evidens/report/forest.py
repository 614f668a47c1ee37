"""Forest plot in RevMan's layout, drawn from a :class:`~evidens.meta.MetaResult`.

Why this layout: reviewers and editors read forest plots in RevMan's column order (study,
arm data, weight, effect with CI, the plot, risk of bias), so the figure can go into a Cochrane
style report unchanged. Rows have a fixed height in inches and the figure grows with them, so
a forest of 100+ studies stays legible; labels longer than the column are shortened with an
ellipsis. The methods line of the analysis is printed under the plot.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from evidens.core.drawing import DRAWING
from evidens.errors import ValidationError
from evidens.meta.forest_table import ForestRow, arm_headers, forest_rows
from evidens.meta.results import MEASURE_NAMES, MetaResult

ROW_IN = 0.2
FONT = 7.5
PLOT_IN = 2.4
ROB_COLOURS = {
    "low": "#02C100",
    "some_concerns": "#E2DF07",
    "high": "#BF0000",
    "no_information": "#4EA1F7",
}
ROB_SYMBOLS = {"low": "+", "some_concerns": "?", "high": "−", "no_information": "?"}
FORMATS = ("svg", "png", "pdf")


def _safe(text: str, width: int = 0) -> str:
    """Escape matplotlib's mathtext and shorten to ``width`` characters."""
    text = text.replace("$", r"\$")
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _axis_limits(result: MetaResult, rows: list[ForestRow]) -> tuple[float, float]:
    """Symmetric limits around the null covering the summaries and most study intervals."""

    def bounds(kind: str) -> list[float]:
        return [
            abs(v)
            for r in rows
            if r.kind == kind
            for v in (r.lo, r.hi)
            if v is not None and math.isfinite(v)
        ]

    studies = sorted(bounds("study"))
    # summaries always fit; the widest tenth of study intervals may end in arrows
    points = [abs(r.est) * 1.05 for r in rows if r.kind == "study" and r.est is not None]
    tenth = studies[int(0.9 * (len(studies) - 1))] if studies else 0.0
    spread = max([*bounds("summary"), *points, tenth, 1e-9])
    if result.ratio:
        for half in (math.log(2), math.log(5), math.log(10), math.log(100), math.log(1000)):
            if spread <= half:
                return -half, half
        return -math.log(1000), math.log(1000)
    nice = 10 ** math.floor(math.log10(spread or 1.0))
    for m in (1, 2, 5, 10):
        if spread <= m * nice:
            return -m * nice, m * nice
    return -spread, spread


def forest_plot(
    result: MetaResult,
    *,
    path: Path | None = None,
    format: str = "svg",
    rob: Mapping[str, Mapping[str, Any]] | None = None,
    labels: tuple[str, str] = ("Favours experimental", "Favours control"),
    dpi: int = 150,
) -> bytes:
    """Draw the forest plot; returns the file bytes (also written to ``path`` when given).

    ``rob`` maps a study label to ``{domain: judgment}`` ("low", "some_concerns", "high" or
    :class:`evidens.core.RobJudgment`), drawn as RoB 2 traffic-light columns.
    """
    fmt = format.lower()
    if fmt not in FORMATS:
        raise ValidationError(
            f"unknown figure format {format!r}", field="format", hint="use svg, png or pdf"
        )
    with DRAWING:  # matplotlib's settings are global: one figure at a time
        fig = _figure(result, forest_rows(result, rob), rob, labels)
        data = _render(fig, fmt, dpi)
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _render(fig: Figure, fmt: str, dpi: int) -> bytes:
    buf = io.BytesIO()
    meta: dict[str, Any] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    with (
        DRAWING,
        mpl.rc_context(
            {"svg.hashsalt": "evidens", "svg.fonttype": "none", "font.family": "DejaVu Sans"}
        ),
    ):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
    return buf.getvalue()


def _figure(
    result: MetaResult,
    rows: list[ForestRow],
    rob: Mapping[str, Mapping[str, Any]] | None,
    labels: tuple[str, str],
) -> Figure:
    groups, heads = arm_headers(result)
    longest = max(
        (
            len(r.label) * (1.15 if r.kind == "summary" else 1.0)
            for r in rows
            if r.kind in ("study", "summary")
        ),
        default=10,
    )
    label_w = min(3.2, max(1.6, 0.066 * longest + 0.15))
    col_w = 0.42
    domains = sorted({d for r in rows if r.rob for d in r.rob}, key=_domain_key)
    x_arms = label_w
    x_weight = x_arms + col_w * len(heads)
    x_effect = x_weight + 0.55
    x_plot = x_effect + 1.45
    x_rob = x_plot + PLOT_IN + 0.2
    width = x_rob + 0.24 * len(domains) + 0.15
    notes = list(result.warnings[:6])
    if len(result.warnings) > 6:
        notes.append(f"... and {len(result.warnings) - 6} more notes")
    methods = textwrap.wrap("Methods: " + result.methods.describe(), width=int(width * 15))
    methods += [ln for note in notes for ln in textwrap.wrap("Note: " + note, int(width * 15))]
    if domains:
        methods.append("Risk of bias (RoB 2): + low, ? some concerns, − high; O = overall")
    n = len(rows) + 3 + len(methods) + 2
    height = n * ROW_IN + 0.3
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(n, 0)
    ax.axis("off")
    pax = fig.add_axes((x_plot / width, 0, PLOT_IN / width, 1))
    pax.set_ylim(n, 0)
    lo, hi = _axis_limits(result, rows)
    pax.set_xlim(lo, hi)
    pax.axis("off")
    _header(ax, result, groups, heads, label_w, col_w, x_weight, x_effect, x_plot, x_rob, domains)
    top = 3
    for i, r in enumerate(rows):
        y = top + i + 0.5
        _draw_row(ax, pax, r, y, label_w, col_w, x_weight, x_effect, x_rob, domains, lo, hi)
    bottom = top + len(rows)
    _plot_axis(ax, pax, result, top, bottom, lo, hi, labels, x_plot)
    for j, line in enumerate(methods):
        ax.text(0.1, bottom + 2.2 + j, _safe(line), fontsize=FONT - 1, va="center", color="#444444")
    return fig


def _domain_key(d: str) -> tuple[int, str]:
    return (1 if d.lower().startswith("overall") else 0, d)


def _header(
    ax: Axes,
    result: MetaResult,
    groups: list[str],
    heads: list[str],
    label_w: float,
    col_w: float,
    x_weight: float,
    x_effect: float,
    x_plot: float,
    x_rob: float,
    domains: list[str],
) -> None:
    bold: dict[str, Any] = {"fontsize": FONT, "fontweight": "bold", "va": "center"}
    ax.text(0.1, 2.5, "Study or Subgroup", **bold)
    per = len(heads) // max(1, len(groups))
    for g, name in enumerate(groups):
        ax.text(label_w + col_w * per * (g + 0.5), 1.5, name, ha="center", **bold)
    for j, h in enumerate(heads):
        ax.text(label_w + col_w * (j + 0.5), 2.5, h, ha="center", **bold)
    ax.text(x_weight + 0.27, 2.5, "Weight", ha="center", **bold)
    name = MEASURE_NAMES.get(result.measure, result.measure)
    model = "Random" if result.random is not None else "Fixed"
    pool = {"MH": "M-H", "IV": "IV", "PETO": "Peto"}.get(result.methods.pooling, "IV")
    sub = f"{pool}, {model}, {result.methods.level:g}% CI"
    for x in (x_effect + 0.7, x_plot + PLOT_IN / 2):
        ax.text(x, 1.5, _safe(name), ha="center", **bold)
        ax.text(x, 2.5, _safe(sub), ha="center", fontsize=FONT - 0.5, va="center")
    for j, d in enumerate(domains):
        short = "O" if d.lower().startswith("overall") else d[:3]
        ax.text(
            x_rob + 0.24 * j + 0.12,
            2.5,
            _safe(short),
            ha="center",
            fontsize=FONT - 1.5,
            fontweight="bold",
            va="center",
            rotation=0,
        )
    ax.plot([0.1, x_rob + 0.24 * len(domains)], [3, 3], color="black", lw=0.6)


def _draw_row(
    ax: Axes,
    pax: Axes,
    r: ForestRow,
    y: float,
    label_w: float,
    col_w: float,
    x_weight: float,
    x_effect: float,
    x_rob: float,
    domains: list[str],
    lo: float,
    hi: float,
) -> None:
    strong = r.kind in ("summary", "group")
    kw: dict[str, Any] = {
        "fontsize": FONT,
        "va": "center",
        "fontweight": "bold" if strong else "normal",
    }
    if r.kind == "text":
        ax.text(0.1, y, _safe(r.label), **(kw | {"fontsize": FONT - 0.5}))
        for j, c in enumerate(r.cells):
            ax.text(label_w + col_w * (j + 0.5), y, c, ha="center", **kw)
        return
    ax.text(0.1, y, _safe(r.label, int(label_w * 15) if r.kind == "study" else 0), **kw)
    for j, c in enumerate(r.cells):
        ax.text(label_w + col_w * (j + 0.5), y, c, ha="center", **kw)
    ax.text(x_weight + 0.5, y, r.weight, ha="right", **kw)
    ax.text(x_effect, y, r.effect, ha="left", **kw)
    if r.rob:
        for j, d in enumerate(domains):
            j_val = r.rob.get(d)
            if j_val is None:
                continue
            ax.scatter(
                [x_rob + 0.24 * j + 0.12],
                [y],
                s=55,
                color=ROB_COLOURS.get(j_val, "#999"),
                edgecolors="#333333",
                linewidths=0.4,
                zorder=3,
            )
            ax.text(
                x_rob + 0.24 * j + 0.12,
                y,
                ROB_SYMBOLS.get(j_val, "?"),
                ha="center",
                va="center",
                fontsize=FONT - 1.5,
                fontweight="bold",
                zorder=4,
            )
    _draw_effect(pax, r, y, lo, hi)


def _draw_effect(pax: Axes, r: ForestRow, y: float, lo: float, hi: float) -> None:
    if r.lo is None or r.hi is None:
        return
    a, b = max(r.lo, lo), min(r.hi, hi)
    if r.kind == "summary" and r.est is not None:
        colour = "black"
        pax.add_patch(
            Polygon(
                [(r.lo, y), (r.est, y - 0.38), (r.hi, y), (r.est, y + 0.38)],
                closed=True,
                facecolor=colour,
                edgecolor=colour,
                lw=0.5,
            )
        )
        return
    if r.kind == "pi":
        pax.plot([a, b], [y, y], color="#555555", lw=2.5, solid_capstyle="butt")
        return
    pax.plot([a, b], [y, y], color="black", lw=0.7)
    for end, limit, sign in ((r.lo, lo, -1), (r.hi, hi, 1)):
        if (end < limit) if sign < 0 else (end > limit):
            pax.annotate(
                "",
                xy=(limit, y),
                xytext=(limit - sign * (hi - lo) * 0.04, y),
                arrowprops={"arrowstyle": "->", "lw": 0.7},
            )
    if r.est is not None and lo <= r.est <= hi:
        side = 0.04 + 0.14 * math.sqrt(max(r.size, 0.0) / 100)  # inches, area ∝ weight
        pax.scatter(
            [r.est], [y], marker="s", s=(side * 72) ** 2, color="#2E5E8C", zorder=3, linewidths=0
        )


def _plot_axis(
    ax: Axes,
    pax: Axes,
    result: MetaResult,
    top: int,
    bottom: int,
    lo: float,
    hi: float,
    labels: tuple[str, str],
    x_plot: float,
) -> None:
    pax.plot([0, 0], [top, bottom], color="black", lw=0.6)
    pax.plot([lo, hi], [bottom + 0.2, bottom + 0.2], color="black", lw=0.6)
    for t in _ticks(result, hi):
        pax.plot([t, t], [bottom + 0.2, bottom + 0.35], color="black", lw=0.6)
        shown = math.exp(t) if result.ratio else t
        pax.text(t, bottom + 0.75, f"{shown:g}", ha="center", va="center", fontsize=FONT - 1)
    pax.text(lo, bottom + 1.4, _safe(labels[0]), ha="left", va="center", fontsize=FONT - 1)
    pax.text(hi, bottom + 1.4, _safe(labels[1]), ha="right", va="center", fontsize=FONT - 1)


RATIO_TICKS = {
    2: (0.5, 0.7, 1, 1.5, 2),
    5: (0.2, 0.5, 1, 2, 5),
    10: (0.1, 0.2, 0.5, 1, 2, 5, 10),
    100: (0.01, 0.1, 1, 10, 100),
    1000: (0.001, 0.01, 0.1, 1, 10, 100, 1000),
}


def _ticks(result: MetaResult, hi: float) -> list[float]:
    """Readable ticks: round ratios on the log scale, five even steps otherwise."""
    if result.ratio:
        top = min(RATIO_TICKS, key=lambda r: abs(math.log(r) - hi))
        return [math.log(t) for t in RATIO_TICKS[top]]
    return [-hi, -hi / 2, 0.0, hi / 2, hi]
