"""What extractors record: one frozen :class:`Extraction` per study and extractor, and the
:class:`Consensus` that alone flows on to analyses and the report.

Values are keyed by ``section.field``; outcome arm data by ``outcomes.<id>.<arm>.<stat>``.
The two extractors' answers are never merged in place: a consensus is a separate record that
says, for every disagreement, what was decided and by whom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from evidens.core import ArmData, Outcome, OutcomeKind
from evidens.extraction.forms import ARMS, OUTCOMES_SECTION

Value = str | int | float | dt.date | tuple[str, ...]
"""A typed answer: text, number, date, or the chosen options of a multi-choice field."""


@dataclass(frozen=True)
class OutcomeData:
    """One outcome's two arms as extracted; ``id`` ties it to the form's outcome table."""

    id: str
    outcome: Outcome
    experimental: ArmData
    comparator: ArmData
    unit: str | None = None

    def arm(self, name: str) -> ArmData:
        return self.experimental if name == ARMS[0] else self.comparator


@dataclass(frozen=True)
class Derived:
    """A number a reviewer computed rather than read off the paper, with how.

    ``target`` is the key the value fills (e.g. ``outcomes.pain.experimental.sd``), so a
    reader can see which numbers were derived and check the formula against its inputs.
    """

    quantity: str
    value: float
    method: str
    formula: str
    inputs: tuple[tuple[str, float], ...]
    reference: str = ""
    target: str = ""


@dataclass(frozen=True)
class Extraction:
    """One extractor's answers for one study, kept apart from every other extractor's."""

    study: str
    extractor: str
    values: tuple[tuple[str, Value], ...] = ()
    arms: tuple[OutcomeData, ...] = ()
    derived: tuple[Derived, ...] = ()

    def value(self, key: str) -> Value | None:
        for name, value in self.values:
            if name == key:
                return value
        return None


@dataclass(frozen=True)
class Decision:
    """How one disagreement was settled: the agreed value, who decided, and what each
    extractor had said (kept so the audit trail survives the consensus)."""

    key: str
    value: Value | None
    decided_by: str
    note: str = ""
    proposals: tuple[tuple[str, Value | None], ...] = ()


@dataclass(frozen=True)
class Consensus:
    """The agreed extraction of one study: the only values analyses and the report use."""

    study: str
    extractors: tuple[str, ...]
    values: tuple[tuple[str, Value], ...]
    arms: tuple[OutcomeData, ...]
    decisions: tuple[Decision, ...] = ()
    derived: tuple[Derived, ...] = ()
    decided_by: str = ""

    def value(self, key: str) -> Value | None:
        for name, value in self.values:
            if name == key:
                return value
        return None


def arm_key(outcome_id: str, arm: str, stat: str) -> str:
    return f"{OUTCOMES_SECTION}.{outcome_id}.{arm}.{stat}"


def flatten(
    values: tuple[tuple[str, Value], ...], arms: tuple[OutcomeData, ...]
) -> dict[str, Value]:
    """Every answer under one key, outcome metadata and arm statistics included, so that
    comparing two extractors is a comparison of two flat mappings."""
    flat: dict[str, Value] = dict(values)
    for data in arms:
        base = f"{OUTCOMES_SECTION}.{data.id}"
        flat[f"{base}.name"] = data.outcome.name
        flat[f"{base}.kind"] = data.outcome.kind.value
        if data.outcome.timepoint:
            flat[f"{base}.timepoint"] = data.outcome.timepoint
        if data.unit:
            flat[f"{base}.unit"] = data.unit
        for arm_name in ARMS:
            arm = data.arm(arm_name)
            for stat in ("events", "total", "mean", "sd", "n"):
                number = getattr(arm, stat)
                if number is not None:
                    flat[arm_key(data.id, arm_name, stat)] = number
    return flat


def unflatten(
    flat: Mapping[str, Value],
) -> tuple[tuple[tuple[str, Value], ...], tuple[OutcomeData, ...]]:
    """Inverse of :func:`flatten`: field values, and outcome data rebuilt from their keys."""
    values = tuple((k, v) for k, v in flat.items() if not k.startswith(f"{OUTCOMES_SECTION}."))
    outcome_ids: list[str] = []
    for key in flat:
        parts = key.split(".")
        if parts[0] == OUTCOMES_SECTION and len(parts) > 2 and parts[1] not in outcome_ids:
            outcome_ids.append(parts[1])
    return values, tuple(_outcome_from_flat(flat, oid) for oid in outcome_ids)


def _outcome_from_flat(flat: Mapping[str, Value], outcome_id: str) -> OutcomeData:
    base = f"{OUTCOMES_SECTION}.{outcome_id}"
    timepoint = flat.get(f"{base}.timepoint")
    unit = flat.get(f"{base}.unit")
    outcome = Outcome(
        name=str(flat.get(f"{base}.name", outcome_id)),
        kind=OutcomeKind(str(flat.get(f"{base}.kind", OutcomeKind.BINARY.value))),
        timepoint=None if timepoint is None else str(timepoint),
    )
    arms = [_arm_from_flat(flat, outcome_id, arm) for arm in ARMS]
    return OutcomeData(
        id=outcome_id,
        outcome=outcome,
        experimental=arms[0],
        comparator=arms[1],
        unit=None if unit is None else str(unit),
    )


def _arm_from_flat(flat: Mapping[str, Value], outcome_id: str, arm: str) -> ArmData:
    def number(stat: str) -> float | None:
        value = flat.get(arm_key(outcome_id, arm, stat))
        return float(value) if isinstance(value, int | float) else None

    def count(stat: str) -> int | None:
        value = number(stat)
        return None if value is None else round(value)

    return ArmData(
        arm=arm,
        events=count("events"),
        total=count("total"),
        mean=number("mean"),
        sd=number("sd"),
        n=count("n"),
    )
