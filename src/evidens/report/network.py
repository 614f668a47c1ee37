"""Network meta-analysis figures: the evidence network and a forest plot against a reference.

Why these two: the network graph shows what was compared directly and how much evidence sits
behind each comparison (node area ∝ participants, edge width ∝ studies, edge colour = risk
of bias of the direct evidence, as in CINeMA's network plot); the forest plot shows every
treatment against one reference with its P-score, the summary most readers want.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

from evidens.errors import ValidationError
from evidens.meta.effects import RATIO_MEASURES
from evidens.meta.nma import NetworkResult
from evidens.meta.nma_contribution import studies_per_comparison
from evidens.meta.results import MEASURE_NAMES
from evidens.report.forest import FORMATS, _render, _safe

ROB_EDGE = {0: "#02C100", 1: "#E2DF07", 2: "#BF0000", None: "#7F7F7F"}
ROB_NAMES = {0: "low", 1: "some concerns", 2: "high", None: "not assessed"}
_LEVEL = {"low": 0, "some concerns": 1, "some_concerns": 1, "some": 1, "high": 2}


def _check_format(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValidationError(
            f"unknown figure format {fmt!r}", field="format", hint="use svg, png or pdf"
        )
    return fmt


def edge_rob(res: NetworkResult, rob: Mapping[str, str]) -> dict[tuple[str, str], int | None]:
    """RoB of each direct comparison: the level of most of its studies (ties: the worse)."""
    con = res.contrasts
    arms: dict[str, set[str]] = {}
    for s, a, b in zip(con.study, con.t1, con.t2, strict=True):
        arms.setdefault(s, set()).update((a, b))
    rank = {t: i for i, t in enumerate(con.treatments)}
    votes: dict[tuple[str, str], list[int]] = {}
    for s, ts in arms.items():
        level = _LEVEL.get(str(rob.get(s, "")).strip().lower())
        ordered = sorted(ts, key=rank.__getitem__)
        for i, x in enumerate(ordered):
            for y in ordered[i + 1 :]:
                if level is not None:
                    votes.setdefault((x, y), []).append(level)
    out: dict[tuple[str, str], int | None] = {}
    for pair in studies_per_comparison(res):
        v = votes.get(pair)
        out[pair] = None if not v else max(set(v), key=lambda lv: (v.count(lv), lv))
    return out


def _label_spot(
    placed: list[tuple[float, float]], x1: float, y1: float, x2: float, y2: float
) -> tuple[float, float]:
    """A point on the edge away from labels already drawn (crossing edges share midpoints)."""
    spot = (x1 + (x2 - x1) / 2, y1 + (y2 - y1) / 2)
    for f in (0.5, 0.32, 0.68, 0.22, 0.78):
        spot = (x1 + f * (x2 - x1), y1 + f * (y2 - y1))
        if all(math.dist(spot, q) > 0.16 for q in placed):
            break
    placed.append(spot)
    return spot


def network_graph(
    res: NetworkResult,
    *,
    rob: Mapping[str, str] | None = None,
    path: Path | None = None,
    format: str = "svg",
    dpi: int = 150,
) -> bytes:
    """The evidence network; ``rob`` maps study → overall RoB (low / some concerns / high)."""
    fmt = _check_format(format)
    ts = res.treatments
    n = len(ts)
    pos = {
        t: (
            math.cos(math.pi / 2 - 2 * math.pi * i / n),
            math.sin(math.pi / 2 - 2 * math.pi * i / n),
        )
        for i, t in enumerate(ts)
    }
    counts = studies_per_comparison(res)
    colours = edge_rob(res, rob) if rob else dict.fromkeys(counts)
    fig = Figure(figsize=(6.4, 6.0))
    ax = fig.add_axes((0.08, 0.1, 0.84, 0.82))
    top = max(counts.values())
    placed: list[tuple[float, float]] = []
    for (a, b), k in counts.items():
        (x1, y1), (x2, y2) = pos[a], pos[b]
        ax.plot(
            [x1, x2],
            [y1, y2],
            color=ROB_EDGE[colours.get((a, b))],
            lw=1 + 7 * k / top,
            solid_capstyle="round",
            zorder=1,
            alpha=0.85,
        )
        lx, ly = _label_spot(placed, x1, y1, x2, y2)
        ax.text(
            lx,
            ly,
            str(k),
            fontsize=7,
            ha="center",
            va="center",
            zorder=3,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
        )
    people = res.contrasts.participants
    biggest = max(people.values()) or 1.0
    for t in ts:
        x, y = pos[t]
        size = 80 + 1400 * people.get(t, 0.0) / biggest
        ax.scatter([x], [y], s=size, color="#1F4E79", zorder=2, edgecolors="white")
        radius = 0.08 + 0.12 * math.sqrt(people.get(t, 0.0) / biggest)
        ha = "left" if x > 0.3 else "right" if x < -0.3 else "center"
        ax.text(
            x * (1 + radius) + (radius if ha == "left" else -radius if ha == "right" else 0),
            y * (1 + radius) + (0.04 if y > 0 else -0.04),
            _safe(t, 24),
            fontsize=8,
            ha=ha,
            va="center",
        )
    ax.set_xlim(-1.7, 1.7)
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [
        Line2D([], [], color=ROB_EDGE[lv], lw=4, label=f"RoB {ROB_NAMES[lv]}")
        for lv in sorted({colours.get(p) for p in counts}, key=lambda v: -1 if v is None else v)
    ]
    ax.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=7,
        frameon=False,
        bbox_to_anchor=(0.5, -0.1),
    )
    fig.text(
        0.02,
        0.97,
        f"Network: {len(set(res.contrasts.study))} studies, {n} treatments. "
        "Node area ∝ participants; edge width and label = number of studies",
        fontsize=7.5,
        va="top",
    )
    data = _render(fig, fmt, dpi)
    if path is not None:
        Path(path).write_bytes(data)
    return data


def network_forest(
    res: NetworkResult,
    *,
    reference: str | None = None,
    path: Path | None = None,
    format: str = "svg",
    dpi: int = 150,
) -> bytes:
    """Every treatment against ``reference`` (default: the analysis's), with P-scores."""
    fmt = _check_format(format)
    ref = reference or res.reference
    ratio = res.contrasts.measure in RATIO_MEASURES
    rows = res.versus_reference(ref)
    scores = dict(zip(res.treatments, res.pscores(), strict=True))
    tr = math.exp if ratio else (lambda v: v)
    height = 1.1 + 0.28 * len(rows)
    fig = Figure(figsize=(7.2, height))
    ax = fig.add_axes((0.3, 0.95 / height, 0.36, 1 - 1.3 / height))
    for i, (t, est, lo, hi) in enumerate(rows):
        y = len(rows) - i
        ax.plot([tr(lo), tr(hi)], [y, y], color="black", lw=1)
        ax.plot([tr(est)], [y], marker="s", color="#1F4E79", ms=5)
        ax.text(
            -0.02,
            y,
            _safe(t, 28),
            transform=ax.get_yaxis_transform(),
            ha="right",
            va="center",
            fontsize=8,
        )
        ax.text(
            1.03,
            y,
            f"{tr(est):.2f} [{tr(lo):.2f}, {tr(hi):.2f}]   {scores[t]:.2f}",
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=8,
        )
    ax.axvline(1.0 if ratio else 0.0, color="grey", lw=0.8, ls="--")
    if ratio:
        ax.set_xscale("log")
        lo_x, hi_x = ax.get_xlim()
        ticks = [
            v
            for v in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
            if lo_x <= v <= hi_x
        ]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FixedFormatter([f"{v:g}" for v in ticks]))
        ax.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(0.3, len(rows) + 0.9)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    name = MEASURE_NAMES.get(res.contrasts.measure, res.contrasts.measure)
    ax.set_xlabel(f"{name} vs {ref}", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.text(
        1.03,
        len(rows) + 0.75,
        "Estimate [95% CI]   P-score",
        transform=ax.get_yaxis_transform(),
        fontsize=8,
        weight="bold",
    )
    better = "smaller" if res.small_values == "good" else "larger"
    left, right = (f"Favours {ref}", "Favours treatment")
    if res.small_values == "good":
        left, right = right, left
    for x, text, ha in ((0.0, left, "left"), (1.0, right, "right")):
        ax.annotate(
            text,
            (x, 0),
            xycoords="axes fraction",
            xytext=(0, -34),
            textcoords="offset points",
            fontsize=7,
            ha=ha,
            va="top",
        )
    fig.text(
        0.02,
        0.02,
        f"{res.model} model; P-score: 1 = best, where {better} values are better",
        fontsize=7,
    )
    data = _render(fig, fmt, dpi)
    if path is not None:
        Path(path).write_bytes(data)
    return data
