# ruff: noqa: N806 - V is the sampling covariance matrix
"""Network meta-analysis input: arms (or contrasts) → correlated within-study contrasts.

Why contrasts against a baseline arm: the contrast-based model (metafor's documented
``dat.senn2013`` and ``dat.hasselblad1998`` analyses) fits every non-baseline arm against the
study's baseline arm; the contrasts of a multi-arm trial share that arm, so they covary by its
variance (OR: 1/(x+½) + 1/(n−x+½); MD: sd²/n). The baseline is the arm whose treatment comes
first in the treatment order (the reference when the study has it), so the fit does not
depend on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evidens.errors import ConfigError, EstimationError

FloatArray = NDArray[np.float64]
NMA_MEASURES = ("OR", "RR", "RD", "MD")


@dataclass(frozen=True)
class NetworkArm:
    """One arm: binary (``events``/``n``) or continuous (``mean``/``sd``/``n``)."""

    study: str
    treatment: str
    n: float
    events: float | None = None
    mean: float | None = None
    sd: float | None = None


@dataclass(frozen=True, eq=False)
class NetworkContrasts:
    """Within-study contrasts ``t1`` vs ``t2`` (t2 = baseline), with their covariance ``V``."""

    measure: str
    treatments: tuple[str, ...]
    study: tuple[str, ...]
    t1: tuple[str, ...]
    t2: tuple[str, ...]
    yi: FloatArray
    V: FloatArray
    participants: dict[str, float]

    @property
    def vi(self) -> FloatArray:
        return np.asarray(np.diag(self.V), dtype=np.float64)

    @property
    def comp(self) -> tuple[str, ...]:
        return tuple(f"{a} vs {b}" for a, b in zip(self.t1, self.t2, strict=True))

    @property
    def design(self) -> tuple[str, ...]:
        """Per row: the study's treatments joined by ':' in treatment order."""
        arms: dict[str, set[str]] = {}
        for s, a, b in zip(self.study, self.t1, self.t2, strict=True):
            arms.setdefault(s, set()).update((a, b))
        order = {t: i for i, t in enumerate(self.treatments)}
        label = {s: ":".join(sorted(ts, key=order.__getitem__)) for s, ts in arms.items()}
        return tuple(label[s] for s in self.study)


def _arm_stats(measure: str, arm: NetworkArm, add: float) -> tuple[float, float]:
    """(arm-level summary, its variance) such that a contrast is a difference of summaries."""
    if measure == "MD":
        if arm.mean is None or arm.sd is None:
            raise ConfigError(f"study {arm.study}: MD needs mean and SD per arm", field="mean")
        return arm.mean, arm.sd**2 / arm.n
    if arm.events is None:
        raise ConfigError(f"study {arm.study}: {measure} needs events per arm", field="events")
    x, n = arm.events, arm.n
    if measure == "OR":
        a, b = x + add, n - x + add
        if a <= 0 or b <= 0:
            raise EstimationError(f"study {arm.study}: log odds undefined (add a correction)")
        return math.log(a / b), 1 / a + 1 / b
    if measure == "RR":
        if x + add <= 0:
            raise EstimationError(f"study {arm.study}: log risk undefined (add a correction)")
        return math.log((x + add) / (n + 2 * add)), 1 / (x + add) - 1 / (n + 2 * add)
    p = (x + add) / (n + 2 * add)
    return p, p * (1 - p) / (n + 2 * add)


def contrasts_from_arms(
    arms: Sequence[NetworkArm],
    measure: str,
    *,
    treatments: Sequence[str] | None = None,
    add: float = 0.5,
) -> NetworkContrasts:
    """Arm-level data → contrasts. OR/RR: ``add`` to every cell of every arm (metafor's
    ``add=1/2, to="all"`` in its NMA examples, so results do not depend on the baseline)."""
    measure = measure.upper()
    if measure not in NMA_MEASURES:
        raise ConfigError(f"measure {measure!r} not supported", field="measure", hint="OR RR RD MD")
    order = list(treatments) if treatments else sorted({a.treatment for a in arms})
    rank = {t: i for i, t in enumerate(order)}
    by_study: dict[str, list[NetworkArm]] = {}
    for a in arms:
        if a.treatment not in rank:
            raise ConfigError(
                f"treatment {a.treatment!r} not in the treatment list", field="treatment"
            )
        by_study.setdefault(a.study, []).append(a)
    rows: list[tuple[str, str, str, float]] = []
    blocks: list[FloatArray] = []
    participants: dict[str, float] = dict.fromkeys(order, 0.0)
    for study, group in by_study.items():
        if len(group) < 2:
            raise ConfigError(f"study {study} has fewer than two arms", field="study")
        if len({a.treatment for a in group}) != len(group):
            raise ConfigError(
                f"study {study} has two arms of the same treatment", field="treatment"
            )
        ordered = sorted(group, key=lambda a: rank[a.treatment])
        stats = [_arm_stats(measure, a, add) for a in ordered]
        (yb, vb), others = stats[0], stats[1:]
        for a in ordered:
            participants[a.treatment] += a.n
        m = len(others)
        block = np.full((m, m), vb) + np.diag([v for _, v in others])
        blocks.append(block)
        for a, (ya, _) in zip(ordered[1:], others, strict=True):
            rows.append((study, a.treatment, ordered[0].treatment, ya - yb))
    V = _block_diag(blocks)
    return NetworkContrasts(
        measure,
        tuple(order),
        tuple(r[0] for r in rows),
        tuple(r[1] for r in rows),
        tuple(r[2] for r in rows),
        np.array([r[3] for r in rows]),
        V,
        participants,
    )


def _block_diag(blocks: Sequence[FloatArray]) -> FloatArray:
    k = sum(b.shape[0] for b in blocks)
    V = np.zeros((k, k))
    i = 0
    for b in blocks:
        n = b.shape[0]
        V[i : i + n, i : i + n] = b
        i += n
    return V


def contrasts_from_effects(
    study: Sequence[str],
    t1: Sequence[str],
    t2: Sequence[str],
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    baseline_variance: Sequence[float | None] | None = None,
    treatments: Sequence[str] | None = None,
) -> NetworkContrasts:
    """Contrast-level data (t1 vs t2). A multi-arm study's rows must share ``t2`` and give the
    baseline arm's variance (``baseline_variance``), which is their covariance."""
    order = list(treatments) if treatments else sorted(set(t1) | set(t2))
    k = len(yi)
    V = np.diag(np.asarray(vi, dtype=float))
    rows_of: dict[str, list[int]] = {}
    for i, s in enumerate(study):
        rows_of.setdefault(s, []).append(i)
    for s, rows in rows_of.items():
        if len(rows) < 2:
            continue
        if len({t2[i] for i in rows}) != 1:
            raise ConfigError(f"study {s}: multi-arm contrasts must share one baseline", field="t2")
        cov = None if baseline_variance is None else baseline_variance[rows[0]]
        if cov is None:
            raise ConfigError(f"study {s}: multi-arm study needs the baseline arm's variance")
        for i in rows:
            for j in rows:
                if i != j:
                    V[i, j] = float(cov)
    del k
    return NetworkContrasts(
        "GEN",
        tuple(order),
        tuple(study),
        tuple(t1),
        tuple(t2),
        np.asarray(yi, dtype=float),
        V,
        dict.fromkeys(order, 0.0),
    )
