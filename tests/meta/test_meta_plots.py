"""Forest and funnel plots: formats, RevMan columns, RoB columns, long forests, escaping.

Visual checks were done by looking at rendered PNGs (RISS single trial, BCG by allocation,
Egger 2001 funnel); these tests guard the structure that was looked at.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from evidens.core import ArmData, RobJudgment
from evidens.errors import EstimationError, ValidationError
from evidens.meta.arms import effects_from_arms
from evidens.meta.bias import trim_and_fill
from evidens.meta.effects import binary_effects, generic_effects
from evidens.meta.model import MetaAnalysis
from evidens.report.forest import forest_plot
from evidens.report.funnel import funnel_plot

TRIAL = [
    ("Sharma 2021", ArmData("MAD", events=9, total=46), ArmData("control", events=0, total=45))
]


def _svg_height(svg: bytes) -> float:
    match = re.search(rb'height="([0-9.]+)pt"', svg)
    assert match is not None
    return float(match.group(1))


def test_single_trial_forest_shows_arm_data_effect_and_warning(tmp_path: Path) -> None:
    res = MetaAnalysis(preset="RevMan 5").fit(effects_from_arms("RR", TRIAL))
    svg = forest_plot(res, path=tmp_path / "f.svg").decode()
    assert (tmp_path / "f.svg").read_text() == svg
    for text in (
        "Sharma 2021",
        "Events",
        "Total",
        "Weight",
        "18.60 [1.11, 310.30]",
        "M-H, Random, 95% CI",
        "Test for overall effect",
        "0.5 added",
    ):
        assert text in svg, text


@pytest.mark.parametrize(
    ("fmt", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml")]
)
def test_formats(fmt: str, magic: bytes) -> None:
    res = MetaAnalysis().fit(effects_from_arms("RR", TRIAL))
    assert forest_plot(res, format=fmt).startswith(magic)


def test_unknown_format_is_refused() -> None:
    res = MetaAnalysis().fit(effects_from_arms("RR", TRIAL))
    with pytest.raises(ValidationError, match="unknown figure format"):
        forest_plot(res, format="gif")


def test_rob_columns_and_escaped_labels() -> None:
    studies = [
        *TRIAL,
        ("Cost $5 & <b> trial", ArmData("a", events=4, total=40), ArmData("b", events=8, total=41)),
    ]
    res = MetaAnalysis().fit(effects_from_arms("OR", studies))
    rob = {"Sharma 2021": {"D1": RobJudgment.LOW, "D2": "high", "Overall": "high"}}
    svg = forest_plot(res, rob=rob).decode()
    assert "Cost $5 &amp; &lt;b&gt; trial" in svg
    assert "<b>" not in svg
    for text in ("D1", "D2", "RoB 2"):
        assert text in svg
    assert svg.count("#bf0000") + svg.count("#BF0000") >= 2  # two 'high' judgments drawn


def test_long_forest_grows_instead_of_shrinking() -> None:
    rng = np.random.default_rng(1)

    def fit(k: int) -> bytes:
        vi = rng.uniform(0.02, 0.2, k)
        es = generic_effects(
            rng.normal(0.2, 0.3, k), vi, labels=[f"Study {i:03d}" for i in range(k)]
        )
        return forest_plot(MetaAnalysis(method="DL").fit(es))

    small, large = fit(10), fit(120)
    assert _svg_height(large) > 8 * _svg_height(small) / 2
    assert b"Study 119" in large


def test_subgroup_forest_has_subtotals_and_difference_test() -> None:
    from dataclasses import replace

    es = binary_effects(
        "RR",
        ai=[4, 6, 3, 62, 33],
        ci=[11, 29, 11, 248, 47],
        n1i=[123, 306, 231, 13598, 5069],
        n2i=[139, 303, 220, 12867, 5808],
        labels=["A", "B", "C", "D", "E"],
    )
    res = MetaAnalysis(method="DL").fit(replace(es, groups=("x", "x", "y", "y", "y")))
    svg = forest_plot(res).decode()
    assert svg.count("Subtotal") >= 2
    assert "Test for subgroup differences" in svg


def test_funnel_contours_and_filled_studies() -> None:
    rng = np.random.default_rng(3)
    vi = rng.uniform(0.01, 0.5, 20)
    yi = rng.normal(0, np.sqrt(vi)) + np.sqrt(vi)  # small-study effect
    res = MetaAnalysis().fit(generic_effects(yi, vi))
    tf = trim_and_fill(yi, vi)
    svg = funnel_plot(res, contours=True, filled=(list(tf.filled_yi), list(tf.filled_vi))).decode()
    assert "p &lt; 0.01" in svg
    assert "Egger" in svg
    assert funnel_plot(res, format="pdf").startswith(b"%PDF")


def test_funnel_needs_an_estimable_study() -> None:
    es = binary_effects("RR", ai=[0, 3], ci=[0, 4], n1i=[10, 10], n2i=[10, 10], drop00=True)
    res = MetaAnalysis().fit(es)
    assert funnel_plot(res).startswith(b"<?xml")
    with pytest.raises(EstimationError):
        MetaAnalysis().fit(binary_effects("RR", ai=[0], ci=[0], n1i=[5], n2i=[5], drop00=True))
