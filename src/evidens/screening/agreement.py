"""Agreement between two screeners: Cohen's kappa, PABAK and Gwet's AC1, with CIs.

Formulas: docs/reference/methods.md ("Agreement"). Inclusion prevalence is low in screening, so
kappa is depressed even when the screeners almost always agree (the kappa paradox); that is why
PABAK and AC1 are reported next to it, with the 2×2 table and the prevalence and bias indices.

Confidence intervals use Gwet's (2014) large-sample variances for two raters (the ones the
irrCAC package implements) and a t interval with n − 1 degrees of freedom; PABAK is the
Brennan-Prediger coefficient for two raters, so it takes that coefficient's variance. The
simple kappa SE of §6 is reported as ``se_simple`` for readers who expect it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from evidens.core import Decision, ScreeningDecision, Stage
from evidens.errors import EstimationError
from evidens.screening.workflow import group_by_record, latest_per_reviewer

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Coefficient:
    """One agreement coefficient with its standard error and confidence interval."""

    name: str
    value: float
    se: float
    ci_low: float
    ci_high: float
    chance: float


@dataclass(frozen=True)
class Agreement:
    """Agreement of two reviewers on the records both screened at one stage.

    ``table[i][j]`` counts records reviewer A put in ``categories[i]`` and B in
    ``categories[j]``; for the binary table ``a, b, c, d`` of §6 are ``table[0][0]``,
    ``table[0][1]``, ``table[1][0]`` and ``table[1][1]`` with include first.
    """

    reviewer_a: str
    reviewer_b: str
    stage: Stage | None
    categories: tuple[str, ...]
    table: tuple[tuple[int, ...], ...]
    n: int
    observed: float
    kappa: Coefficient
    pabak: Coefficient
    ac1: Coefficient
    prevalence_index: float | None
    bias_index: float | None
    kappa_se_simple: float
    confidence: float


LANDIS_KOCH = ((0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"))


def landis_koch(value: float) -> str:
    """Landis & Koch's (1977) band - an arbitrary convention, labelled as such where shown."""
    if value < 0:
        return "poor"
    for upper, label in LANDIS_KOCH[1:]:
        if value <= upper:
            return label
    return "substantial" if value <= 0.80 else "almost perfect"


@functools.lru_cache(maxsize=4096)
def _t_quantile(share: float, df: int) -> float:
    """Student's t quantile, kept: scipy takes about a millisecond a call, and a dashboard
    with 20 reviewers asks for the same few hundred three times per pair."""
    return float(stats.t.ppf(share, df))


def _interval(value: float, se: float, n: int, confidence: float) -> tuple[float, float]:
    if n < 2 or not math.isfinite(se):
        return (-math.inf, math.inf)
    half = _t_quantile(0.5 + confidence / 2, n - 1) * se
    # the coefficients live in [-1, 1]; irrCAC caps the upper bound, and a lower bound
    # below -1 (small n) means nothing either
    return (max(-1.0, value - half), min(1.0, value + half))


def _check(counts: FloatArray) -> int:
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] < 2:
        raise EstimationError("the agreement table must be square with at least 2 categories")
    if (counts < 0).any():
        raise EstimationError("the agreement table has a negative count")
    n = int(counts.sum())
    if n == 0:
        raise EstimationError("no record was screened by both reviewers; agreement is undefined")
    return n


def _kappa(p: FloatArray, pa: float, n: int, conf: float) -> tuple[Coefficient, float]:
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    pe = float(rows @ cols)
    if math.isclose(pe, 1.0):
        raise EstimationError(
            "Cohen's kappa is undefined: both reviewers used a single category for every record",
            hint="report observed agreement, PABAK and AC1 instead",
        )
    kappa = (pa - pe) / (1 - pe)
    spread = (1 - kappa) * (cols[:, None] + rows[None, :])
    weights = np.eye(len(p))
    total = float((p * (weights - spread) ** 2).sum())
    var = (total - (pa - 2 * (1 - kappa) * pe) ** 2) / (n * (1 - pe) ** 2)
    se = math.sqrt(max(var, 0.0))
    se_simple = math.sqrt(pa * (1 - pa) / (n * (1 - pe) ** 2))
    low, high = _interval(kappa, se, n, conf)
    return Coefficient("Cohen's kappa", kappa, se, low, high, pe), se_simple


def _pabak(q: int, pa: float, n: int, conf: float) -> Coefficient:
    pe = 1 / q
    value = (pa - pe) / (1 - pe)
    se = math.sqrt(max(pa - pa**2, 0.0) / (n * (1 - pe) ** 2))
    low, high = _interval(value, se, n, conf)
    return Coefficient("PABAK", value, se, low, high, pe)


