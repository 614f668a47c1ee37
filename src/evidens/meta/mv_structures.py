# ruff: noqa: N802, N806 - matrix names follow the literature (V, X, G)
"""Random-effects structures of a multilevel / multivariate model (metafor's ``rma.mv``).

Why a structure is a set of 0/1 "basis" matrices with coefficients: the marginal covariance is
``M(θ) = V + Σ_t c_t(θ) B_t``, linear in the coefficients ``c``. The log-likelihood gradient
then needs only ``tr(P B_t)`` and ``r'W B_t W r`` for each basis, and the chain rule through
``∂c/∂θ``. Two kinds cover the metafor formulas we support:

* :class:`NestedLevels` — ``random = ~ 1 | a/b/...``: one variance σ²_l per level; rows share a
  level-l effect when they agree on factors ``a`` … up to level l.
* :class:`GroupedEffects` — ``random = ~ inner | outer`` with ``struct`` CS, HCS, UN or DIAG:
  rows of the same ``outer`` group covary by ``G[inner_i, inner_j]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from evidens.errors import ConfigError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
STRUCTS = ("CS", "HCS", "UN", "DIAG", "ID")


def codes(values: Sequence[object] | NDArray[Any]) -> tuple[IntArray, list[str]]:
    """Integer codes for a factor, levels in order of first appearance."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf" and values.ndim == 1:
        uniq, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(first), dtype=np.int64)
        rank[order] = np.arange(len(first))
        return np.asarray(rank[inverse.ravel()], dtype=np.int64), [str(v) for v in uniq[order]]
    index: dict[object, int] = {}
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        out[i] = index.setdefault(v, len(index))
    return out, [str(v) for v in index]


def _combine(outer: IntArray, inner: IntArray) -> IntArray:
    """Codes of (outer, inner) pairs, vectorised (order of first appearance)."""
    key = outer * (int(inner.max()) + 1) + inner
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return np.asarray(rank[inverse.ravel()], dtype=np.int64)


@dataclass(frozen=True)
class Basis:
    """One 0/1 pattern over pairs of rows: ``same`` group and (optionally) inner levels."""

    group: IntArray
    inner: IntArray | None = None
    pair: tuple[int, int] | None = None  # inner levels (l, m); None = any
    same_inner: bool | None = None  # CS: True = same inner level, False = different

    def block(self, rows: IntArray) -> FloatArray:
        """The pattern restricted to ``rows`` (n_blocks × s), as n_blocks × s × s."""
        g = self.group[rows]
        out = g[:, :, None] == g[:, None, :]
        if self.inner is not None:
            h = self.inner[rows]
            hi, hj = h[:, :, None], h[:, None, :]
            if self.pair is not None:
                a, b = self.pair
                out &= ((hi == a) & (hj == b)) | ((hi == b) & (hj == a))
            elif self.same_inner is not None:
                out &= (hi == hj) if self.same_inner else (hi != hj)
        return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class Parameter:
    """One variance or correlation component; ``fixed`` holds it at a value."""

    name: str
    kind: str  # "var" or "cor"
    fixed: float | None = None


