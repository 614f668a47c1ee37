"""Dual extraction: where two extractors disagree, and the consensus that settles it.

Comparison is field by field on the flattened answers (see :func:`~evidens.extraction.model.
flatten`), so a disagreement is reported against the exact field or arm statistic a reviewer
has to look up again. Numbers agree within a tolerance because extractors type rounded values;
text agrees when it differs only in case or spacing, which is never a disagreement about data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from evidens.errors import ValidationError
from evidens.extraction.forms import ARMS, OUTCOMES_SECTION, Form
from evidens.extraction.model import (
    Consensus,
    Decision,
    Derived,
    Extraction,
    Value,
    flatten,
    unflatten,
)
from evidens.extraction.validate import check_outcome, read_value

ABS_TOL = 0.005
"""Default absolute tolerance: numbers printed to two decimals agree within half a unit of
the second decimal."""


@dataclass(frozen=True)
class Discrepancy:
    """One field on which the extractors gave different answers (``None`` = left blank)."""

    key: str
    label: str
    values: tuple[tuple[str, Value | None], ...]


@dataclass(frozen=True)
class DiscrepancyReport:
    study: str
    extractors: tuple[str, ...]
    compared: int
    discrepancies: tuple[Discrepancy, ...]

    @property
    def agreed(self) -> int:
        return self.compared - len(self.discrepancies)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(d.key for d in self.discrepancies)


@dataclass(frozen=True)
class FieldResolution:
    """What the extractors settled on for one field: a value, or one extractor's answer
    (``take``); ``value=None`` with no ``take`` means the field is left empty."""

    key: str
    decided_by: str
    value: Value | None = None
    take: str | None = None
    note: str = ""


def same(
    x: Value | None, y: Value | None, *, abs_tol: float = ABS_TOL, rel_tol: float = 0.0
) -> bool:
    """Whether two answers agree: numbers within tolerance, text up to case and spacing."""
    if x is None or y is None:
        return x is None and y is None
    numeric = (int, float)
    if isinstance(x, numeric) and isinstance(y, numeric):
        return math.isclose(float(x), float(y), rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(x, tuple) and isinstance(y, tuple):
        return {_norm(v) for v in x} == {_norm(v) for v in y}
    if isinstance(x, dt.date) or isinstance(y, dt.date):
        return x == y
    return _norm(str(x)) == _norm(str(y))


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def discrepancies(
    first: Extraction,
    second: Extraction,
    form: Form | None = None,
    *,
    abs_tol: float = ABS_TOL,
    rel_tol: float = 0.0,
) -> DiscrepancyReport:
    """Every field and arm statistic on which two extractions of one study differ."""
    _same_study(first, second)
    a, b = flatten(first.values, first.arms), flatten(second.values, second.arms)
    keys = _ordered_keys(form, [*a, *b])
    found = tuple(
        Discrepancy(
            key,
            label_for(form, key),
            ((first.extractor, a.get(key)), (second.extractor, b.get(key))),
        )
        for key in keys
        if not same(a.get(key), b.get(key), abs_tol=abs_tol, rel_tol=rel_tol)
    )
    return DiscrepancyReport(first.study, (first.extractor, second.extractor), len(keys), found)


def build_consensus(
    first: Extraction,
    second: Extraction,
    resolutions: Sequence[FieldResolution],
    *,
    decided_by: str,
    form: Form | None = None,
    abs_tol: float = ABS_TOL,
    rel_tol: float = 0.0,
) -> Consensus:
    """The agreed record: agreed answers as they are, each disagreement as resolved.

    Refuses to build while any disagreement is unresolved, because only consensus values
    may flow on to the analyses; a resolution of an agreed field is allowed (both extractors
    can be wrong) and is recorded like any other decision.
    """
    report = discrepancies(first, second, form, abs_tol=abs_tol, rel_tol=rel_tol)
    by_key = {r.key: r for r in resolutions}
    missing = [key for key in report.keys if key not in by_key]
    if missing:
        raise ValidationError(
            f"{len(missing)} disagreement(s) of {first.study} not resolved: {', '.join(missing)}",
            field=missing[0],
            hint="add a resolution for each field (value = ... or take = extractor)",
        )
    a, b = flatten(first.values, first.arms), flatten(second.values, second.arms)
    proposals = {first.extractor: a, second.extractor: b}
    agreed: dict[str, Value] = {
        k: v for k, v in a.items() if same(v, b.get(k), abs_tol=abs_tol, rel_tol=rel_tol)
    }
    decisions = []
    for resolution in resolutions:
        value = _resolved_value(resolution, proposals, form)
        decisions.append(
            Decision(
                key=resolution.key,
                value=value,
                decided_by=resolution.decided_by,
                note=resolution.note,
                proposals=tuple(
                    (name, flat.get(resolution.key)) for name, flat in proposals.items()
                ),
            )
        )
        agreed.pop(resolution.key, None)
        if value is not None:
            agreed[resolution.key] = value
    ordered = {k: agreed[k] for k in _ordered_keys(form, list(agreed))}
    values, arms = unflatten(ordered)
    for data in arms:
        check_outcome(data, where=f"consensus of {first.study}")
    return Consensus(
        study=first.study,
        extractors=(first.extractor, second.extractor),
        values=values,
        arms=arms,
        decisions=tuple(decisions),
        derived=_kept_derivations((first, second), ordered),
        decided_by=decided_by,
    )


def _resolved_value(
    resolution: FieldResolution, proposals: dict[str, dict[str, Value]], form: Form | None
) -> Value | None:
    _check_key(resolution.key, proposals, form)
    if resolution.take is not None:
        if resolution.take not in proposals:
            raise ValidationError(
                f"take = {resolution.take!r} names no extractor of this study",
                field=resolution.key,
                hint=f"use one of {', '.join(proposals)}",
            )
        return proposals[resolution.take].get(resolution.key)
    field = form.field(resolution.key) if form else None
    if field is not None:
        return read_value(field, resolution.value, where="consensus")
    return _outcome_value(resolution.key, resolution.value)


_COUNTS = ("events", "total", "n")
_MEASURES = ("mean", "sd")
_OUTCOME_TEXT = ("name", "timepoint", "unit")


def _check_key(key: str, proposals: dict[str, dict[str, Value]], form: Form | None) -> None:
    """A resolution must name something either extractor answered or the form asks for;
    a typo in consensus.toml must not add a new field to the agreed record."""
    if any(key in flat for flat in proposals.values()):
        return
    if form is not None and form.field(key) is not None:
        return
    parts = key.split(".")
    if _outcome_shape(parts) and _known_outcome(parts[1], proposals, form):
        return
    raise ValidationError(
        "the resolution names no field of this study or form",
        field=key,
        hint="copy the field key from the discrepancy report",
    )


def _outcome_shape(parts: list[str]) -> bool:
    if parts[0] != OUTCOMES_SECTION:
        return False
    if len(parts) == 4:
        return parts[2] in ARMS and parts[3] in _COUNTS + _MEASURES
    return len(parts) == 3 and parts[2] in (*_OUTCOME_TEXT, "kind")


def _known_outcome(
    outcome_id: str, proposals: dict[str, dict[str, Value]], form: Form | None
) -> bool:
    prefix = f"{OUTCOMES_SECTION}.{outcome_id}."
    answered = any(k.startswith(prefix) for flat in proposals.values() for k in flat)
    return answered or (form is not None and form.outcome(outcome_id) is not None)


def _outcome_value(key: str, value: Value | None) -> Value | None:
    stat = key.rsplit(".", maxsplit=1)[-1]
    if value is None or stat in _OUTCOME_TEXT:
        return value
    if stat == "kind":
        if value not in ("binary", "continuous"):
            raise ValidationError(f"kind {value!r} is not binary or continuous", field=key)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{value!r} is not a number", field=key, hint="give a number")
    if stat in _COUNTS and not float(value).is_integer():
        raise ValidationError(
            f"{value!r} is not a whole number", field=key, hint="counts are whole"
        )
    return value


def _kept_derivations(
    extractions: tuple[Extraction, ...], flat: dict[str, Value]
) -> tuple[Derived, ...]:
    """Derivation records whose result is the agreed value of their target, once each."""
    kept: dict[str, Derived] = {}
    for extraction in extractions:
        for derived in extraction.derived:
            target_value = flat.get(derived.target)
            if derived.target not in kept and same(target_value, derived.value):
                kept[derived.target] = derived
    return tuple(kept.values())


def label_for(form: Form | None, key: str) -> str:
    """A person's name for a key: the field label, or outcome · arm · statistic."""
    field = form.field(key) if form else None
    if field is not None:
        return field.label
    parts = key.split(".")
    if parts[0] == OUTCOMES_SECTION and len(parts) >= 3:
        table = form.outcome(parts[1]) if form else None
        name = table.name if table else parts[1]
        return " · ".join([name, *parts[2:]])
    return key