def _ac1(p: FloatArray, pa: float, n: int, conf: float) -> Coefficient:
    q = len(p)
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2
    pe = float((pi * (1 - pi)).sum()) / (q - 1)
    ac1 = (pa - pe) / (1 - pe)
    weights = np.eye(q)
    spread = 2 * (1 - ac1) * (1 - (pi[:, None] + pi[None, :]) / 2) / (q - 1)
    total = float((p * (weights - spread) ** 2).sum())
    var = (total - (pa - 2 * (1 - ac1) * pe) ** 2) / (n * (1 - pe) ** 2)
    se = math.sqrt(max(var, 0.0))
    low, high = _interval(ac1, se, n, conf)
    return Coefficient("Gwet's AC1", ac1, se, low, high, pe)


def agreement_from_table(
    table: Sequence[Sequence[int]],
    *,
    categories: Sequence[str] | None = None,
    reviewer_a: str = "A",
    reviewer_b: str = "B",
    stage: Stage | None = None,
    confidence: float = 0.95,
) -> Agreement:
    """All coefficients from a k×k table (rows: reviewer A, columns: reviewer B)."""
    counts = np.asarray(table, dtype=np.float64)
    n = _check(counts)
    p = counts / n
    pa = float(np.trace(p))
    q = len(p)
    kappa, se_simple = _kappa(p, pa, n, confidence)
    binary = q == 2
    names = tuple(categories) if categories else tuple(f"c{i}" for i in range(q))
    return Agreement(
        reviewer_a=reviewer_a,
        reviewer_b=reviewer_b,
        stage=stage,
        categories=names,
        table=tuple(tuple(int(v) for v in row) for row in counts),
        n=n,
        observed=pa,
        kappa=kappa,
        pabak=_pabak(q, pa, n, confidence),
        ac1=_ac1(p, pa, n, confidence),
        prevalence_index=float(p[0, 0] - p[1, 1]) if binary else None,
        bias_index=float(p[0, 1] - p[1, 0]) if binary else None,
        kappa_se_simple=se_simple,
        confidence=confidence,
    )


BINARY = (Decision.INCLUDE.value, Decision.EXCLUDE.value)
THREE_WAY = (Decision.INCLUDE.value, Decision.MAYBE.value, Decision.EXCLUDE.value)


def _category(decision: Decision, maybe_as_include: bool) -> str:
    if decision is Decision.MAYBE and maybe_as_include:
        return Decision.INCLUDE.value
    return decision.value


def pair_agreement(
    decisions: Iterable[ScreeningDecision],
    reviewer_a: str,
    reviewer_b: str,
    stage: Stage,
    *,
    maybe_as_include: bool = True,
    confidence: float = 0.95,
) -> Agreement:
    """Agreement of two reviewers on the records both decided at ``stage``.

    With ``maybe_as_include`` (the default) *maybe* counts as include, because a maybe goes
    forward to the next stage exactly like an include; otherwise a 3×3 table is used.
    Each reviewer's latest decision on a record counts.
    """
    names = BINARY if maybe_as_include else THREE_WAY
    index = {name: i for i, name in enumerate(names)}
    table = [[0] * len(names) for _ in names]
    for (_record, record_stage), group in group_by_record(decisions).items():
        if record_stage is not stage:
            continue
        latest = latest_per_reviewer(group)
        if reviewer_a in latest and reviewer_b in latest:
            row = index[_category(latest[reviewer_a].decision, maybe_as_include)]
            col = index[_category(latest[reviewer_b].decision, maybe_as_include)]
            table[row][col] += 1
    return agreement_from_table(
        table,
        categories=names,
        reviewer_a=reviewer_a,
        reviewer_b=reviewer_b,
        stage=stage,
        confidence=confidence,
    )


PairCount = tuple[Stage, str, str, Decision, Decision, int]
"""(stage, reviewer a, reviewer b, a's decision, b's decision, how many records)."""


def all_pairs(
    decisions: Sequence[ScreeningDecision],
    *,
    maybe_as_include: bool = True,
    confidence: float = 0.95,
) -> tuple[Agreement, ...]:
    """Agreement for every reviewer pair and stage that share at least one record.

    One pass over the records fills every pair's table (the same tables
    :func:`pair_agreement` builds one pair at a time): with 20 reviewers, 190 passes over
    every decision of a large review made the dashboard take seconds."""
    counts: dict[tuple[Stage, str, str, Decision, Decision], int] = {}
    for (_record, stage), group in group_by_record(decisions).items():
        latest = sorted(latest_per_reviewer(group).items())
        for i, (first, a) in enumerate(latest):
            for second, b in latest[i + 1 :]:
                key = (stage, first, second, a.decision, b.decision)
                counts[key] = counts.get(key, 0) + 1
    return pairs_from_counts(
        [(*key, n) for key, n in counts.items()],
        maybe_as_include=maybe_as_include,
        confidence=confidence,
    )


