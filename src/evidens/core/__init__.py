"""Domain core: immutable types shared by every domain package. Imports nothing of evidens
but :mod:`evidens.errors`, so any package may depend on it."""

from evidens.core.assessments import Certainty, RobJudgment
from evidens.core.records import RawField, Record, doi_key, normalize_doi
from evidens.core.review import (
    ImportBatch,
    OutcomeSpec,
    Pico,
    Protocol,
    Search,
    Source,
    SourceKind,
)
from evidens.core.screening import Decision, Resolution, ScreeningDecision, Stage
from evidens.core.studies import ArmData, Outcome, OutcomeKind, Report, Study

__all__ = [
    "ArmData",
    "Certainty",
    "Decision",
    "ImportBatch",
    "Outcome",
    "OutcomeKind",
    "OutcomeSpec",
    "Pico",
    "Protocol",
    "RawField",
    "Record",
    "Report",
    "Resolution",
    "RobJudgment",
    "ScreeningDecision",
    "Search",
    "Source",
    "SourceKind",
    "Stage",
    "Study",
    "doi_key",
    "normalize_doi",
]