def _ordered_keys(form: Form | None, keys: list[str]) -> list[str]:
    """Keys in form order (fields, then outcomes as declared), others in first-seen order."""
    unique = list(dict.fromkeys(keys))
    order: dict[str, int] = {}
    if form is not None:
        order.update({field.key: i for i, field in enumerate(form.fields)})
        for table in form.outcomes:
            order[f"{OUTCOMES_SECTION}.{table.id}"] = len(order)
    for key in unique:
        order.setdefault(_base(key), len(order))

    def rank(key: str) -> tuple[int, int]:
        return order[_base(key)], _stat_rank(key.split("."))

    return sorted(unique, key=rank)


def _base(key: str) -> str:
    """The key an item sorts under: the field itself, or its outcome for arm statistics."""
    parts = key.split(".")
    return ".".join(parts[:2]) if parts[0] == OUTCOMES_SECTION else key


_STAT_ORDER = ["name", "kind", "timepoint", "unit"] + [
    f"{arm}.{stat}" for arm in ARMS for stat in ("events", "total", "mean", "sd", "n")
]


def _stat_rank(parts: list[str]) -> int:
    tail = ".".join(parts[2:])
    return _STAT_ORDER.index(tail) if tail in _STAT_ORDER else len(_STAT_ORDER)


def _same_study(first: Extraction, second: Extraction) -> None:
    if _norm(first.study) != _norm(second.study):
        raise ValidationError(
            f"extractions are of different studies: {first.study!r} and {second.study!r}",
            field="study",
            hint="compare two extractions of the same study",
        )
    if first.extractor == second.extractor:
        raise ValidationError(
            f"both extractions are by {first.extractor!r}",
            field="extractor",
            hint="dual extraction compares two different extractors",
        )
