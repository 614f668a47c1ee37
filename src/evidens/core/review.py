"""The review's protocol and the provenance of its records (sources, searches, imports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class SourceKind(StrEnum):
    """PRISMA 2020 tells databases, registers and other methods apart in its first column."""

    DATABASE = "database"
    REGISTER = "register"
    OTHER = "other"


@dataclass(frozen=True)
class Source:
    """A place records come from: a bibliographic database, a trial register, or another
    method (citation searching, websites, organisations)."""

    name: str
    kind: SourceKind = SourceKind.DATABASE
    platform: str | None = None


@dataclass(frozen=True)
class Search:
    """One search as run (PRISMA-S): the strategy text, where, when, by whom, and the hits."""

    source: str
    strategy: str
    date_run: dt.date | None = None
    hits: int | None = None
    platform: str | None = None
    limits: str | None = None
    run_by: str | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportBatch:
    """One export file loaded into a review: what it was, and what came of it."""

    file_name: str
    sha256: str
    format: str
    source: str
    records_read: int
    search_date: dt.date | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pico:
    population: str = ""
    intervention: str = ""
    comparator: str = ""
    outcomes: str = ""


@dataclass(frozen=True)
class OutcomeSpec:
    """An outcome named in the protocol, with its role and GRADE importance."""

    name: str
    role: str = "secondary"  # primary | secondary
    importance: str = "critical"  # critical | important | not important


@dataclass(frozen=True)
class Protocol:
    title: str
    question: str = ""
    pico: Pico = field(default_factory=Pico)
    inclusion_criteria: tuple[str, ...] = ()
    exclusion_criteria: tuple[str, ...] = ()
    study_designs: tuple[str, ...] = ()
    outcomes: tuple[OutcomeSpec, ...] = ()
    registration: str | None = None
    languages: tuple[str, ...] = ()
