"""The rows of a RevMan-style forest plot as text and numbers, independent of any drawing library.

Why in ``evidens.meta``: what a forest plot says (arm data, weights, effect and CI text,
subtotals, heterogeneity and test lines, risk-of-bias cells) is part of the analysis; the
figure in :mod:`evidens.report.forest` only places these rows. Other renderers (HTML report,
Word tables) can reuse them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evidens.meta.results import MetaResult, StudyRow


@dataclass(frozen=True)
class ForestRow:
    """One line of the forest plot: a study, a (sub)total, a prediction interval or a text line.

    ``est``/``lo``/``hi`` are on the analysis scale (log for ratios); ``size`` is the weight (%).
    """

    kind: str  # header, group, study, summary, pi, text, blank
    label: str = ""
    cells: list[str] = field(default_factory=list)
    weight: str = ""
    effect: str = ""
    est: float | None = None
    lo: float | None = None
    hi: float | None = None
    size: float = 0.0
    rob: Mapping[str, str] | None = None


def fmt_num(x: float | None, digits: int = 2) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:.{digits}f}"


def fmt_p(p: float | None) -> str:
    """P-values as RevMan prints them (two decimals, four below 0.01, floors at 1e-4/1e-5)."""
    if p is None or not math.isfinite(p):
        return "P = -"
    if p < 1e-5:
        return "P < 0.00001"
    if p < 1e-4:
        return "P < 0.0001"
    return f"P = {p:.4f}" if p < 0.01 else f"P = {p:.2f}"


def arm_cells(s: StudyRow) -> list[str]:
    a = s.arms
    if "events1" in a:
        return [f"{a['events1']:g}", f"{a['total1']:g}", f"{a['events2']:g}", f"{a['total2']:g}"]
    if "mean1" in a:
        return [
            f"{a['mean1']:.4g}",
            f"{a['sd1']:.4g}",
            f"{a['n1']:g}",
            f"{a['mean2']:.4g}",
            f"{a['sd2']:.4g}",
            f"{a['n2']:g}",
        ]
    return [fmt_num(s.yi, 3), fmt_num(math.sqrt(s.vi) if s.vi is not None else None, 3)]


def arm_headers(result: MetaResult) -> tuple[list[str], list[str]]:
    first = result.studies[0].arms if result.studies else {}
    if "events1" in first:
        return ["Experimental", "Control"], ["Events", "Total", "Events", "Total"]
    if "mean1" in first:
        return ["Experimental", "Control"], ["Mean", "SD", "Total"] * 2
    return [""], ["Estimate", "SE"]


def totals(studies: list[StudyRow]) -> list[str]:
    if not studies or not studies[0].arms:
        return []
    a0 = studies[0].arms
    if "events1" in a0:
        return [
            "",
            f"{sum(s.arms['total1'] for s in studies):g}",
            "",
            f"{sum(s.arms['total2'] for s in studies):g}",
        ]
    if "mean1" in a0:
        return [
            "",
            "",
            f"{sum(s.arms['n1'] for s in studies):g}",
            "",
            "",
            f"{sum(s.arms['n2'] for s in studies):g}",
        ]
    return []


def effect_text(result: MetaResult, est: float | None, lo: float | None, hi: float | None) -> str:
    if est is None:
        return "Not estimable"
    e, lo_d, hi_d = result.display(est), result.display(lo), result.display(hi)
    return f"{fmt_num(e)} [{fmt_num(lo_d)}, {fmt_num(hi_d)}]"


def study_rows(
    result: MetaResult, studies: list[StudyRow], rob: Mapping[str, Mapping[str, Any]] | None
) -> list[ForestRow]:
    rows = []
    for s in studies:
        w = s.weight_random if result.random is not None else s.weight_fixed
        rows.append(
            ForestRow(
                "study",
                s.label,
                arm_cells(s),
                "" if w is None else f"{w:.1f}%",
                effect_text(result, s.yi, s.ci_lb, s.ci_ub),
                s.yi,
                s.ci_lb,
                s.ci_ub,
                w or 0.0,
                rob_for(rob, s.label),
            )
        )
    return rows


def rob_for(rob: Mapping[str, Mapping[str, Any]] | None, label: str) -> Mapping[str, str] | None:
    if rob is None or label not in rob:
        return None
    return {
        str(k): str(getattr(v, "value", v)).lower().replace(" ", "_") for k, v in rob[label].items()
    }


def summary_rows(result: MetaResult, title: str, studies: list[StudyRow]) -> list[ForestRow]:
    rows = []
    both = result.fixed is not None and result.random is not None and result.k > 1
    for s in (result.fixed, result.random) if both else (result.main,):
        if s is None:
            continue
        level = f"{result.methods.level:g}% CI"
        name = f"{title}, {s.model} ({level})" if both else f"{title} ({level})"
        weight = "100.0%" if title == "Total" else ""
        rows.append(
            ForestRow(
                "summary",
                name,
                totals(studies),
                weight,
                effect_text(result, s.estimate, s.ci_lb, s.ci_ub),
                s.estimate,
                s.ci_lb,
                s.ci_ub,
            )
        )
    if result.prediction is not None and result.k >= 2:
        lo, hi = result.prediction
        rows.append(
            ForestRow(
                "pi",
                "Prediction interval",
                effect=f"[{fmt_num(result.display(lo))}, {fmt_num(result.display(hi))}]",
                est=None,
                lo=lo,
                hi=hi,
            )
        )
    if studies and "events1" in studies[0].arms:
        e1 = sum(s.arms["events1"] for s in studies)
        e2 = sum(s.arms["events2"] for s in studies)
        rows.append(ForestRow("text", "Total events", [f"{e1:g}", "", f"{e2:g}", ""]))
    rows += [ForestRow("text", t) for t in test_lines(result)]
    return rows


def test_lines(result: MetaResult) -> list[str]:
    h, lines = result.heterogeneity, []
    if h is not None and h.df > 0:
        tau = f"Tau² = {h.tau2:.3g}; " if result.random is not None else ""
        lines.append(
            f"Heterogeneity: {tau}Chi² = {h.Q:.2f}, df = {h.df} ({fmt_p(h.pval)}); I² = {h.I2:.0f}%"
        )
    s = result.main
    if s is not None and math.isfinite(s.zval):
        stat = f"Z = {abs(s.zval):.2f}" if s.df is None else f"t = {abs(s.zval):.2f}, df = {s.df}"
        lines.append(f"Test for overall effect: {stat} ({fmt_p(s.pval)})")
    return lines


def forest_rows(result: MetaResult, rob: Mapping[str, Mapping[str, Any]] | None) -> list[ForestRow]:
    rows: list[ForestRow] = []
    if result.subgroups:
        for name, sub in result.subgroups:
            members = [s for s in result.studies if s.group == name]
            rows.append(ForestRow("group", name))
            rows += study_rows(result, members, rob)
            rows += summary_rows(sub, "Subtotal", members)
            rows.append(ForestRow("blank"))
    else:
        rows += study_rows(result, list(result.studies), rob)
        rows.append(ForestRow("blank"))
    rows += summary_rows(result, "Total", list(result.studies))
    t = result.subgroup_test
    if t is not None:
        i2 = max(0.0, 100 * (t.Q - t.df) / t.Q) if t.Q > 0 else 0.0
        rows.append(
            ForestRow(
                "text",
                f"Test for subgroup differences: Chi² = {t.Q:.2f}, df = {t.df} "
                f"({fmt_p(t.pval)}), I² = {i2:.0f}%",
            )
        )
    return rows
