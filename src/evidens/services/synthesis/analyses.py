"""Meta-analyses defined in the review store, run on the consensus outcome data.

An analysis names an outcome of the extraction form, an effect measure and a model; its
definition is kept in the store (``[[analysis]]`` of a review folder is loaded into it, or
``evidens analyse add`` defines one), its input comes straight from the agreed arm data,
never retyped, and its forest plot carries each study's RoB 2 judgments for that outcome.
Fitting is recomputed from the store every time outputs are written, and the last result is
kept beside the definition for the pages and commands that show it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidens.errors import ConfigError, ValidationError
from evidens.extraction import outcome_data
from evidens.extraction.model import Consensus
from evidens.meta import MetaAnalysis, effects_from_arms
from evidens.meta.nma import NetworkResult
from evidens.report.forest import forest_plot
from evidens.rob import Result
from evidens.services.reporting.outputs import write_output
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.services.synthesis.network import check_kind, fit_network, is_network
from evidens.services.synthesis.network_outputs import write_network_outputs
from evidens.store.models import OutcomeRow
from evidens.store.synthesis_models import AnalysisRow

OPTIONS = ("preset", "method", "pooling", "test", "level", "prediction")
SEVERITY = {"low": 0, "some_concerns": 1, "high": 2}
Fitted = dict[str, tuple[Any, dict[str, Any]]]
"""Analysis name -> (the fitted result, its JSON form)."""


def add_analysis(uow: UnitOfWork, spec: Mapping[str, Any]) -> AnalysisRow:
    """Define an analysis (checked against the declared ``[[analysis]]`` keys)."""
    from evidens.services.folders.review_check import check_mapping
    from evidens.services.folders.review_schema import ANALYSIS

    name = str(spec.get("name", ""))
    problems = check_mapping(dict(spec), ANALYSIS, source=f"analysis {name or '(no name)'}")
    if problems:
        raise problems[0]
    check_kind(spec, where=None, index=None)
    if _row(uow, name) is not None:
        raise ValidationError(
            f"an analysis named {name!r} exists already",
            field="name",
            hint="choose another name, or remove it first (evidens analyse remove)",
        )
    row = AnalysisRow(
        review_id=uow.review_id,
        name=name,
        outcome_id=None,
        measure=str(spec.get("measure", "RR")),
        method=str(spec.get("method", "")),
        options=dict(spec),
        result={},
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit("create", "analysis", row.id, after=dict(spec))
    return row


def remove_analysis(uow: UnitOfWork, name: str) -> None:
    row = _row(uow, name)
    if row is None:
        raise ValidationError(
            f"no analysis named {name!r}",
            field="name",
            hint="the review's analyses: " + (", ".join(analysis_names(uow)) or "none yet"),
        )
    uow.audit("delete", "analysis", row.id, before=dict(row.options))
    uow.session.delete(row)


def analysis_names(uow: UnitOfWork) -> list[str]:
    return [str(spec["name"]) for spec in analysis_specs(uow)]


def analysis_specs(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every defined analysis, in the order they were defined."""
    rows = uow.session.scalars(
        select(AnalysisRow).where(AnalysisRow.review_id == uow.review_id).order_by(AnalysisRow.id)
    )
    return [dict(row.options) for row in rows]


def _row(uow: UnitOfWork, name: str) -> AnalysisRow | None:
    return uow.session.scalar(
        select(AnalysisRow).where(AnalysisRow.review_id == uow.review_id, AnalysisRow.name == name)
    )


