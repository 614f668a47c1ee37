"""Per-study effect sizes (metafor's ``escalc``) with its zero-cell rules.

Why a container: every model in this package takes one :class:`EffectSizes` so that the arm data
that produced ``yi``/``vi`` (and the corrections applied to them) travel with the numbers into
Mantel–Haenszel, Peto, the forest plot's event columns and the JSON of an analysis.
Ratio measures (RR, OR, PETO) are on the natural-log scale, as in metafor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln

from evidens.errors import ValidationError

FloatArray = NDArray[np.float64]
BINARY_MEASURES = ("RR", "OR", "RD", "PETO")
CONTINUOUS_MEASURES = ("MD", "SMD")
RATIO_MEASURES = ("RR", "OR", "PETO")
ZeroRule = Literal["only0", "if0all", "all", "none"]


@dataclass(frozen=True, eq=False)
class BinaryArms:
    """Events and non-events per arm: ``ai``/``bi`` treatment, ``ci``/``di`` control (raw)."""

    ai: FloatArray
    bi: FloatArray
    ci: FloatArray
    di: FloatArray

    @property
    def n1i(self) -> FloatArray:
        return self.ai + self.bi

    @property
    def n2i(self) -> FloatArray:
        return self.ci + self.di

    def subset(self, keep: NDArray[np.bool_]) -> BinaryArms:
        return BinaryArms(self.ai[keep], self.bi[keep], self.ci[keep], self.di[keep])


@dataclass(frozen=True, eq=False)
class ContinuousArms:
    """Mean, SD and size of each arm (1 = treatment, 2 = control)."""

    m1i: FloatArray
    sd1i: FloatArray
    n1i: FloatArray
    m2i: FloatArray
    sd2i: FloatArray
    n2i: FloatArray

    def subset(self, keep: NDArray[np.bool_]) -> ContinuousArms:
        return ContinuousArms(*(getattr(self, f)[keep] for f in _CONT_FIELDS))


_CONT_FIELDS = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")


@dataclass(frozen=True, eq=False)
class EffectSizes:
    """Effect sizes of k studies; ``yi``/``vi`` are NaN where a study is not estimable.

    ``corrected`` marks studies whose cells got the continuity correction; ``notes`` say, in
    words a reader understands, what was done to which study and why.
    """

    measure: str
    yi: FloatArray
    vi: FloatArray
    labels: tuple[str, ...]
    arms: BinaryArms | ContinuousArms | None = None
    corrected: tuple[bool, ...] = ()
    notes: tuple[str, ...] = ()
    add: float = 0.5
    to: str = "only0"
    drop00: bool = False
    groups: tuple[str, ...] | None = None
    extra: dict[str, FloatArray] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.yi)

    @property
    def estimable(self) -> NDArray[np.bool_]:
        return np.isfinite(self.yi) & np.isfinite(self.vi)

    def subset(self, keep: Sequence[bool] | NDArray[np.bool_]) -> EffectSizes:
        """The studies where ``keep`` is true (used by subgroups and leave-one-out)."""
        mask = np.asarray(keep, dtype=bool)
        idx = np.flatnonzero(mask)
        return replace(
            self,
            yi=self.yi[mask],
            vi=self.vi[mask],
            labels=tuple(self.labels[i] for i in idx),
            arms=None if self.arms is None else self.arms.subset(mask),
            corrected=tuple(self.corrected[i] for i in idx) if self.corrected else (),
            groups=None if self.groups is None else tuple(self.groups[i] for i in idx),
            extra={key: val[mask] for key, val in self.extra.items()},
        )


def _arr(values: Sequence[float] | FloatArray, name: str) -> FloatArray:
    out = np.asarray(values, dtype=float)
    if out.ndim != 1:
        raise ValidationError(f"{name} must be a flat list of numbers", field=name)
    return out


def _labels(labels: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(f"Study {i + 1}" for i in range(k))
    if len(labels) != k:
        raise ValidationError(f"{len(labels)} study labels for {k} studies", field="study")
    return tuple(str(s) for s in labels)


def _check_counts(ai: FloatArray, bi: FloatArray, ci: FloatArray, di: FloatArray) -> None:
    for name, arr in (("ai", ai), ("bi", bi), ("ci", ci), ("di", di)):
        bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
        if bad.size:
            raise ValidationError(
                f"study {bad[0] + 1}: count {name} = {arr[bad[0]]} is missing or negative",
                field=name,
                hint="events and non-events must be whole numbers >= 0 (events <= total)",
            )


def binary_effects(
    measure: str,
    *,
    ai: Sequence[float] | FloatArray,
    ci: Sequence[float] | FloatArray,
    bi: Sequence[float] | FloatArray | None = None,
    di: Sequence[float] | FloatArray | None = None,
    n1i: Sequence[float] | FloatArray | None = None,
    n2i: Sequence[float] | FloatArray | None = None,
    labels: Sequence[str] | None = None,
    add: float = 0.5,
    to: ZeroRule = "only0",
    drop00: bool = False,
) -> EffectSizes:
    """RR, OR, RD or Peto log odds ratio from 2×2 tables (give ``bi``/``di`` or totals).

    Zero cells follow metafor's ``escalc``: ``to="only0"`` adds ``add`` to the four cells of a
    table with a zero, ``"if0all"`` to every table when any has one, ``"all"`` always,
    ``"none"`` never; ``drop00`` makes studies without events (or non-events) in both arms
    not estimable.
    """
    measure = measure.upper()
    if measure not in BINARY_MEASURES:
        raise ValidationError(
            f"unknown binary measure {measure!r}",
            field="measure",
            hint=f"use one of {', '.join(BINARY_MEASURES)}",
        )
    a = _arr(ai, "ai")
    c = _arr(ci, "ci")
    b = _arr(bi, "bi") if bi is not None else _arr(n1i if n1i is not None else [], "n1i") - a
    d = _arr(di, "di") if di is not None else _arr(n2i if n2i is not None else [], "n2i") - c
    if not (len(a) == len(b) == len(c) == len(d)):
        raise ValidationError("ai, bi, ci and di (or totals) must have one value per study")
    _check_counts(a, b, c, d)
    arms = BinaryArms(a, b, c, d)
    yi, vi, corrected, notes = _binary_yi_vi(
        measure, arms, add, to, drop00, _labels(labels, len(a))
    )
    return EffectSizes(
        measure, yi, vi, _labels(labels, len(a)), arms, corrected, notes, add, to, drop00
    )


def _binary_yi_vi(
    measure: str, arms: BinaryArms, add: float, to: str, drop00: bool, labels: tuple[str, ...]
) -> tuple[FloatArray, FloatArray, tuple[bool, ...], tuple[str, ...]]:
    a, b, c, d = arms.ai.copy(), arms.bi.copy(), arms.ci.copy(), arms.di.copy()
    dz = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    dropped = dz if drop00 else np.zeros(len(a), dtype=bool)
    zero = ((a == 0) | (b == 0) | (c == 0) | (d == 0)) & ~dropped
    if to == "all":
        fix = ~dropped
    elif to == "if0all":
        fix = ~dropped if zero.any() else zero
    elif to == "only0":
        fix = zero
    else:
        fix = np.zeros(len(a), dtype=bool)
    for arr in (a, b, c, d):
        arr[fix] += add
    yi, vi = _binary_formula(measure, a, b, c, d)
    yi[dropped] = np.nan
    vi[dropped] = np.nan
    bad = ~np.isfinite(yi) | ~np.isfinite(vi)
    yi[bad] = np.nan
    vi[bad] = np.nan
    notes = [
        f"{labels[i]}: no events (or no non-events) in either arm, so the {measure} is "
        "not estimable; the study is excluded from this measure"
        for i in np.flatnonzero(dz & bad)
    ]
    if add > 0:
        notes += [
            _zero_note(labels[i], measure, add, arms, int(i)) for i in np.flatnonzero(fix & zero)
        ]
    return yi, vi, tuple(bool(x) for x in fix), tuple(notes)


def _zero_note(label: str, measure: str, add: float, arms: BinaryArms, i: int) -> str:
    """Say which cell was zero and why the correction was needed."""
    what = {
        "ai": "0 events in the treatment arm",
        "ci": "0 events in the control arm",
        "bi": "all participants had the event in the treatment arm",
        "di": "all participants had the event in the control arm",
    }
    cells = [txt for key, txt in what.items() if getattr(arms, key)[i] == 0]
    if measure == "RD":  # finite without it: metafor's escalc adds it to every measure
        return (
            f"{label}: {' and '.join(cells)}; {add:g} added to each cell as metafor's escalc "
            "does for every measure (the risk difference is finite without it: "
            "Mantel-Haenszel pooling uses the uncorrected counts)"
        )
    return (
        f"{label}: {' and '.join(cells)}; {add:g} added to each cell so that the "
        f"{measure} and its variance are finite (the Peto odds ratio and the risk "
        "difference need no correction)"
    )


def _binary_formula(
    measure: str, a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray
) -> tuple[FloatArray, FloatArray]:
    n1, n2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "RR":
            return np.log(a / n1) - np.log(c / n2), 1 / a - 1 / n1 + 1 / c - 1 / n2
        if measure == "OR":
            return np.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d
        if measure == "RD":
            p1, p2 = a / n1, c / n2
            return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        xt, yt, n = a + c, b + d, n1 + n2
        ei = xt * n1 / n
        var = xt * yt * (n1 / n) * (n2 / n) / (n - 1)
        return (a - ei) / var, 1 / var


def continuous_effects(
    measure: str,
    *,
    m1i: Sequence[float] | FloatArray,
    sd1i: Sequence[float] | FloatArray,
    n1i: Sequence[float] | FloatArray,
    m2i: Sequence[float] | FloatArray,
    sd2i: Sequence[float] | FloatArray,
    n2i: Sequence[float] | FloatArray,
    labels: Sequence[str] | None = None,
    vtype: Literal["LS", "UB"] = "LS",
) -> EffectSizes:
    """Mean difference or Hedges' g (bias-corrected SMD; large-sample or unbiased variance)."""
    measure = measure.upper()
    if measure not in CONTINUOUS_MEASURES:
        raise ValidationError(
            f"unknown continuous measure {measure!r}", field="measure", hint="use MD or SMD"
        )
    cols = [_arr(v, n) for v, n in zip((m1i, sd1i, n1i, m2i, sd2i, n2i), _CONT_FIELDS, strict=True)]
    arms = ContinuousArms(*cols)
    for name in ("sd1i", "sd2i", "n1i", "n2i"):
        arr = getattr(arms, name)
        bad = np.flatnonzero(~(arr > 0))
        if bad.size:
            raise ValidationError(
                f"study {bad[0] + 1}: {name} = {arr[bad[0]]} must be > 0",
                field=name,
                hint="SDs and group sizes must be positive",
            )
    if measure == "MD":
        yi = arms.m1i - arms.m2i
        vi = arms.sd1i**2 / arms.n1i + arms.sd2i**2 / arms.n2i
    else:
        yi, vi = _hedges_g(arms, vtype)
    return EffectSizes(measure, yi, vi, _labels(labels, len(yi)), arms)


