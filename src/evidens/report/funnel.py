"""Funnel plot (standard error against effect), optionally contour-enhanced.

Why contours: shading the regions where a study would be significant at 1 %, 5 % and 10 %
(Peters et al. 2008) lets a reader tell publication bias (missing studies in the
non-significant region) from other causes of asymmetry. Egger's test and the methods line are
printed under the plot; studies filled by trim-and-fill can be shown as open circles.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from evidens.core.drawing import DRAWING
from evidens.errors import EstimationError, ValidationError
from evidens.meta.bias import egger_test
from evidens.meta.results import MEASURE_NAMES, MetaResult
from evidens.report.forest import FORMATS, _render, _safe

CONTOURS = (
    ("p < 0.01", "#8c8c8c", math.inf),
    ("0.01 < p < 0.05", "#b4b4b4", float(stats.norm.isf(0.005))),
    ("0.05 < p < 0.10", "#dcdcdc", float(stats.norm.isf(0.025))),
    ("p > 0.10", "#ffffff", float(stats.norm.isf(0.05))),
)


def funnel_plot(
    result: MetaResult,
    *,
    path: Path | None = None,
    format: str = "svg",
    contours: bool = False,
    filled: tuple[list[float], list[float]] | None = None,
    dpi: int = 150,
) -> bytes:
    """Draw the funnel plot of ``result``'s studies; returns (and optionally writes) bytes.

    ``filled`` = (yi, vi) of studies imputed by trim-and-fill, drawn as open circles.
    """
    fmt = format.lower()
    if fmt not in FORMATS:
        raise ValidationError(
            f"unknown figure format {format!r}", field="format", hint="use svg, png or pdf"
        )
    rows = [s for s in result.studies if s.yi is not None and s.vi is not None]
    if not rows:
        raise EstimationError("no estimable study to draw in a funnel plot")
    y = np.array([s.yi for s in rows], dtype=float)
    se = np.sqrt(np.array([s.vi for s in rows], dtype=float))
    with DRAWING:  # matplotlib's settings are global: one figure at a time
        data = _draw(result, y, se, contours, filled, fmt, dpi)
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _draw(
    result: MetaResult,
    y: np.ndarray,
    se: np.ndarray,
    contours: bool,
    filled: tuple[list[float], list[float]] | None,
    fmt: str,
    dpi: int,
) -> bytes:
    fig = Figure(figsize=(6.4, 4.6))
    ax = fig.add_axes((0.11, 0.25, 0.62, 0.68))
    se_max = float(se.max()) * 1.1 or 1.0
    centre = result.fixed.estimate if result.fixed is not None else float(np.average(y))
    grid = np.linspace(0, se_max, 60)
    if contours:
        wide = 1e3 * (se_max + 1)
        ax.fill_betweenx(grid, -wide, wide, color=CONTOURS[0][1], zorder=0, label=CONTOURS[0][0])
        for label, colour, z in CONTOURS[1:]:
            ax.fill_betweenx(grid, -z * grid, z * grid, color=colour, zorder=0, label=label)
    z95 = float(stats.norm.isf(0.025))
    ax.plot(centre - z95 * grid, grid, color="#555555", lw=0.8, ls="--")
    ax.plot(centre + z95 * grid, grid, color="#555555", lw=0.8, ls="--")
    ax.axvline(centre, color="black", lw=0.8)
    ax.scatter(y, se, s=18, color="#2E5E8C", zorder=3, label="studies")
    if filled is not None and len(filled[0]):
        ax.scatter(
            filled[0],
            np.sqrt(filled[1]),
            s=18,
            facecolors="white",
            edgecolors="#2E5E8C",
            zorder=3,
            label="filled (trim-and-fill)",
        )
    ax.set_ylim(se_max, 0)
    span = max(float(np.max(np.abs(y - centre))), z95 * se_max) * 1.1
    ax.set_xlim(centre - span, centre + span)
    ax.set_ylabel("Standard error", fontsize=8)
    name = MEASURE_NAMES.get(result.measure, result.measure)
    ax.set_xlabel(_safe(f"log {name}" if result.ratio else name), fontsize=8)
    if result.ratio:
        nice = [m * 10.0**e for e in range(-3, 4) for m in (1, 2, 5)]
        ticks = [t for t in nice if abs(math.log(t) - centre) <= span]
        if len(ticks) > 7:
            ticks = [t for t in ticks if f"{t:e}".startswith("1.")]
        ax.set_xticks([math.log(t) for t in ticks])
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.set_xlabel(_safe(f"{name} (log scale)"), fontsize=8)
    ax.set_xlim(centre - span, centre + span)
    ax.tick_params(labelsize=7)
    if contours or filled is not None:
        ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    _caption(fig, result, y, se)
    return _render(fig, fmt, dpi)


def _caption(fig: Figure, result: MetaResult, y: np.ndarray, se: np.ndarray) -> None:
    lines = []
    if len(y) >= 3:
        try:
            eg = egger_test(y, se**2, model="lm")
            lines.append(
                f"Egger's regression test: t = {eg.zval:.2f}, df = {eg.df}, "
                f"p = {eg.pval:.3g} (k = {len(y)}; weak below 10 studies)"
            )
        except EstimationError as exc:
            lines.append(f"Egger's test not computed: {exc}")
    lines += textwrap.wrap("Methods: " + result.methods.describe(), 95)
    if result.random is not None:
        lines.append("Centre line: fixed-effect estimate; dashed: pseudo 95% limits")
    for i, line in enumerate(lines[:6]):
        fig.text(0.03, 0.14 - i * 0.028, _safe(line), fontsize=6.5, color="#444444")
