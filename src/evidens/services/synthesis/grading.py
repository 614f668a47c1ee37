"""GRADE's numbers derived from the review, never typed again.

A GRADE outcome names the analysis it rests on (``analysis = "spasm-free-rr"`` in
grade/judgments.toml); from that analysis come the number of studies, the participants and
events of each arm (summed over the contributing studies' agreed arm data), the pooled
effect with its interval, heterogeneity (I², tau², the Q test's p) and the prediction
interval, and each study's effect; from the risk-of-bias assessments come the contributing
studies' overall judgments, weighted as the analysis weighted them (of a network analysis,
the outcome's ``comparison = "A vs B"``, also shown in the SoF, picks the estimate: see
:mod:`.network_grade`). The judgments file keeps what people decide: each domain's rating
and reason, importance, follow-up, comments.
Typing a derived number beside ``analysis`` is refused, so the two can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evidens.core.files import read_bounded
from evidens.errors import ConfigError
from evidens.extraction import outcome_data
from evidens.extraction.outputs import StudyArms
from evidens.grade.judgments import (
    MAX_BYTES,
    GradeFile,
    judgments_from_mapping,
    parse_judgments,
)
from evidens.rob import Result
from evidens.services.folders.review_files import read_review_dir
from evidens.services.folders.step_files import folder_extraction, folder_rob_results
from evidens.services.synthesis import analyses
from evidens.services.synthesis.network_grade import from_network

DERIVED = ("studies", "intervention", "comparator", "relative", "rob")
RATIOS = ("RR", "OR", "HR", "IRR", "ROM")
SEVERITY = {"low": 0, "some_concerns": 1, "high": 2}


def derive(
    doc: Mapping[str, Any],
    fitted: Mapping[str, tuple[Any, dict[str, Any]]],
    arms: Mapping[str, Sequence[StudyArms]],
    rob: Sequence[Result],
    *,
    path: str,
) -> dict[str, Any]:
    """``doc`` (a parsed judgments file) with every outcome that names an analysis, or an
    extraction outcome with no analysis (e.g. not estimable), filled in from it."""
    refuse_typed(doc, path=path)
    outcomes = []
    for i, item in enumerate(doc.get("outcomes", [])):
        source = _source(item)
        if source is None:
            outcomes.append(item)
            continue
        where = f"outcomes[{i}]"
        if "analysis" not in item:
            outcomes.append({**_drop(item), **_from_arms(item, arms, rob, where, path)})
            continue
        name = str(item["analysis"])
        if name not in fitted:
            raise ConfigError(
                f"outcome {item.get('name')!r} names no analysis {name!r}",
                path=path,
                field=f"{where}.analysis",
                hint="use the name of one of the review's analyses: " + ", ".join(sorted(fitted)),
            )
        result, data = fitted[name]
        if data.get("kind") == "network":
            derived = from_network(
                result, data, item.get("comparison"), rob, field=f"{where}.comparison", path=path
            )
        else:
            derived = from_analysis(data, rob)
        rd_name = item.get("risk_difference_analysis")
        if rd_name is not None:
            if str(rd_name) not in fitted:
                raise ConfigError(
                    f"no analysis {rd_name!r}",
                    path=path,
                    field=f"{where}.risk_difference_analysis",
                    hint="name an [[analysis]] of the same outcome with measure RD",
                )
            derived["risk_difference"] = _effect(fitted[str(rd_name)][1])
        outcomes.append({**_drop(item), **derived})
    return {**doc, "outcomes": outcomes}


SOURCES = ("analysis", "risk_difference_analysis", "extraction_outcome")


def _source(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "analysis" in item:
        return f"analysis {item['analysis']!r}"
    if "extraction_outcome" in item:
        return f"the agreed data of {item['extraction_outcome']!r}"
    return None


def _drop(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in SOURCES}


def _from_arms(
    item: Mapping[str, Any],
    arms: Mapping[str, Sequence[StudyArms]],
    rob: Sequence[Result],
    where: str,
    path: str,
) -> dict[str, Any]:
    """Studies and participants of an outcome with no analysis, from the agreed arm data."""
    outcome = str(item["extraction_outcome"])
    if outcome not in arms:
        raise ConfigError(
            f"no agreed arm data for extraction outcome {outcome!r}",
            path=path,
            field=f"{where}.extraction_outcome",
            hint="use an outcome id of the extraction form: " + ", ".join(sorted(arms)),
        )
    studies = list(arms[outcome])

    def arm(pick: str) -> dict[str, Any]:
        chosen = [getattr(s, pick) for s in studies]
        found: dict[str, Any] = {"total": sum((a.total or a.n or 0) for a in chosen)}
        if chosen and all(a.events is not None for a in chosen):
            found["events"] = sum(int(a.events or 0) for a in chosen)
        return found

    data = {"outcome": outcome, "studies": [{"label": s.study} for s in studies]}
    return {
        "studies": len(studies),
        "intervention": arm("experimental"),
        "comparator": arm("comparator"),
        "rob": study_rob(data, rob),
    }


def from_analysis(data: Mapping[str, Any], rob: Sequence[Result]) -> dict[str, Any]:
    """The GRADE evidence keys of one fitted analysis (its JSON form)."""
    studies = list(data.get("studies", []))
    arms = [s.get("arms") or {} for s in studies]
    intervention: dict[str, Any] = {"total": int(sum(a.get("total1", 0) for a in arms))}
    comparator: dict[str, Any] = {"total": int(sum(a.get("total2", 0) for a in arms))}
    if all("events1" in a for a in arms) and arms:
        intervention["events"] = int(sum(a["events1"] for a in arms))
        comparator["events"] = int(sum(a["events2"] for a in arms))
    return {
        "studies": int(data.get("k", len(studies))),
        "intervention": intervention,
        "comparator": comparator,
        "relative": _effect(data),
        "rob": study_rob(data, rob),
    }


def _model(data: Mapping[str, Any]) -> str:
    method = str(dict(data.get("methods") or {}).get("method", "")).upper()
    return "fixed" if method in ("FE", "EE", "CE") else "random"


def _effect(data: Mapping[str, Any]) -> dict[str, Any]:
    """The pooled effect on the scale people read (ratios back-transformed)."""
    measure = str(data.get("measure", ""))
    pooled = dict(data.get(_model(data)) or {})
    ratio = measure in RATIOS

    def shown(value: float | None) -> float | None:
        if value is None:
            return None
        return math.exp(value) if ratio else float(value)

    heterogeneity = dict(data.get("heterogeneity") or {})
    effect: dict[str, Any] = {
        "measure": measure,
        "estimate": shown(pooled.get("estimate")),
        "ci_low": shown(pooled.get("ci_lb")),
        "ci_high": shown(pooled.get("ci_ub")),
        "k": int(data.get("k", 0)),
        # heterogeneity is not estimable from one study
        "i2": heterogeneity.get("I2") if int(data.get("k", 0)) > 1 else None,
        "tau2": heterogeneity.get("tau2") if int(data.get("k", 0)) > 1 else None,
        "q_p": heterogeneity.get("pval") if int(data.get("k", 0)) > 1 else None,
        "method": str(dict(data.get("methods") or {}).get("text", "")),
        "study_effects": [
            {
                "study": s["label"],
                "estimate": shown(s["yi"]),
                "ci_low": shown(s["ci_lb"]),
                "ci_high": shown(s["ci_ub"]),
            }
            for s in data.get("studies", [])
        ],
    }
    interval = data.get("prediction_interval")  # [low, high] on the analysis scale
    if interval and int(data.get("k", 0)) > 1:
        effect["pi_low"], effect["pi_high"] = shown(interval[0]), shown(interval[1])
    return {k: v for k, v in effect.items() if v is not None}


def study_rob(data: Mapping[str, Any], rob: Sequence[Result]) -> list[dict[str, Any]]:
    """Each contributing study's overall risk of bias, weighted as the analysis weighted
    it: the assessment of this outcome where one names it, else the study's most severe."""
    outcome = str(data.get("outcome", "")).replace("_", " ").casefold()
    weight_key = "weight_fixed" if _model(data) == "fixed" else "weight_random"
    found = []
    for study in data.get("studies", []):
        label = str(study["label"])
        theirs = [r for r in rob if r.assessment.study == label and r.final_overall is not None]
        if not theirs:
            continue
        same = [r for r in theirs if outcome and outcome in r.assessment.outcome.casefold()]
        chosen = max(same or theirs, key=lambda r: SEVERITY.get(_level(r), 0))
        weight = study.get(weight_key)
        found.append(
            {
                "study": label,
                "overall": _level(chosen),
                "weight": float(weight) / 100 if weight is not None else 1.0,
            }
        )
    return found


