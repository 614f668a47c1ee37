"""Network meta-analyses of the review: ``kind = "network"`` analyses fitted on agreed arm data.

Why arms from several outcome entries: the extraction form records two arms per outcome, so a
three-arm trial is extracted as two arm pairs (e.g. ``spasm_free`` for A vs C and
``spasm_free_b`` for B vs C) with each arm's treatment named by an extraction field. The
analysis's own ``outcome`` contributes its pair (arms named by ``characteristics.treatment``
and ``characteristics.comparator``); each ``[[analysis.arms]]`` table adds a pair, naming its
outcome and the fields that name its arms. An arm met twice in one study (the shared C) must
carry the same numbers both times, and enters the network once, so the contrasts of a multi-arm
trial are correlated as they should be.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from evidens.core import ArmData
from evidens.errors import ConfigError, EstimationError
from evidens.extraction.model import Consensus
from evidens.extraction.outputs import COMPARATOR_KEY, TREATMENT_KEY, display
from evidens.meta.effects import RATIO_MEASURES
from evidens.meta.nma import NetworkMetaAnalysis, NetworkResult, components, league_json
from evidens.meta.nma_data import NMA_MEASURES, NetworkArm, contrasts_from_arms
from evidens.meta.nma_split import split_all

NETWORK = "network"
NETWORK_ONLY = ("reference", "small_values", "model", "treatments", "arms")
NETWORK_KEYS = ("kind", *NETWORK_ONLY)
"""The [[analysis]] keys a network analysis reads beyond name, outcome, measure, method, level."""
PAIRWISE_ONLY = ("preset", "pooling", "test", "prediction", "labels")
NETWORK_METHODS = ("REML", "ML")


def is_network(spec: Mapping[str, Any]) -> bool:
    return spec.get("kind") == NETWORK


def check_kind(spec: Mapping[str, Any], *, where: str | None, index: int | None) -> None:
    """Refuse a key that the analysis's kind does not use, naming the kind that does.
    ``where``/``index``: the file and [[analysis]] entry (None: a command's options)."""
    network = is_network(spec)
    wrong = [k for k in (PAIRWISE_ONLY if network else NETWORK_ONLY) if k in spec]
    prefix = "" if index is None else f"analysis[{index}]."
    field = f"{prefix}{wrong[0]}" if wrong else ""
    if wrong and network:
        raise ConfigError(
            f"analysis {spec.get('name')}: {wrong[0]} is not used by a network analysis",
            path=where,
            field=field,
            hint="remove it; a network uses measure, model, method, reference, small_values",
        )
    if wrong:
        raise ConfigError(
            f'analysis {spec.get("name")}: {wrong[0]} is for kind = "network"',
            path=where,
            field=field,
            hint='add kind = "network", or remove it',
        )
    if not network:
        return
    measure = str(spec.get("measure", "OR")).upper()
    if measure not in NMA_MEASURES:
        raise ConfigError(
            f"analysis {spec.get('name')}: measure {measure} cannot be used in a network",
            path=where,
            field=f"{prefix}measure",
            hint="use one of " + ", ".join(NMA_MEASURES),
        )
    method = str(spec.get("method", "REML")).upper()
    if method not in NETWORK_METHODS:
        raise ConfigError(
            f"analysis {spec.get('name')}: method {method} is not a network method",
            path=where,
            field=f"{prefix}method",
            hint='use REML or ML (model = "FE" for a fixed-effect network)',
        )


def _pairs(spec: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(outcome id, field naming the experimental arm, field naming the comparator arm)."""
    given = [
        (
            str(t["outcome"]),
            str(t.get("experimental", TREATMENT_KEY)),
            str(t.get("comparator", COMPARATOR_KEY)),
        )
        for t in spec.get("arms", ())
    ]
    if all(outcome != spec["outcome"] for outcome, _, _ in given):
        given.insert(0, (str(spec["outcome"]), TREATMENT_KEY, COMPARATOR_KEY))
    return given


def _arm(study: str, treatment: str, arm: ArmData, measure: str, where: str) -> NetworkArm:
    """One network arm, refusing the numbers the measure needs when they are missing."""
    if measure == "MD":
        values = (arm.mean, arm.sd, arm.n)
        needed = "mean, sd and n"
    else:
        values = (arm.events, arm.total, arm.total)
        needed = "events and total"
    if any(v is None for v in values):
        raise ConfigError(
            f"study {study}: arm {treatment!r} has no {needed} for {measure}",
            path=where,
            field=f"outcomes.{arm.arm}",
            hint="extract the arm's numbers, or leave the study out of the network",
        )
    if measure == "MD":
        return NetworkArm(study, treatment, float(arm.n or 0), mean=arm.mean, sd=arm.sd)
    return NetworkArm(study, treatment, float(arm.total or 0), events=float(arm.events or 0))


def network_arms(
    spec: Mapping[str, Any], consensus: Sequence[Consensus], *, where: str
) -> list[NetworkArm]:
    """Every agreed arm the analysis's outcome pairs hold, once per study and treatment."""
    measure = str(spec.get("measure", "OR")).upper()
    arms: dict[tuple[str, str], NetworkArm] = {}
    for record in consensus:
        outcomes = {data.id: data for data in record.arms}
        for outcome, exp_field, comp_field in _pairs(spec):
            data = outcomes.get(outcome)
            if data is None:
                continue
            names = [display(record.value(exp_field)), display(record.value(comp_field))]
            if names[0] and names[0] == names[1]:
                raise ConfigError(
                    f"study {record.study}: both arms of outcome {outcome!r} are {names[0]!r}",
                    path=where,
                    field=comp_field,
                    hint="a network compares different treatments; correct the arm's name",
                )
            pairs = ((exp_field, data.experimental), (comp_field, data.comparator))
            for (field, arm), name in zip(pairs, names, strict=True):
                if not name:
                    raise ConfigError(
                        f"study {record.study}: no treatment name in {field} "
                        f"for the arm of outcome {outcome!r}",
                        path=where,
                        field=field,
                        hint="agree the field's value, or name another field in [[analysis.arms]]",
                    )
                new = _arm(record.study, name, arm, measure, where)
                old = arms.setdefault((record.study, name), new)
                if old != new:
                    raise ConfigError(
                        f"study {record.study}: arm {name!r} has different numbers "
                        f"in two outcome entries",
                        path=where,
                        field=f"outcomes.{outcome}",
                        hint="a shared arm must carry the same numbers in every pair",
                    )
    return list(arms.values())


def _order(spec: Mapping[str, Any], arms: Sequence[NetworkArm], where: str) -> list[str]:
    found = list(dict.fromkeys(a.treatment for a in arms))
    order = [str(t) for t in spec.get("treatments", ())] or sorted(found)
    unknown = [t for t in found if t not in order]
    if unknown:
        raise ConfigError(
            f"analysis {spec['name']}: treatment {unknown[0]!r} is not in its treatments list",
            path=where,
            field="treatments",
            hint="list every treatment: " + ", ".join(found),
        )
    return [t for t in order if t in found]


def fit_network(
    spec: Mapping[str, Any], consensus: Sequence[Consensus], *, where: str, index: int
) -> tuple[NetworkResult, dict[str, Any]]:
    """Fit one network analysis; refuse data that cannot form a network, naming why."""
    check_kind(spec, where=where, index=index)
    name = str(spec["name"])
    arms = network_arms(spec, consensus, where=where)
    order = _order(spec, arms, where)
    if len(order) < 2:
        raise ConfigError(
            f"analysis {name}: a network needs at least two treatments, found "
            + (", ".join(order) or "none"),
            path=where,
            field=f"analysis[{index}].outcome",
            hint="check the outcome ids and the fields that name the arms' treatments",
        )
    reference = str(spec.get("reference", order[0]))
    if reference not in order:
        raise ConfigError(
            f"analysis {name}: reference {reference!r} is not a treatment of the network",
            path=where,
            field=f"analysis[{index}].reference",
            hint="use one of " + ", ".join(order),
        )
    measure = str(spec.get("measure", "OR")).upper()
    contrasts = contrasts_from_arms(arms, measure, treatments=order)
    parts = components(contrasts)
    if len(parts) > 1:
        listed = "; ".join(", ".join(sorted(p)) for p in parts)
        raise ConfigError(
            f"analysis {name}: the network is disconnected ({listed})",
            path=where,
            field=f"analysis[{index}]",
            hint="analyse each connected part separately, or add the studies that link them",
        )
    model = NetworkMetaAnalysis(
        model=str(spec.get("model", "RE")),
        method=str(spec.get("method", "REML")),
        reference=reference,
        small_values=str(spec.get("small_values", "good")),
        level=float(spec.get("level", 95.0)),
    )
    try:
        result = model.fit(contrasts)
    except EstimationError as exc:
        raise ConfigError(
            f"analysis {name}: {exc.message}", path=where, field=f"analysis[{index}]", hint=exc.hint
        ) from exc
    return result, network_json(result, spec, arms, consensus)


def _finite(value: Any) -> Any:
    """JSON without NaN/inf (the store keeps results as JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def network_json(
    res: NetworkResult,
    spec: Mapping[str, Any],
    arms: Sequence[NetworkArm],
    consensus: Sequence[Consensus],
) -> dict[str, Any]:
    """The analysis as analyses.json and the store keep it: every number the report shows."""
    outcome = str(spec["outcome"])
    labels = [d.outcome.name for c in consensus for d in c.arms if d.id == outcome]
    inc = res.inconsistency()
    fit = res.fit
    data = {
        "kind": NETWORK,
        "outcome": outcome,
        "outcome_name": labels[0] if labels else outcome,
        "measure": res.contrasts.measure,
        "scale": "log" if res.contrasts.measure in RATIO_MEASURES else "raw",
        "model": res.model,
        "method": res.analysis.method,
        "level": res.analysis.level,
        "reference": res.reference,
        "small_values": res.small_values,
        "pscore_direction": "smaller values are better"
        if res.small_values == "good"
        else "larger values are better",
        "treatments": list(res.treatments),
        "k": len(set(res.contrasts.study)),
        "studies": [{"label": s} for s in dict.fromkeys(res.contrasts.study)],
        "arms": [
            {"study": a.study, "treatment": a.treatment, "n": a.n, "events": a.events} for a in arms
        ],
        "participants": dict(res.contrasts.participants),
        "tau2": float(fit.theta[0]) if fit.structures else None,
        "versus_reference": [
            {"treatment": t, "estimate": e, "ci_lb": lo, "ci_ub": hi}
            for t, e, lo, hi in res.versus_reference()
        ],
        "pscores": dict(zip(res.treatments, res.pscores().tolist(), strict=True)),
        "league": league_json(res.league()),
        "inconsistency": {
            "Q": inc.QM,
            "df": inc.df,
            "p": inc.pval,
            "Q_total": inc.Q_total,
            "Q_within": inc.Q_within,
        },
        "side_split": [dict(s.__dict__) for s in split_all(res)],
    }
    return dict(_finite(data))
