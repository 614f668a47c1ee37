"""Compare the engine with a golden file of metafor results and count passes per analysis.

Why our own comparison: ``evidens validate metafor FILE.json`` must run without the harness
beside it. The rule is the one the golden set documents: a value agrees when
``|got − ref| ≤ atol + rtol·|ref|`` (rtol 1e-6, atol 1e-9; p-values rtol 1e-5; I² atol 1e-6;
Q-profile bounds atol 1e-9; likelihood statistics rtol 1e-7); keys absent from our answer are
not compared, metafor's refusals pass only when the engine refuses too.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evidens.errors import EvidensError, ValidationError
from evidens.meta.golden import run_case

IGNORED = frozenset(
    {
        "warnings",
        "notes",
        "metafor_default_control",
        "input_yi",
        "input_vi",
        "fit_control_note",
        "r_call",
        "coef_names",
        "tau2_ci_ub_note",
        "newmods",
    }
)
_P_KEYS = ("pval", "QEp", "QMp", "Qp", "COp", "MHp", "BDp", "TAp", "p_k0", "Q_between_p")
_FIT_KEYS = ("logLik", "deviance", "AIC", "BIC", "AICc")
TOLERANCES: dict[str, tuple[float, float]] = (
    dict.fromkeys(_P_KEYS, (1e-05, 1e-12))
    | dict.fromkeys(("I2", "I2_ci_lb", "I2_ci_ub", "I2_Q"), (1e-06, 1e-06))
    | {"H2": (1e-6, 1e-8)}
    | dict.fromkeys(_FIT_KEYS, (1e-07, 1e-08))
)
DEFAULT_TOLERANCE = (1e-6, 1e-9)
_MV_COMPONENTS = ("sigma2", "tau2", "gamma2", "rho", "phi", "G", "sigma", "tau", "gamma")
_MV_PROFILE = tuple(
    f"{c}_ci_{s}" for c in ("sigma2", "tau2", "rho", "gamma2") for s in ["lb", "ub"]
)
MV_TOLERANCES: dict[str, tuple[float, float]] = (
    TOLERANCES
    | dict.fromkeys((*_MV_COMPONENTS, "I2_total", "I2_levels", "I2_vt"), (1e-05, 1e-08))
    | dict.fromkeys((*_FIT_KEYS, "lrt_sigma2_zero"), (1e-07, 1e-07))
    | dict.fromkeys(("lrt_sigma2_zero_pval", "contrast_pval"), (1e-05, 1e-12))
    | dict.fromkeys(("pscore", "pscore_matrix"), (0.0, 1e-06))
    | dict.fromkeys(_MV_PROFILE, (1e-04, 1e-07))
)
"""rma.mv golden set (README "Convergence and tolerances"): variance components rtol 1e-5;
likelihood statistics rtol and atol 1e-7; P-scores atol 1e-6; profile-CI bounds rtol 1e-4."""


DOCUMENTED_DIFFERENCES: dict[str, tuple[tuple[str, ...], str]] = {}
"""Golden values that are artefacts of metafor's search rather than of the model: case id ->
(keys that may differ, why). Empty: the two profile-CI artefacts of the public file are read
from the reference's own ``profile_ci_note`` instead (:func:`_search_limits`)."""

_NOTE = re.compile(
    r"^(\w+)(?:\[(\d+)\])?: (bound\(s\) at the search-interval end|confint\(\) failed)"
)


def _beyond(mine: Any, theirs: Any, sign: float) -> bool:
    """``mine`` lies past ``theirs`` (lower bound: below it; upper: above it), not at it."""
    if _missing(mine) or _missing(theirs):
        return False
    gap = sign * (float(mine) - float(theirs))
    return gap < -1e-7 * max(1.0, abs(float(theirs)))


def _search_limits(ref: Mapping[str, Any], got: dict[str, Any]) -> list[str]:
    """Read the reference's profile-CI notes (README: ``profile_ci_note``) and compare as they
    say. A bound at metafor's search-interval end is where its search stopped, so the true bound
    lies at or beyond it: the engine's lower bound must not exceed it, nor its upper bound fall
    short (then it counts as agreeing). Where ``confint()`` failed the reference has no bound
    (``null``) and there is nothing to compare the engine's with. Returns what was read so."""
    read: list[str] = []
    for note in ref.get("profile_ci_note") or ():
        m = _NOTE.match(str(note))
        if m is None:
            continue
        name, index, kind = m.group(1), m.group(2), m.group(3)
        for side, sign in (("lb", 1.0), ("ub", -1.0)):
            key = f"{name}_ci_{side}"
            mine, theirs = got.get(key), ref.get(key)
            if not isinstance(mine, list) or not isinstance(theirs, list):
                continue
            rows = [int(index) - 1] if index else range(len(theirs))
            for i in rows:
                if i >= len(mine) or i >= len(theirs):
                    continue
                if kind.startswith("confint") and _missing(theirs[i]):
                    mine[i] = None
                    read.append(f"{key}[{i}] not compared (metafor's confint() failed)")
                elif _beyond(mine[i], theirs[i], sign):
                    mine[i] = theirs[i]
                    read.append(f"{key}[{i}] beyond metafor's search end {theirs[i]:.4g}")
    return read


