"""Drawing the PRISMA 2020 diagram: SVG, PNG and PDF with matplotlib, HTML for the web app.

Box heights follow their wrapped text, so long database lists and exclusion reasons fit.
Output is deterministic (no dates, fixed SVG ids) so re-running a review gives identical
files.
"""

from __future__ import annotations

import html
import io
import textwrap
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from evidens.core.drawing import DRAWING
from evidens.prisma.diagram import Box, Diagram

WIDTHS = {"previous": 2.5, "main": 3.0, "side": 3.3, "other": 2.6, "other_side": 2.6}
GAP, BAND, PAD, LINE, FONT = 0.35, 0.32, 0.10, 0.165, 8.0
HEADER_FILL, BAND_FILL, GREY = "#f6c94d", "#a9c6e8", "#eeeeee"
FORMATS = ("svg", "png", "pdf")
Rect = tuple[float, float, float, float]


def _wrap(box: Box) -> list[tuple[str, bool]]:
    """(text, bold) lines wrapped to the box width."""
    chars = int(WIDTHS[box.column] * 72 / (FONT * 0.60))
    out = [(line, True) for line in textwrap.wrap(box.heading, chars)]
    for line in box.lines:
        indent = "  " if line.startswith("  ") else ""
        out += [
            (w, False)
            for w in textwrap.wrap(
                line.strip(), chars - 2, initial_indent=indent, subsequent_indent=indent + "  "
            )
        ]
    return out


def _geometry(d: Diagram) -> tuple[dict[str, Rect], float, float]:
    """Box rectangles (x, y_top, w, h) in inches from the top-left, and figure size."""
    x, xs = BAND + GAP, {}
    for column in d.columns():
        xs[column] = x
        x += WIDTHS[column] + GAP
    rows = max(b.row for b in d.boxes) + 1
    heights = [
        max((len(_wrap(b)) * LINE + 2 * PAD for b in d.boxes if b.row == r), default=0.4)
        for r in range(rows)
    ]
    tops, y = [], GAP
    for h in heights:
        tops.append(y)
        y += h + GAP
    rects = {b.box: (xs[b.column], tops[b.row], WIDTHS[b.column], heights[b.row]) for b in d.boxes}
    foot = len(d.footnotes) * LINE * 1.1 + GAP
    return rects, x, y + foot


