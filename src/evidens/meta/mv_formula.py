# ruff: noqa: N806 - matrix names follow the literature (V, X)
"""The small subset of R model formulas the rma.mv golden cases use, turned into arrays.

Why a parser at all: ``evidens validate metafor`` reads specifications written as metafor
calls (``mods = ~ outcome + outcome:I(year - 1983) - 1``, ``random = ~ 1 | study/esid``); a user
of the library passes arrays and :mod:`evidens.meta.mv_structures` objects instead. Supported:
numeric and factor main effects (treatment coding, first level = reference, or full dummy
coding without intercept), ``factor:numeric`` interactions, ``I(x - c)``; random effects
``~ 1 | a/b/...`` and ``~ inner | outer``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from evidens.errors import ConfigError
from evidens.meta.mv_structures import GroupedEffects, NestedLevels, Structure

FloatArray = NDArray[np.float64]
Columns = Mapping[str, Sequence[Any]]
_I = re.compile(r"^I\(\s*(\w+)\s*-\s*([-\d.eE]+)\s*\)$")


def r_levels(values: Sequence[Any]) -> list[str]:
    """R's default factor levels: sorted numerically when every value is a number."""
    present = [v for v in values if v is not None]
    if all(isinstance(v, int | float) for v in present):
        return [_fmt(v) for v in sorted(set(present))]
    return sorted({str(v) for v in present})


def _fmt(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _numeric(cols: Columns, term: str) -> FloatArray:
    m = _I.match(term)
    if m:
        base = np.array([np.nan if v is None else v for v in cols[m.group(1)]], dtype=float)
        return base - float(m.group(2))
    if term not in cols:
        raise ConfigError(f"unknown moderator {term!r}", field="mods")
    return np.array([np.nan if v is None else v for v in cols[term]], dtype=float)


def _is_factor(cols: Columns, name: str, levels: Mapping[str, Sequence[str]]) -> bool:
    return name in levels or any(isinstance(v, str) for v in cols.get(name, ()))


def design_matrix(
    cols: Columns, formula: str | None, levels: Mapping[str, Sequence[str]] | None = None
) -> tuple[FloatArray, list[str], NDArray[np.bool_]]:
    """Model matrix, coefficient names (metafor's), and rows with a missing moderator."""
    levels = dict(levels or {})
    k = len(next(iter(cols.values())))
    for name in re.findall(r"factor\(\s*(\w+)\s*\)", formula or ""):
        levels.setdefault(name, r_levels(cols[name]))
    formula = re.sub(r"factor\(\s*(\w+)\s*\)", r"\1", formula) if formula else formula
    if formula is None:
        return np.ones((k, 1)), ["intrcpt"], np.zeros(k, dtype=bool)
    text = formula.replace("~", "").strip()
    intercept = not re.search(r"-\s*1\s*$", text)
    text = re.sub(r"-\s*1\s*$", "", text).strip()
    terms = [t.strip() for t in text.split("+") if t.strip()]
    columns: list[FloatArray] = [np.ones(k)] if intercept else []
    names: list[str] = ["intrcpt"] if intercept else []
    first_factor = True
    for term in terms:
        parts = [s.strip() for s in term.split(":")]
        if len(parts) == 2 and not any(_is_factor(cols, q, levels) for q in parts):
            columns.append(_numeric(cols, parts[0]) * _numeric(cols, parts[1]))
            names.append(term)
        elif len(parts) == 2:
            fac, num = parts if _is_factor(cols, parts[0], levels) else parts[::-1]
            x = _numeric(cols, num)
            for lev in _levels(cols, fac, levels):
                columns.append(_dummy(cols, fac, lev) * x)
                names.append(f"{fac}{lev}:{num}")
        elif _is_factor(cols, term, levels):
            levs = _levels(cols, term, levels)
            keep = levs if (not intercept and first_factor) else levs[1:]
            first_factor = False
            for lev in keep:
                columns.append(_dummy(cols, term, lev))
                names.append(f"{term}{lev}")
        else:
            columns.append(_numeric(cols, term))
            names.append(term)
    X = np.column_stack(columns)
    return X, names, np.asarray(~np.isfinite(X).all(axis=1), dtype=np.bool_)


def _levels(cols: Columns, name: str, levels: Mapping[str, Sequence[str]]) -> list[str]:
    return [str(v) for v in levels[name]] if name in levels else r_levels(cols[name])


def _dummy(cols: Columns, name: str, level: str) -> FloatArray:
    vals = cols[name]
    return np.array([np.nan if v is None else float(_fmt(v) == level) for v in vals])


def random_structures(
    cols: Columns,
    formula: str,
    struct: str | None,
    fixed: Mapping[str, Sequence[float | None]] | None,
    rows: NDArray[np.int64],
) -> list[Structure]:
    """``~ 1 | a/b`` → :class:`NestedLevels`; ``~ inner | outer`` → :class:`GroupedEffects`."""
    fixed = fixed or {}
    m = re.match(r"^~\s*(\S+)\s*\|\s*(\S+)\s*$", formula.strip())
    if not m:
        raise ConfigError(f"unsupported random formula {formula!r}", field="random")
    inner, outer = m.group(1), m.group(2)
    if inner == "1":
        names = outer.split("/")
        factors = tuple([cols[n][i] for i in rows] for n in names)
        return [NestedLevels(factors, tuple(names), tuple(fixed.get("sigma2", ())))]
    inner_vals = [_fmt(cols[inner][i]) for i in rows]
    return [
        GroupedEffects(
            inner_vals,
            [cols[outer][i] for i in rows],
            struct or "CS",
            inner_levels=tuple(r_levels([cols[inner][i] for i in rows])),
            fixed_tau2=tuple(fixed.get("tau2", ())),
            fixed_rho=tuple(fixed.get("rho", ())),
        )
    ]


def sampling_covariance(cols: Columns, spec: Mapping[str, Any]) -> FloatArray:
    """V from the case's rule: ``diag``, ``blocks`` (v1i, v2i by cluster) or ``const_corr``."""
    vi = np.array([np.nan if v is None else v for v in cols["vi"]], dtype=float)
    kind = spec.get("type", "diag")
    if kind == "diag":
        return vi
    k = len(vi)
    V = np.diag(vi)
    cluster = cols[spec["cluster"]]
    members: dict[Any, list[int]] = {}
    for i, c in enumerate(cluster):
        members.setdefault(c, []).append(i)
    for rows in members.values():
        for i in rows:
            for b, j in enumerate(rows):
                if i == j:
                    continue
                if kind == "blocks":
                    V[i, j] = float(cols[spec["cols"][b]][i])
                elif kind == "const_corr":
                    V[i, j] = float(spec["rho"]) * np.sqrt(vi[i] * vi[j])
                else:
                    raise ConfigError(f"unknown V rule {kind!r}", field="V")
    del k
    return V