@dataclass(frozen=True)
class CaseOutcome:
    """One compared case: ``status`` is ``pass``, ``refused_ok``, ``documented`` or ``fail``."""

    case_id: str
    analysis: str
    status: str
    compared: int
    detail: str = ""


@dataclass(frozen=True)
class ValidationReport:
    """All outcomes, with counts per analysis."""

    outcomes: tuple[CaseOutcome, ...]
    metafor_version: str = ""
    per_analysis: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(o.status in ("pass", "refused_ok") for o in self.outcomes)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.passed - self.documented

    @property
    def documented(self) -> int:
        """Cases whose only differences are the documented metafor artefacts below."""
        return sum(o.status == "documented" for o in self.outcomes)


def _num(v: Any) -> Any:
    if v == "Inf":
        return math.inf
    if v == "-Inf":
        return -math.inf
    return v


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _compare(
    path: str, key: str, ref: Any, got: Any, bad: list[str], tol: Mapping[str, Any] = TOLERANCES
) -> int:
    """Compare ``got`` with ``ref`` recursively; append disagreements; return values compared."""
    if key in IGNORED:
        return 0
    if isinstance(ref, dict):
        if not isinstance(got, dict):
            bad.append(f"{path}: expected an object")
            return 0
        return sum(
            _compare(f"{path}.{k}".lstrip("."), k, ref[k], v, bad, tol)
            for k, v in got.items()
            if k in ref
        )
    if isinstance(ref, list):
        items = got if isinstance(got, list | tuple) else [got]
        if len(items) != len(ref):
            bad.append(f"{path}: {len(items)} values, expected {len(ref)}")
            return 0
        return sum(
            _compare(f"{path}[{i}]", key, r, g, bad, tol)
            for i, (r, g) in enumerate(zip(ref, items, strict=True))
        )
    return _compare_scalar(path, key, _num(ref), _num(got), bad, tol)


def _compare_scalar(
    path: str, key: str, ref: Any, got: Any, bad: list[str], tol: Mapping[str, Any]
) -> int:
    if _missing(ref) or _missing(got):
        if _missing(ref) != _missing(got):
            bad.append(f"{path}: ref={ref!r} got={got!r}")
        return 1
    if isinstance(ref, bool | str) or isinstance(got, bool | str):
        if ref != got:
            bad.append(f"{path}: ref={ref!r} got={got!r}")
        return 1
    r, g = float(ref), float(got)
    if math.isinf(r) or math.isinf(g):
        if r != g:
            bad.append(f"{path}: ref={r} got={g}")
        return 1
    rtol, atol = tol.get(key, DEFAULT_TOLERANCE)
    if abs(g - r) > atol + rtol * abs(r):
        bad.append(f"{path}: ref={r!r} got={g!r} (diff {abs(g - r):.3g})")
    return 1


def check_case(case: Mapping[str, Any], dataset: Mapping[str, Any]) -> CaseOutcome:
    """Run one golden case through the engine and compare."""
    ref = case["result"]
    analysis = case["spec"]["analysis"]
    try:
        got: Any = run_case(case, dataset)
    except NotImplementedError:
        return CaseOutcome(case["id"], analysis, "fail", 0, "analysis not implemented")
    except (EvidensError, ValueError, ArithmeticError, KeyError) as exc:
        got = {"error": str(exc)}
    if "error" in ref:
        ok = "error" in got
        return CaseOutcome(
            case["id"],
            analysis,
            "refused_ok" if ok else "fail",
            0,
            "" if ok else f"metafor refused ({ref['error']}); engine answered",
        )
    if "error" in got:
        return CaseOutcome(case["id"], analysis, "fail", 0, f"engine refused: {got['error']}")
    bad: list[str] = []
    tol = MV_TOLERANCES if analysis.startswith("rma.mv") else TOLERANCES
    read = _search_limits(ref, got) if isinstance(got, dict) else []
    n = _compare("", "", ref, got, bad, tol)
    status = "pass" if not bad and n > 0 else "fail"
    known = DOCUMENTED_DIFFERENCES.get(case["id"])
    if bad and known is not None and all(b.startswith(known[0]) for b in bad):
        return CaseOutcome(case["id"], analysis, "documented", n, f"{'; '.join(bad)} - {known[1]}")
    return CaseOutcome(case["id"], analysis, status, n, "; ".join([*bad[:5], *read]))


def validate_reference(reference: Mapping[str, Any]) -> ValidationReport:
    """Every case of a golden file (schema of ``metafor_reference.json``)."""
    try:
        cases, datasets = reference["cases"], reference["datasets"]
    except (KeyError, TypeError) as exc:
        raise ValidationError(
            "not a metafor golden file: needs 'cases' and 'datasets'",
            hint="use a file of the metafor_reference.json schema",
        ) from exc
    outcomes = tuple(check_case(c, datasets[c["dataset"]]) for c in cases)
    per: dict[str, Counter[str]] = {}
    for o in outcomes:
        per.setdefault(o.analysis, Counter())[o.status] += 1
    version = str(reference.get("meta", {}).get("metafor_version", ""))
    return ValidationReport(outcomes, version, per)