def fit_analyses(
    specs: Sequence[Mapping[str, Any]], consensus: Sequence[Consensus], *, where: str
) -> Fitted:
    """Fit each analysis on the agreed arm data; ``where`` names the definitions' source in
    an error (review.toml of a folder, or the store)."""
    if not specs:
        return {}
    data = outcome_data(consensus)
    fitted: Fitted = {}
    for i, spec in enumerate(specs):
        name, outcome = str(spec.get("name", "")), str(spec.get("outcome", ""))
        if is_network(spec) and name and outcome in data:
            fitted[name] = fit_network(spec, consensus, where=where, index=i)
            continue
        check_kind(spec, where=where, index=i)
        if not name or outcome not in data:
            raise ConfigError(
                f"analysis {name or i + 1}: outcome {outcome!r} has no agreed arm data",
                path=where,
                field=f"analysis[{i}].outcome",
                hint="use an outcome id of the extraction form with agreed data: "
                + (", ".join(sorted(data)) or "none yet"),
            )
        studies = [(s.study, s.experimental, s.comparator) for s in data[outcome]]
        effects = effects_from_arms(str(spec.get("measure", "RR")), studies)
        options = {k: spec[k] for k in OPTIONS if k in spec}
        result = MetaAnalysis(**options).fit(effects)
        label = data[outcome][0].outcome.name if data[outcome] else outcome
        fitted[name] = (result, {"outcome": outcome, "outcome_name": label, **result.to_dict()})
    return fitted


def fitted_in(uow: UnitOfWork) -> Fitted:
    """Every analysis of the store fitted on its consensus data."""
    from evidens.services.assessment.extraction import consensus_in

    return fit_analyses(analysis_specs(uow), consensus_in(uow), where="the review's analyses")


def rob_columns(results: Sequence[Result]) -> dict[str, dict[str, str]]:
    """Study label -> {domain: final judgment, "Overall": ...}; the two variants of RoB 2
    domain 2 share one column showing the more severe, as in the traffic-light plot."""
    columns: dict[str, dict[str, str]] = {}
    for result in results:
        row: dict[str, str] = {}
        for d in result.domains:
            if d.final is None:
                continue
            key = d.domain.split("-")[0]
            if key not in row or SEVERITY.get(d.final.value, 0) > SEVERITY.get(row[key], 0):
                row[key] = d.final.value
        if result.final_overall is not None:
            row["Overall"] = result.final_overall.value
        columns.setdefault(result.assessment.study, row)
    return columns


def write_analysis_outputs(store: ReviewStore, out: Path) -> list[Path]:
    """OUT/analyses.json and OUT/forest-<analysis>.svg/.png (a network analysis:
    OUT/network-<analysis>-*, see :func:`write_network_outputs`); each result kept in the store."""
    from evidens.services.assessment.risk_of_bias import rob_results_in

    with transaction(store, "evidens") as uow:
        fitted, specs = fitted_in(uow), {s["name"]: s for s in analysis_specs(uow)}
        rob = rob_columns(rob_results_in(uow))
        for name, (_, data) in fitted.items():
            _keep_result(uow, name, data)
    if not fitted:
        return []
    written = []
    for name, (result, data) in fitted.items():
        if isinstance(result, NetworkResult):
            written += write_network_outputs(out, name, result, rob)
            continue
        studies = {label for label in rob if label in json.dumps(data)}
        columns = {k: v for k, v in rob.items() if k in studies} or None
        given = specs[name].get("labels", ("Favours experimental", "Favours control"))
        labels = (str(given[0]), str(given[1]))
        for fmt in ("svg", "png"):
            figure = forest_plot(result, format=fmt, rob=columns, labels=labels)
            written.append(write_output(out / f"forest-{name}.{fmt}", figure))
    text = json.dumps({n: d for n, (_, d) in fitted.items()}, indent=2, ensure_ascii=False)
    written.insert(0, write_output(out / "analyses.json", (text + "\n").encode()))
    return written


def _keep_result(uow: UnitOfWork, name: str, data: dict[str, Any]) -> None:
    row = _row(uow, name)
    if row is None or row.result == data:
        return
    row.outcome_id = uow.session.scalar(
        select(OutcomeRow.id).where(
            OutcomeRow.review_id == uow.review_id,
            OutcomeRow.name == data["outcome_name"],  # outcomes are named by label
        )
    )
    row.method = str(data.get("methods", {}).get("method", data.get("method", "")))  # network
    row.result = data
    uow.audit("analyse", "analysis", row.id, after={"name": name})
