# ruff: noqa: N806 - H, X follow the literature
"""How much each direct comparison contributes to each network estimate, and the risk of
bias of the evidence behind an estimate (CINeMA's within-study bias domain).

Why a flow decomposition (Papakonstantinou et al. 2018, "shortest path first"): the network
estimate of i − j is a linear combination of the contrasts, ``L (X'WX)⁻¹ X'W y``. Summing
those hat-matrix entries per direct comparison gives a flow of one unit from j to i through
the evidence graph (it satisfies Kirchhoff's law because ``(X'WX)⁻¹X'WX = I``). The flow is
split into streams along paths, shortest first; a stream's flow is shared equally by its
edges, and an edge's contribution is the sum over the streams that use it. Multi-arm trials
enter through their contrasts against the study's baseline arm.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evidens.errors import ConfigError
from evidens.meta.nma import NetworkResult

FloatArray = NDArray[np.float64]
ROB_LEVELS = ("low", "some concerns", "high")


@dataclass(frozen=True)
class ContributionMatrix:
    """Rows: network estimates (``second`` vs ``first``); columns: direct comparisons."""

    estimates: tuple[tuple[str, str], ...]
    comparisons: tuple[tuple[str, str], ...]
    share: FloatArray  # rows sum to 1
    row_shares: tuple[FloatArray, ...]  # per estimate: share carried by each contrast row


def _row_weights(res: NetworkResult, i: str, j: str) -> FloatArray:
    """Hat-matrix row of the estimate i − j: its weight on every contrast row."""
    fit = res.fit
    W = np.linalg.inv(fit.marginal())
    L = res._vector(i, j)
    return np.asarray(L @ fit.vb @ fit.X.T @ W, dtype=np.float64)


def _streams(
    flows: dict[tuple[str, str], float], source: str, sink: str
) -> list[tuple[list[tuple[str, str]], float]]:
    """Shortest-path-first decomposition of a unit flow source → sink."""
    flows = {e: f for e, f in flows.items() if f > 1e-12}
    out: list[tuple[list[tuple[str, str]], float]] = []
    for _ in range(10_000):
        path = _shortest(flows, source, sink)
        if path is None:
            break
        phi = min(flows[e] for e in path)
        out.append((path, phi))
        for e in path:
            flows[e] -= phi
            if flows[e] <= 1e-12:
                del flows[e]
    return out


def _shortest(
    flows: Mapping[tuple[str, str], float], source: str, sink: str
) -> list[tuple[str, str]] | None:
    nxt: dict[str, list[str]] = {}
    for a, b in flows:
        nxt.setdefault(a, []).append(b)
    prev: dict[str, str] = {source: source}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if node == sink:
            break
        for m in nxt.get(node, []):
            if m not in prev:
                prev[m] = node
                queue.append(m)
    if sink not in prev:
        return None
    path = []
    node = sink
    while node != source:
        path.append((prev[node], node))
        node = prev[node]
    return path[::-1]


def contribution_matrix(res: NetworkResult) -> ContributionMatrix:
    """Contribution (proportion) of every direct comparison to every network estimate."""
    con = res.contrasts
    comps = tuple(dict.fromkeys(zip(con.t2, con.t1, strict=True)))  # (baseline, other)
    ts = con.treatments
    estimates = tuple((ts[a], ts[b]) for a in range(len(ts)) for b in range(a + 1, len(ts)))
    share = np.zeros((len(estimates), len(comps)))
    row_shares = []
    index = {c: n for n, c in enumerate(comps)}
    for r, (first, second) in enumerate(estimates):
        h = _row_weights(res, second, first)
        per_comp: dict[tuple[str, str], float] = {}
        for w, b, a in zip(h, con.t2, con.t1, strict=True):
            per_comp[(b, a)] = per_comp.get((b, a), 0.0) + float(w)
        flows: dict[tuple[str, str], float] = {}
        for (b, a), f in per_comp.items():
            flows[(b, a) if f > 0 else (a, b)] = abs(f)
        edge_share: dict[tuple[str, str], float] = {}
        for path, phi in _streams(flows, first, second):
            for e in path:
                key = e if e in index else (e[1], e[0])
                edge_share[key] = edge_share.get(key, 0.0) + phi / len(path)
        total = sum(edge_share.values()) or 1.0
        for key, v in edge_share.items():
            share[r, index[key]] = v / total
        rs = np.zeros(len(con.yi))
        for n, (b, a) in enumerate(zip(con.t2, con.t1, strict=True)):
            s = per_comp[(b, a)]
            if s != 0:
                rs[n] = share[r, index[(b, a)]] * h[n] / s
        row_shares.append(rs)
    return ContributionMatrix(estimates, comps, share, tuple(row_shares))


@dataclass(frozen=True)
class BiasProfile:
    """Share of the evidence behind one network estimate at each RoB level, and the
    judgement CINeMA's 'majority' rule gives (the level with the largest share)."""

    first: str
    second: str
    low: float
    some_concerns: float
    high: float

    @property
    def judgement(self) -> str:
        shares = {"low": self.low, "some concerns": self.some_concerns, "high": self.high}
        return max(shares, key=lambda k: (shares[k], ROB_LEVELS.index(k)))


def within_study_bias(
    res: NetworkResult, rob: Mapping[str, str], matrix: ContributionMatrix | None = None
) -> list[BiasProfile]:
    """RoB-weighted contributions per network estimate. ``rob``: study → low / some concerns
    / high (overall RoB 2 judgement). Each contrast row carries its study's level."""
    cm = matrix or contribution_matrix(res)
    study = res.contrasts.study
    missing = sorted({s for s in study if s not in rob})
    if missing:
        raise ConfigError(f"no risk-of-bias judgement for study {missing[0]!r}", field="rob")
    levels = [_level(rob[s]) for s in study]
    out = []
    for (first, second), rs in zip(cm.estimates, cm.row_shares, strict=True):
        by = np.zeros(3)
        for lev, v in zip(levels, rs, strict=True):
            by[lev] += max(v, 0.0)
        total = by.sum() or 1.0
        by = by / total
        out.append(BiasProfile(first, second, float(by[0]), float(by[1]), float(by[2])))
    return out


def _level(value: str) -> int:
    v = value.strip().lower().replace("_", " ")
    aliases = {"low": 0, "some concerns": 1, "some": 1, "moderate": 1, "unclear": 1, "high": 2}
    if v not in aliases:
        raise ConfigError(f"unknown risk-of-bias level {value!r}", hint="low, some concerns, high")
    return aliases[v]


def studies_per_comparison(res: NetworkResult) -> dict[tuple[str, str], int]:
    """Number of studies that compare each pair directly (multi-arm: every pair of its arms)."""
    con = res.contrasts
    rank = {t: i for i, t in enumerate(con.treatments)}
    arms: dict[str, set[str]] = {}
    for s, a, b in zip(con.study, con.t1, con.t2, strict=True):
        arms.setdefault(s, set()).update((a, b))
    out: dict[tuple[str, str], int] = {}
    for ts in arms.values():
        ordered: Sequence[str] = sorted(ts, key=rank.__getitem__)
        for i, x in enumerate(ordered):
            for y in ordered[i + 1 :]:
                out[(x, y)] = out.get((x, y), 0) + 1
    return out