def render(d: Diagram, fmt: str = "svg") -> bytes:
    """The diagram as SVG, PNG or PDF bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")
    rects, width, height = _geometry(d)
    with (
        DRAWING,
        plt.rc_context({"svg.hashsalt": "evidens-prisma", "font.family": "DejaVu Sans"}),
    ):
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        _draw_phases(ax, d, rects)
        for box in d.boxes:
            _draw_box(ax, box, rects[box.box])
        for arrow in d.arrows:
            _draw_arrow(ax, rects[arrow.start], rects[arrow.end])
        y = height - len(d.footnotes) * LINE * 1.1 - GAP / 2
        for note in d.footnotes:
            ax.text(BAND + GAP, y, note, fontsize=FONT - 1.5, va="top", style="italic")
            y += LINE * 1.1
        buffer = io.BytesIO()
        metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}[fmt]
        fig.savefig(buffer, format=fmt, dpi=200, metadata=metadata)
        plt.close(fig)
    return buffer.getvalue()


def _draw_phases(ax: Axes, d: Diagram, rects: dict[str, Rect]) -> None:
    row_spans: dict[int, tuple[float, float]] = {}
    for box in d.boxes:
        _, top, _, h = rects[box.box]
        row_spans[box.row] = (top, top + h)
    for label, first, last in d.phases:
        top, bottom = row_spans[first][0], row_spans[last][1]
        ax.add_patch(
            FancyBboxPatch(
                (GAP / 2, top),
                BAND,
                bottom - top,
                boxstyle="round,pad=0,rounding_size=0.08",
                fc=BAND_FILL,
                ec="none",
            )
        )
        ax.text(
            GAP / 2 + BAND / 2,
            (top + bottom) / 2,
            label,
            rotation=90,
            ha="center",
            va="center",
            fontsize=FONT + 1,
            fontweight="bold",
        )


def _draw_box(ax: Axes, box: Box, rect: Rect) -> None:
    x, top, w, h = rect
    header = box.kind == "header"
    fill = (GREY if box.column == "previous" else HEADER_FILL) if header else "white"
    ax.add_patch(
        FancyBboxPatch(
            (x, top),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.06",
            fc=fill,
            ec="none" if header else "black",
            lw=0.8,
        )
    )
    lines = _wrap(box)
    listing = any(line.startswith("  ") for line in box.lines)
    y = top + (h - len(lines) * LINE) / 2 + LINE * 0.8
    for text, bold in lines:
        ax.text(
            x + PAD if listing else x + w / 2,
            y,
            text,
            fontsize=FONT,
            ha="left" if listing else "center",
            fontweight="bold" if bold else "normal",
        )
        y += LINE


def _draw_arrow(ax: Axes, a: Rect, b: Rect) -> None:
    ax_, ay, aw, ah = a
    bx, by, bw, bh = b
    if abs(ay - by) < 1e-9:  # same row: left-to-right
        start, end = (ax_ + aw, ay + ah / 2), (bx, by + bh / 2)
        style = "arc3"
    elif abs(ax_ - bx) < 1e-9:  # same column: top-to-bottom
        start, end = (ax_ + aw / 2, ay + ah), (bx + bw / 2, by)
        style = "arc3"
    else:  # into a box in another column and row: down, then across
        start = (ax_ + aw / 2, ay + ah)
        end = (bx + bw, by + bh / 2) if ax_ > bx else (bx, by + bh / 2)
        angle_b = 180 if ax_ > bx else 0
        style = f"angle,angleA=-90,angleB={angle_b},rad=0"
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=9,
            lw=0.8,
            color="black",
            connectionstyle=style,
            shrinkA=0,
            shrinkB=0,
        )
    )


def render_html(d: Diagram, link: Callable[[str], str] | None = None) -> str:
    """An HTML fragment of the diagram; each count box links to its records when ``link``
    maps a box name to a URL. All text is escaped."""
    columns = d.columns()
    rows = max(b.row for b in d.boxes) + 1
    cells = []
    for box in d.boxes:
        body = "".join(f"<div class='line'>{html.escape(line.strip())}</div>" for line in box.lines)
        inner = f"<div class='heading'>{html.escape(box.heading)}</div>{body}"
        if link is not None and box.kind != "header":
            inner = f"<a href='{html.escape(link(box.box), quote=True)}'>{inner}</a>"
        cells.append(
            f"<div class='prisma-box {box.kind} col-{box.column}' data-box='{box.box}' "
            f"style='grid-row:{box.row + 1};grid-column:{columns.index(box.column) + 2}'>"
            f"{inner}</div>"
        )
    for label, first, last in d.phases:
        cells.append(
            f"<div class='prisma-phase' style='grid-row:{first + 1}/{last + 2};"
            f"grid-column:1'><span>{html.escape(label)}</span></div>"
        )
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in d.footnotes)
    return (
        f"<div class='prisma' style='display:grid;grid-template-columns:2em "
        f"repeat({len(columns)},minmax(12em,1fr));grid-template-rows:repeat({rows},auto);"
        f"gap:1em'>{''.join(cells)}</div><div class='prisma-notes'>{notes}</div>"
    )


PAGE_CSS = """
body{font-family:system-ui,sans-serif;margin:2em}
.prisma-box{border:1px solid #222;border-radius:6px;padding:.5em;font-size:.9em}
.prisma-box.header{background:#f6c94d;border:none;font-weight:bold;text-align:center}
.prisma-box .heading{font-weight:bold}.prisma-box a{color:inherit;text-decoration:none}
.prisma-phase{background:#a9c6e8;border-radius:6px;writing-mode:vertical-rl;
transform:rotate(180deg);text-align:center;font-weight:bold}
.prisma-notes{font-size:.8em;font-style:italic}
"""


def html_page(d: Diagram, title: str, link: Callable[[str], str] | None = None) -> str:
    """A standalone HTML page with the diagram (no external resources)."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{render_html(d, link)}</body></html>\n"
    )
