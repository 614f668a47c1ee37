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

from evidens.core import Protocol, Record, Search, SourceKind, Stage
from evidens.grade.sof import SofTable
from evidens.meta.results import Methods
from evidens.prisma.counts import PrismaCounts
from evidens.prisma.diagram import OtherMethods, PreviousReview, Template
from evidens.report.network_section import NetworkSummary
from evidens.rob.model import Result
from evidens.search.logged import LoggedTranslation


@dataclass(frozen=True)
class SearchLog:
    """One search as run (PRISMA-S items 1-3, 8, 13, 15): a row of Table 1."""

    search: Search
    kind: SourceKind = SourceKind.DATABASE
    imported: int | None = None
    """Records read from this search's export files (``None``: nothing was imported), shown
    beside the hits the log gives so that a short or partial export is seen."""
    translation: LoggedTranslation | None = None
    """What the strategy was translated from, with the translation's warnings (PRISMA-S
    item 8); shown in the report's appendix. ``None``: the strategy was written as run."""


@dataclass(frozen=True)
class ImportWarning:
    """One thing the importer noticed in an export file (``line`` None: the whole file)."""

    line: int | None
    message: str


@dataclass(frozen=True)
class ImportLog:
    """One export file as imported: its per-file import report (PRISMA-S item 15)."""

    file: str
    source: str
    format: str
    records: int
    warnings: tuple[ImportWarning, ...] = ()


@dataclass(frozen=True)
class ReportOutcome:
    """A report (record) that did not go on: not retrieved, or excluded at full text.

    ``reason`` is the recorded reason (empty: none was recorded); ``decided`` says how the
    final decision was reached ("agreed", "resolved by ...") for full-text exclusions."""

    record: Record
    reason: str
    decided: str = ""


@dataclass(frozen=True)
class AnalysisMethod:
    """One analysis as it was run: its settings as the meta-analysis applied them (not as
    typed), the outcome it pools and the studies that entered it (PRISMA items 13a-13d)."""

    name: str
    outcome: str
    methods: Methods
    studies: tuple[str, ...]
    """Every study with agreed data for the outcome, in the analysis's order."""
    k: int
    """Studies with an estimable effect, i.e. the ones the model actually used."""
    subgroups: tuple[str, ...] = ()
    """The subgroups the analysis was split into and compared (13e), if it was."""


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
    imports: tuple[ImportLog, ...] = ()
    not_retrieved: tuple[ReportOutcome, ...] | None = None
    """Reports sought but not retrieved; ``None``: retrieval was not recorded per report."""
    excluded: tuple[ReportOutcome, ...] | None = None
    """Full texts excluded with their reasons (PRISMA item 16b); ``None``: the full-text
    decisions were not recorded per report (e.g. the PRISMA counts were typed in)."""
    analyses: tuple[AnalysisMethod, ...] = ()
    networks: tuple[NetworkSummary, ...] = ()
    """Network meta-analyses as run, with the figures the analyses step wrote."""
