"""GRADE's numbers for one comparison of a network analysis, derived, never typed.

A GRADE outcome names ``analysis = NAME`` (a ``kind = "network"`` analysis) and
``comparison = "A vs B"``. The effect is the network estimate of A against B (direct and
indirect evidence together), and each study counts as much as it contributes to that
estimate (the engine's contribution matrix), so the risk-of-bias rating weighs the studies the
way CINeMA's within-study bias domain does: a study that only feeds a long indirect path
counts little, the direct trials of A vs B count most.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from evidens.errors import ConfigError
from evidens.meta.effects import RATIO_MEASURES
from evidens.meta.nma import NetworkResult
from evidens.meta.nma_contribution import contribution_matrix
from evidens.rob import Result

SEVERITY = {"low": 0, "some_concerns": 1, "high": 2}
SMALLEST_SHARE = 1e-9
"""A study whose share of an estimate is below this contributes nothing to it."""


def comparison_of(text: Any, result: NetworkResult, *, field: str, path: str) -> tuple[str, str]:
    """ "A vs B" -> (A, B), each a treatment of the network."""
    parts = [p.strip() for p in str(text or "").split(" vs ")]
    choices = ", ".join(result.treatments)
    if len(parts) != 2 or not all(parts):
        raise ConfigError(
            f'a network outcome needs comparison = "A vs B", got {text!r}',
            path=path,
            field=field,
            hint=f"name two of the network's treatments: {choices}",
        )
    unknown = [p for p in parts if p not in result.treatments]
    if unknown or parts[0] == parts[1]:
        raise ConfigError(
            f"comparison {text!r}: {unknown[0] if unknown else parts[0]!r} "
            + ("is not a treatment of the network" if unknown else "is compared with itself"),
            path=path,
            field=field,
            hint=f"name two different treatments of: {choices}",
        )
    return parts[0], parts[1]


def study_shares(result: NetworkResult, first: str, second: str) -> dict[str, float]:
    """Each study's share (summing to 1) of the network estimate of ``first`` vs ``second``."""
    matrix = contribution_matrix(result)
    pair = {first, second}
    row = next(n for n, est in enumerate(matrix.estimates) if set(est) == pair)
    shares: dict[str, float] = {}
    for study, share in zip(result.contrasts.study, matrix.row_shares[row], strict=True):
        shares[study] = shares.get(study, 0.0) + max(float(share), 0.0)
    total = sum(shares.values()) or 1.0
    return {s: v / total for s, v in shares.items() if v / total > SMALLEST_SHARE}


def _arm(data: Mapping[str, Any], treatment: str) -> dict[str, Any]:
    """Participants (and events) of every arm of ``treatment`` in the network."""
    arms = [a for a in data.get("arms", ()) if a.get("treatment") == treatment]
    found: dict[str, Any] = {"total": int(sum(a.get("n") or 0 for a in arms))}
    if arms and all(a.get("events") is not None for a in arms):
        found["events"] = int(sum(a["events"] for a in arms))
    return found


def _rob(shares: Mapping[str, float], rob: Sequence[Result]) -> list[dict[str, Any]]:
    found = []
    for study, share in shares.items():
        levels = [
            r.final_overall.value
            for r in rob
            if r.assessment.study == study and r.final_overall is not None
        ]
        if levels:
            worst = max(levels, key=lambda v: SEVERITY.get(v, 0))
            found.append({"study": study, "overall": worst, "weight": share})
    return found


def from_network(
    result: NetworkResult,
    data: Mapping[str, Any],
    comparison: Any,
    rob: Sequence[Result],
    *,
    field: str,
    path: str,
) -> dict[str, Any]:
    """The GRADE evidence keys of ``comparison`` ("A vs B": A the intervention)."""
    first, second = comparison_of(comparison, result, field=field, path=path)
    shares = study_shares(result, first, second)
    league = result.league()
    i, j = result.treatments.index(first), result.treatments.index(second)
    ratio = result.contrasts.measure in RATIO_MEASURES

    def shown(value: float) -> float:
        return math.exp(value) if ratio else float(value)

    relative: dict[str, Any] = {
        "measure": result.contrasts.measure,
        "estimate": shown(league.estimate[i, j]),
        "ci_low": shown(league.ci_lb[i, j]),
        "ci_high": shown(league.ci_ub[i, j]),
        "k": len(shares),
        "method": f"network meta-analysis ({result.model} model, direct and indirect "
        f"evidence), {first} vs {second}",
    }
    if result.fit.structures:
        relative["tau2"] = float(result.fit.theta[0])
    return {
        "studies": len(shares),
        "intervention": _arm(data, first),
        "comparator": _arm(data, second),
        "relative": relative,
        "rob": _rob(shares, rob),
    }
