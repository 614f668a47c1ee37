"""Synthesis methods (PRISMA 2020 items 13a, 13b, 13d, and 13e where an analysis was split
into subgroups) written from the analyses as run.

Every sentence is built from :class:`evidens.report.inputs.AnalysisMethod`: the settings the
meta-analysis applied (a preset's defaults filled in, Mantel-Haenszel falling back to
inverse variance where it cannot apply), the studies that had data and how many had an
estimable effect. So the text states what was done, and an analysis with one study is said
to be unpooled rather than described as a random-effects meta-analysis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evidens.meta.results import MEASURE_NAMES, TAU2_NAMES
from evidens.report.inputs import AnalysisMethod
from evidens.report.lists import model_text


def _join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _names(analyses: Sequence[AnalysisMethod]) -> str:
    return _join([a.name for a in analyses])


def _grouped(analyses: Sequence[AnalysisMethod], key: str) -> dict[str, list[AnalysisMethod]]:
    groups: dict[str, list[AnalysisMethod]] = {}
    for a in analyses:
        text = a.methods.zero_cells if key == "zero" else _model(a)
        groups.setdefault(text, []).append(a)
    return groups


def _model(a: AnalysisMethod) -> str:
    m = a.methods
    measure = MEASURE_NAMES.get(m.measure, m.measure).lower()
    if a.k < 2:
        return f"{measure} of its one study with an estimable effect, {m.level:g}% CI, not pooled"
    return f"{measure}, {model_text(m, a.k)}, {m.level:g}% CIs"


def _words(zero_cells: str) -> str:
    """The meta-analysis's zero-cell note without metafor's option name ("only0"), which
    repeats "zero-cell studies" in the words of R's argument."""
    return zero_cells.replace(" (only0)", "")


def _eligibility(analyses: Sequence[AnalysisMethod], table: str) -> str:
    """13a: which studies entered each synthesis."""
    counts = "; ".join(f"{a.name} ({a.outcome}): {len(a.studies)}" for a in analyses)
    return (
        "Each analysis took every included study with agreed (consensus) arm-level data for "
        f"its outcome; studies per analysis: {counts}{table}."
    )


def _preparation(analyses: Sequence[AnalysisMethod]) -> list[str]:
    """13b: effects computed from the arm data, zero cells, studies without an effect."""
    paragraphs = [
        (
            "Effect sizes were computed from the agreed arm-level data (events and totals, or "
            "means, standard deviations and numbers), never typed in."
        )
    ]
    zeros = [
        f"{_words(text)} ({_names(group)})"
        for text, group in _grouped(analyses, "zero").items()
        if text
    ]
    if zeros:
        paragraphs.append("Zero cells: " + "; ".join(zeros) + ".")
    dropped = [a for a in analyses if a.k < len(a.studies)]
    for a in dropped:
        paragraphs.append(
            f"{a.name}: {len(a.studies) - a.k} of {len(a.studies)} studies had no estimable "
            "effect and did not enter the model."
        )
    return paragraphs


def _models(analyses: Sequence[AnalysisMethod]) -> list[str]:
    """13d: the model of each analysis, grouped where several ran alike."""
    lines = [f"{_names(group)}: {text}" for text, group in _grouped(analyses, "model").items()]
    paragraphs = ["Analyses as run: " + "; ".join(lines) + "."]
    pooled = [a for a in analyses if a.k >= 2 and a.methods.method != "FE"]
    estimators = sorted({TAU2_NAMES.get(a.methods.method, a.methods.method) for a in pooled})
    if pooled:
        paragraphs.append(
            f"Heterogeneity was quantified with τ² ({_join(estimators)} estimator), I² and "
            "Cochran's Q."
        )
    if not any(a.k >= 2 for a in analyses):
        paragraphs.append(
            "No analysis had two or more studies with an estimable effect, so no effect was "
            "pooled; each analysis shows its study's own estimate."
        )
    for a in analyses:
        if a.subgroups:
            paragraphs.append(
                f"{a.name} was also fitted within each subgroup ({_join(list(a.subgroups))}), "
                "and the subgroup estimates were compared with a Q test between subgroups."
            )
    presets = sorted({a.methods.preset for a in analyses})
    paragraphs.append(f"Computed by evidens with the settings of preset {_join(presets)}.")
    return paragraphs


def synthesis_paragraphs(
    analyses: Sequence[AnalysisMethod], labels: Mapping[str, str]
) -> list[str]:
    """The synthesis methods paragraphs for these analyses (none when there are none)."""
    if not analyses:
        return []
    table = f" ({labels['analyses']})" if "analyses" in labels else ""
    return [_eligibility(analyses, table), *_preparation(analyses), *_models(analyses)]
