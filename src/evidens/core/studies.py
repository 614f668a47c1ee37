"""Studies, their reports, outcomes and the per-arm data analyses run on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Report:
    """A publication or registration of a study (PRISMA counts reports and studies apart)."""

    citation: str
    record_id: int | None = None
    doi: str | None = None
    registry_id: str | None = None


@dataclass(frozen=True)
class Study:
    """An included study: one trial, however many reports describe it."""

    label: str  # e.g. "Sharma 2021"
    reports: tuple[Report, ...] = ()
    design: str = "RCT"


class OutcomeKind(StrEnum):
    BINARY = "binary"
    CONTINUOUS = "continuous"
    TIME_TO_EVENT = "time_to_event"


@dataclass(frozen=True)
class Outcome:
    name: str
    kind: OutcomeKind = OutcomeKind.BINARY
    timepoint: str | None = None


@dataclass(frozen=True)
class ArmData:
    """One arm's summary data for one outcome: events/total for binary outcomes,
    mean/SD/n for continuous ones."""

    arm: str
    events: int | None = None
    total: int | None = None
    mean: float | None = None
    sd: float | None = None
    n: int | None = None
