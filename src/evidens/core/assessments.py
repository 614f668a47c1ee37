"""Judgment scales shared by risk of bias, GRADE and the report."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class RobJudgment(StrEnum):
    """RoB 2 judgment for a domain or overall (ROBINS-I uses its own wider scale)."""

    LOW = "low"
    SOME_CONCERNS = "some_concerns"
    HIGH = "high"


class Certainty(IntEnum):
    """GRADE certainty of evidence; the integer is the number of filled circles."""

    VERY_LOW = 1
    LOW = 2
    MODERATE = 3
    HIGH = 4

    @property
    def symbol(self) -> str:
        return "⊕" * self.value + "◯" * (4 - self.value)

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()