def _oriented(count: PairCount) -> PairCount:
    stage, first, second, a, b, n = count
    return (stage, second, first, b, a, n) if second < first else count


def pairs_from_counts(
    counts: Iterable[PairCount],
    *,
    maybe_as_include: bool = True,
    confidence: float = 0.95,
) -> tuple[Agreement, ...]:
    """:func:`all_pairs` from how often each pair of reviewers gave each pair of decisions
    (a database can count those itself, without reading every decision). Each pair is
    oriented by name, the first reviewer's decisions in the table's rows; a pair given in
    the other order is turned round."""
    names = BINARY if maybe_as_include else THREE_WAY
    index = {name: i for i, name in enumerate(names)}
    tables: dict[tuple[Stage, str, str], list[list[int]]] = {}
    for count in counts:
        stage, first, second, a, b, n = _oriented(count)
        table = tables.setdefault((stage, first, second), [[0] * len(names) for _ in names])
        table[index[_category(a, maybe_as_include)]][index[_category(b, maybe_as_include)]] += n
    results: list[Agreement] = []
    order = {stage: i for i, stage in enumerate(Stage)}
    for stage, first, second in sorted(tables, key=lambda k: (order[k[0]], k[1], k[2])):
        frozen = tuple(tuple(row) for row in tables[(stage, first, second)])
        found = _pair(frozen, names, first, second, stage, confidence)
        if found is not None:
            results.append(found)
    return tuple(results)


@functools.lru_cache(maxsize=4096)
def _pair(
    table: tuple[tuple[int, ...], ...],
    names: tuple[str, ...],
    first: str,
    second: str,
    stage: Stage,
    confidence: float,
) -> Agreement | None:
    """One pair's coefficients, kept by table: a dashboard shows every pair of a large
    team, and between two loads a decision changes one pair's table, not the others."""
    try:
        return agreement_from_table(
            table,
            categories=names,
            reviewer_a=first,
            reviewer_b=second,
            stage=stage,
            confidence=confidence,
        )
    except EstimationError:
        return None


def pilot_sample(record_ids: Sequence[int], size: int, seed: int) -> tuple[int, ...]:
    """A reproducible random sample of records for a pilot round, sorted by id.

    The same ids and seed always give the same sample (independent of input order), so the
    sample can be stated in the protocol and re-drawn by anyone.
    """
    unique = sorted(set(record_ids))
    if size < 1:
        raise EstimationError(f"a pilot sample needs at least 1 record, got {size}")
    if size >= len(unique):
        return tuple(unique)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(unique), size=size, replace=False)
    return tuple(sorted(unique[int(i)] for i in chosen))


def read_decisions_csv(text: str, path: str = "<csv>") -> tuple[ScreeningDecision, ...]:
    """Decisions from a CSV with columns record_id, reviewer, decision [, stage].

    ``decision`` is include/exclude/maybe (also 1/0 for include/exclude); ``stage`` defaults to
    title_abstract. Errors name the file, line and field.
    """
    import csv
    import io

    from evidens.errors import FormatError

    reader = csv.DictReader(io.StringIO(text))
    missing = [
        c for c in ("record_id", "reviewer", "decision") if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise FormatError(
            f"missing column(s) {', '.join(missing)}",
            path=path,
            line=1,
            hint="the header must name record_id, reviewer and decision (stage optional)",
        )
    aliases = {"1": Decision.INCLUDE, "0": Decision.EXCLUDE}
    decisions: list[ScreeningDecision] = []
    for line, row in enumerate(reader, start=2):
        raw = (row.get("decision") or "").strip().lower()
        record = (row.get("record_id") or "").strip()
        stage_text = (row.get("stage") or Stage.TITLE_ABSTRACT.value).strip().lower()
        try:
            decision = aliases.get(raw) or Decision(raw)
        except ValueError:
            raise FormatError(
                f"decision {raw!r}", path=path, line=line, field="decision",
                hint="use include, exclude or maybe",
            ) from None  # fmt: skip
        if not record.isdigit():
            raise FormatError(
                f"record_id {record!r} is not a whole number", path=path, line=line,
                field="record_id",
            )  # fmt: skip
        try:
            stage = Stage(stage_text)
        except ValueError:
            raise FormatError(
                f"stage {stage_text!r}", path=path, line=line, field="stage",
                hint="use title_abstract or full_text",
            ) from None  # fmt: skip
        reviewer = (row.get("reviewer") or "").strip()
        if not reviewer:
            raise FormatError("reviewer is empty", path=path, line=line, field="reviewer")
        decisions.append(ScreeningDecision(int(record), stage, reviewer, decision))
    return tuple(decisions)