class Structure(Protocol):
    """Interface: parameters, bases, coefficients of the bases and their Jacobian."""

    @property
    def parameters(self) -> tuple[Parameter, ...]: ...

    @property
    def bases(self) -> tuple[Basis, ...]: ...

    @property
    def groupings(self) -> tuple[IntArray, ...]: ...

    def coefficients(self, phi: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Basis coefficients c and ∂c/∂φ at φ (standard deviations for variances, ρ as is)."""
        ...


@dataclass(frozen=True, eq=False)
class NestedLevels:
    """``~ 1 | a/b/...``: factors outermost first; ``fixed[l]`` holds σ²_l (None = estimate)."""

    factors: tuple[Sequence[object] | NDArray[Any], ...]
    names: tuple[str, ...]
    fixed: tuple[float | None, ...] = ()
    levels: tuple[IntArray, ...] = field(init=False)
    n_levels: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        if not self.factors:
            raise ConfigError("a nested random effect needs at least one factor", field="random")
        combos: list[IntArray] = []
        counts: list[int] = []
        current: IntArray | None = None
        for factor in self.factors:
            c = codes(factor)[0]
            current = c if current is None else _combine(current, c)
            combos.append(current)
            counts.append(int(current.max()) + 1 if len(current) else 0)
        object.__setattr__(self, "levels", tuple(combos))
        object.__setattr__(self, "n_levels", tuple(counts))
        fixed = self.fixed or (None,) * len(self.factors)
        object.__setattr__(self, "fixed", tuple(fixed))

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        return tuple(Parameter(f"sigma2[{i + 1}]", "var", f) for i, f in enumerate(self.fixed))

    @property
    def bases(self) -> tuple[Basis, ...]:
        return tuple(Basis(g) for g in self.levels)

    @property
    def groupings(self) -> tuple[IntArray, ...]:
        return (self.levels[0],)

    def coefficients(self, phi: FloatArray) -> tuple[FloatArray, FloatArray]:
        return phi**2, np.diag(2 * phi)


@dataclass(frozen=True, eq=False)
class GroupedEffects:
    """``~ inner | outer`` with ``struct``; ``inner_levels`` fixes the order of G's rows.

    Parameters in metafor's order: τ² (one for CS, one per inner level otherwise), then ρ
    (one for CS/HCS, one per pair l < m for UN, none for DIAG). ``fixed_tau2`` and
    ``fixed_rho`` hold components (None = estimate)."""

    inner: Sequence[object] | NDArray[Any]
    outer: Sequence[object] | NDArray[Any]
    struct: str = "CS"
    inner_levels: tuple[str, ...] = ()
    fixed_tau2: tuple[float | None, ...] = ()
    fixed_rho: tuple[float | None, ...] = ()
    label: str = "tau2"
    rho_label: str = "rho"
    inner_codes: IntArray = field(init=False)
    outer_codes: IntArray = field(init=False)

    def __post_init__(self) -> None:
        struct = self.struct.upper()
        if struct not in STRUCTS:
            raise ConfigError(
                f"unknown random-effects structure {self.struct!r}",
                field="struct",
                hint="use CS, HCS, UN or DIAG",
            )
        object.__setattr__(self, "struct", struct)
        names = [str(v) for v in self.inner]
        levels = self.inner_levels or tuple(sorted(set(names)))
        lookup = {lev: i for i, lev in enumerate(levels)}
        missing = sorted(set(names) - set(lookup))
        if missing:
            raise ConfigError(f"inner level {missing[0]!r} not in the level list", field="random")
        object.__setattr__(self, "inner_levels", tuple(levels))
        object.__setattr__(self, "inner_codes", np.array([lookup[n] for n in names]))
        object.__setattr__(self, "outer_codes", codes(list(self.outer))[0])
        nt, nr = self._counts()
        object.__setattr__(self, "fixed_tau2", tuple(self.fixed_tau2) or (None,) * nt)
        default_rho: tuple[float | None, ...] = (0.0,) if struct in ("DIAG", "ID") else (None,)
        object.__setattr__(self, "fixed_rho", tuple(self.fixed_rho) or default_rho * nr)
        self._fix_unidentified_rho()

    def _fix_unidentified_rho(self) -> None:
        """A correlation with a variance held at 0 is not identified: hold it at 0 (metafor)."""
        if self.struct != "UN":
            return
        zero = {i for i, f in enumerate(self.fixed_tau2) if f == 0}
        rho = list(self.fixed_rho)
        m = self.m
        for i in range(m):
            for j in range(i + 1, m):
                r = self._rho_index(i, j)
                if (i in zero or j in zero) and rho[r] is None:
                    rho[r] = 0.0
        object.__setattr__(self, "fixed_rho", tuple(rho))

    @property
    def m(self) -> int:
        return len(self.inner_levels)

    def _counts(self) -> tuple[int, int]:
        m = len(self.inner_levels)
        if self.struct in ("CS", "ID"):
            return 1, 1
        if self.struct == "HCS":
            return m, 1
        if self.struct == "DIAG":
            return m, 1
        return m, m * (m - 1) // 2

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        tau = [Parameter(f"{self.label}[{i + 1}]", "var", f) for i, f in enumerate(self.fixed_tau2)]
        rho = [
            Parameter(f"{self.rho_label}[{i + 1}]", "cor", f) for i, f in enumerate(self.fixed_rho)
        ]
        return (*tau, *rho)

    @property
    def bases(self) -> tuple[Basis, ...]:
        g, h = self.outer_codes, self.inner_codes
        if self.struct in ("CS", "ID"):
            return (Basis(g, h, same_inner=True), Basis(g, h, same_inner=False))
        return tuple(Basis(g, h, pair=pr) for pr in self.pairs())

    @property
    def groupings(self) -> tuple[IntArray, ...]:
        return (self.outer_codes,)

    def pairs(self) -> list[tuple[int, int]]:
        """Inner-level pairs (l ≤ m): diagonal first, then (1,2), (1,3), …, (2,3), …"""
        m = self.m
        return [(i, i) for i in range(m)] + [(i, j) for i in range(m) for j in range(i + 1, m)]

    def G(self, theta: FloatArray) -> FloatArray:
        """Implied covariance matrix of the true effects over ``inner_levels``."""
        m = self.m
        nt, _ = self._counts()
        tau2, rho = theta[:nt], theta[nt:]
        if self.struct in ("CS", "ID"):
            cs = np.full((m, m), tau2[0] * rho[0]) + np.eye(m) * tau2[0] * (1 - rho[0])
            return np.asarray(cs, dtype=np.float64)
        sd = np.sqrt(tau2)
        if self.struct in ("HCS", "DIAG"):
            G = np.outer(sd, sd) * rho[0]
            np.fill_diagonal(G, tau2)
            return np.asarray(G, dtype=np.float64)
        G = np.diag(tau2.astype(float))
        for (i, j), r in zip(self.pairs()[m:], rho, strict=True):
            G[i, j] = G[j, i] = r * sd[i] * sd[j]
        return G

    def coefficients(self, phi: FloatArray) -> tuple[FloatArray, FloatArray]:
        nt, _ = self._counts()
        q = len(phi)
        if self.struct in ("CS", "ID"):
            t, r = phi[0], phi[1]
            c = np.array([t * t, r * t * t])
            J = np.array([[2 * t, 0.0], [2 * r * t, t * t]])
            return c, J
        pairs = self.pairs()
        c = np.empty(len(pairs))
        J = np.zeros((len(pairs), q))
        sd = phi[:nt]
        for n, (i, j) in enumerate(pairs):
            if i == j:
                c[n] = sd[i] ** 2
                J[n, i] = 2 * sd[i]
                continue
            r_idx = nt if self.struct in ("HCS", "DIAG") else nt + self._rho_index(i, j)
            r = phi[r_idx]
            c[n] = r * sd[i] * sd[j]
            J[n, r_idx] = sd[i] * sd[j]
            J[n, i] += r * sd[j]
            J[n, j] += r * sd[i]
        return c, J

    def _rho_index(self, i: int, j: int) -> int:
        m = self.m
        return sum(m - 1 - a for a in range(i)) + (j - i - 1)