def _level(result: Result) -> str:
    return result.final_overall.value if result.final_overall is not None else ""


def refuse_typed(doc: Mapping[str, Any], *, path: str) -> None:
    """A number typed beside the analysis (or extraction outcome) it comes from is refused,
    so the judgments and the review's own data can never disagree."""
    for i, item in enumerate(doc.get("outcomes", [])):
        source = _source(item)
        typed = [k for k in DERIVED if k in item] if source else []
        if typed:
            raise ConfigError(
                f"{', '.join(typed)} of outcome {item.get('name')!r} come from {source}",
                path=path,
                field=f"outcomes[{i}].{typed[0]}",
                hint="remove them: the review's own data is the one source",
            )


def load_grade(path: Path) -> GradeFile:
    """A judgments file on its own (``evidens grade FILE``, ``evidens sof FILE``): its numbers
    derived from the review folder it sits in (``REVIEW/grade/judgments.toml``) when it
    names analyses or extraction outcomes, else as typed."""
    doc, text = parse_judgments(
        read_bounded(path, MAX_BYTES, what="judgments file"), path=str(path)
    )
    if any(_source(o) is not None for o in doc.get("outcomes", [])):
        root = path.resolve().parent.parent
        if not (root / "review.toml").is_file():
            raise ConfigError(
                "its outcomes name analyses, but it is not inside a review folder",
                path=path,
                hint="keep it as REVIEW/grade/judgments.toml, or type the numbers",
            )
        extraction = folder_extraction(root)
        consensus = extraction.consensus if extraction else ()
        specs = read_review_dir(root).analyses
        fitted = analyses.fit_analyses(specs, consensus, where=str(root / "review.toml"))
        rob = folder_rob_results(root)
        doc = derive(doc, fitted, outcome_data(consensus), rob, path=str(path))
    return judgments_from_mapping(doc, path=str(path), text=text)
