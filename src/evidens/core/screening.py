"""Screening decisions: who said what about which record, at which stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    TITLE_ABSTRACT = "title_abstract"
    FULL_TEXT = "full_text"


class Decision(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"


@dataclass(frozen=True)
class ScreeningDecision:
    """One reviewer's independent decision on one record at one stage.

    ``record_id`` is the review's id of the (canonical) record. A resolution by a resolver is
    a :class:`Resolution`, never a third reviewer's decision, so agreement statistics are
    computed on independent decisions only.
    """

    record_id: int
    stage: Stage
    reviewer: str
    decision: Decision
    reason: str | None = None
    note: str | None = None
    decided_at: dt.datetime | None = None


@dataclass(frozen=True)
class Resolution:
    """The final decision on a record in conflict, with who made it."""

    record_id: int
    stage: Stage
    resolver: str
    decision: Decision
    reason: str | None = None
    note: str | None = None
    decided_at: dt.datetime | None = None
