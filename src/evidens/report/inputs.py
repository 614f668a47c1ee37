"""Everything the review report is built from, as plain frozen data.

The report never reads the store or files itself: the caller (``evidens run``, ``evidens
report``, tests) gathers each package's finished results into :class:`ReportInputs`, so one
document can be regenerated from any source of truth and tested without a database. Every
field but the title is optional; a missing part leaves its table out and its checklist items
"to be completed by the authors".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from evidens.core import Protocol, Search, SourceKind, Stage
from evidens.grade.sof import SofTable
from evidens.prisma.counts import PrismaCounts
from evidens.prisma.diagram import OtherMethods, PreviousReview, Template
from evidens.rob.model import Result


@dataclass(frozen=True)
class SearchLog:
    """One search as run (PRISMA-S items 1-3, 8, 13, 15): a row of Table 1."""

    search: Search
    kind: SourceKind = SourceKind.DATABASE


@dataclass(frozen=True)
class PrismaFigure:
    """Figure 1: the flow counts and the template options they are drawn with."""

    counts: PrismaCounts
    template: Template = Template.NEW
    previous: PreviousReview | None = None
    other: OtherMethods | None = None


@dataclass(frozen=True)
class MethodsFacts:
    """How the review was done, as far as evidens knows it (feeds the methods summary and
    the PRISMA checklist). Empty text and zero counts mean "not known"."""

    dedup_method: str = ""
    screening_reviewers: Mapping[Stage, int] = field(default_factory=dict)
    """Independent reviewers per record at each stage (from the screening settings)."""
    disagreements: str = ""
    """How disagreements were resolved, e.g. "by discussion" or "by a third reviewer"."""
    automation: str = ""
    """Automation tools used in screening (e.g. priority ranking), if any."""
    extraction_reviewers: int = 0
    rob_reviewers: int = 0
    synthesis: str = ""
    """The synthesis methods (model, heterogeneity, software) or why none was done."""
    reporting_bias: str = ""
    software: tuple[tuple[str, str], ...] = ()
    """(name, version) of every program used, evidens included."""


@dataclass(frozen=True)
class ReportInputs:
    """One review's finished results, ready to be laid out as the report."""

    title: str
    protocol: Protocol | None = None
    searches: tuple[SearchLog, ...] = ()
    prisma: PrismaFigure | None = None
    characteristics: tuple[Mapping[str, str], ...] = ()
    """Rows of Table 2 (``evidens.extraction.characteristics_rows``); column order is the
    first row's key order."""
    rob_results: tuple[Result, ...] = ()
    sof: SofTable | None = None
    forest_svgs: Mapping[str, bytes] = field(default_factory=dict)
    """Analysis name -> forest plot SVG (the HTML report embeds it as an image)."""
    forest_pngs: Mapping[str, bytes] = field(default_factory=dict)
    """Analysis name -> the same plot as PNG, for the DOCX report (Word cannot show SVG)."""
    methods: MethodsFacts = field(default_factory=MethodsFacts)
