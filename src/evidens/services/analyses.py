"""Meta-analyses defined in the review, run on the consensus outcome data.

An analysis names an outcome of the extraction form, an effect measure and a model
(``[[analysis]]`` in review.toml); its input comes straight from the agreed arm data, never
retyped, and its forest plot carries each study's RoB 2 judgments for that outcome.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidens.errors import ConfigError
from evidens.extraction import outcome_data
from evidens.meta import MetaAnalysis, effects_from_arms
from evidens.report.forest import forest_plot
from evidens.rob import Result
from evidens.services import synthesis
from evidens.services.outputs import write_output
from evidens.services.review_files import ReviewFiles
from evidens.services.store import ReviewStore, transaction
from evidens.store.models import OutcomeRow
from evidens.store.synthesis_models import AnalysisRow

OPTIONS = ("preset", "method", "pooling", "test", "level", "prediction")


SEVERITY = {"low": 0, "some_concerns": 1, "high": 2}


def _rob_columns(results: list[Result]) -> dict[str, dict[str, str]]:
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


def run_analyses(store: ReviewStore, files: ReviewFiles) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Fit every defined analysis; returns name -> (fitted result, its JSON form)."""
    return fit_analyses(files)


def fit_analyses(files: ReviewFiles) -> dict[str, tuple[Any, dict[str, Any]]]:
    """:func:`run_analyses` on the agreed data of a review folder."""
    definitions: list[Mapping[str, Any]] = list(files.analyses)
    if not definitions:
        return {}
    data = outcome_data(synthesis.folder_consensus(files))
    fitted: dict[str, tuple[Any, dict[str, Any]]] = {}
    where = str(files.root / "review.toml")
    for i, spec in enumerate(definitions):
        name, outcome = str(spec.get("name", "")), str(spec.get("outcome", ""))
        if not name or outcome not in data:
            raise ConfigError(
                f"analysis {name or i + 1}: outcome {outcome!r} has no agreed arm data",
                path=where,
                field=f"analysis[{i}].outcome",
                hint="use an outcome id of the extraction form: " + ", ".join(sorted(data)),
            )
        studies = [(s.study, s.experimental, s.comparator) for s in data[outcome]]
        effects = effects_from_arms(str(spec.get("measure", "RR")), studies)
        options = {k: spec[k] for k in OPTIONS if k in spec}
        result = MetaAnalysis(**options).fit(effects)
        label = data[outcome][0].outcome.name if data[outcome] else outcome
        fitted[name] = (result, {"outcome": outcome, "outcome_name": label, **result.to_dict()})
    return fitted


def write_analysis_outputs(store: ReviewStore, files: ReviewFiles, out: Path) -> list[Path]:
    """OUT/analyses.json and OUT/forest-<analysis>.svg/.png; results stored in the review."""
    fitted = run_analyses(store, files)
    if not fitted:
        return []
    rob = _rob_columns(synthesis.rob_results(files))
    written = []
    with transaction(store, "evidens run") as uow:
        for name, (result, data) in fitted.items():
            outcome = uow.session.scalar(
                select(OutcomeRow.id).where(
                    OutcomeRow.review_id == store.review_id,
                    # the outcomes table names an outcome by its label, not the form's id
                    OutcomeRow.name == data["outcome_name"],
                )
            )
            spec = next(a for a in files.analyses if a.get("name") == name)
            row = AnalysisRow(
                review_id=store.review_id,
                name=name,
                outcome_id=outcome,
                measure=str(spec.get("measure", "RR")),
                method=str(data.get("methods", {}).get("method", "")),
                options=dict(spec),
                result=data,
            )
            uow.session.add(row)
            uow.session.flush()
            uow.audit("analyse", "analysis", row.id, after={"name": name})
            studies = {label for label in rob if label in json.dumps(data)}
            columns = {k: v for k, v in rob.items() if k in studies} or None
            given = spec.get("labels", ("Favours experimental", "Favours control"))
            labels = (str(given[0]), str(given[1]))
            for fmt in ("svg", "png"):
                path = out / f"forest-{name}.{fmt}"
                figure = forest_plot(result, format=fmt, rob=columns, labels=labels)
                written.append(write_output(path, figure))
    path = out / "analyses.json"
    text = json.dumps({n: d for n, (_, d) in fitted.items()}, indent=2, ensure_ascii=False)
    written.insert(0, write_output(path, (text + "\n").encode()))
    return written