def _hedges_g(arms: ContinuousArms, vtype: str) -> tuple[FloatArray, FloatArray]:
    n1, n2 = arms.n1i, arms.n2i
    mi = n1 + n2 - 2
    cmi = np.exp(gammaln(mi / 2) - np.log(np.sqrt(mi / 2)) - gammaln((mi - 1) / 2))
    sdp = np.sqrt(((n1 - 1) * arms.sd1i**2 + (n2 - 1) * arms.sd2i**2) / mi)
    yi = cmi * (arms.m1i - arms.m2i) / sdp
    if vtype == "UB":
        vi = 1 / n1 + 1 / n2 + (1 - (mi - 2) / (mi * cmi**2)) * yi**2
    else:
        vi = 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))
    return yi, vi


def generic_effects(
    yi: Sequence[float] | FloatArray,
    vi: Sequence[float] | FloatArray,
    *,
    labels: Sequence[str] | None = None,
    measure: str = "GEN",
) -> EffectSizes:
    """Effect sizes already computed elsewhere (generic inverse variance)."""
    y, v = _arr(yi, "yi"), _arr(vi, "vi")
    if len(y) != len(v):
        raise ValidationError("yi and vi must have one value per study", field="vi")
    bad = np.flatnonzero(v < 0)
    if bad.size:
        raise ValidationError(
            f"study {bad[0] + 1}: variance vi = {v[bad[0]]} is negative",
            field="vi",
            hint="vi is a variance (SE squared), never negative",
        )
    return EffectSizes(measure.upper(), y, v, _labels(labels, len(y)))
