"""The PRISMA 2020 flow diagram as a layout: boxes with their text, in rows and columns.

Rendering (SVG, PNG, PDF, HTML) only draws this layout, so every format shows exactly the
same boxes and wording. The four official templates are the combinations of two switches:
*updated review* (a column for studies included in the previous version and a total box)
and *other methods* (a right-hand column for websites, organisations, citation searching).
Counts that were reported rather than derived from recorded decisions carry a dagger (†).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from evidens.core import SourceKind
from evidens.prisma.counts import PrismaCounts

REPORTED_MARK = "†"
FOOTNOTES = (
    "*Report the number of records identified from each database or register searched.",
    (
        "**If automation tools were used, indicate how many records were excluded by a human "
        "and how many by automation tools."
    ),
)
REPORTED_NOTE = f"{REPORTED_MARK} Reported count (stage done outside evidens), not derived."


class Template(StrEnum):
    """The four PRISMA 2020 templates."""

    NEW = "new"  # new review, databases and registers only
    NEW_OTHER = "new-other"  # new review, databases, registers and other sources
    UPDATED = "updated"  # updated review, databases and registers only
    UPDATED_OTHER = "updated-other"  # updated review, with other sources

    @property
    def updated(self) -> bool:
        return self in (Template.UPDATED, Template.UPDATED_OTHER)

    @property
    def other_methods(self) -> bool:
        return self in (Template.NEW_OTHER, Template.UPDATED_OTHER)


@dataclass(frozen=True)
class Box:
    """One box: ``column`` is previous | main | side | other | other_side; ``row`` counts
    from the header row (0); ``box`` names the PRISMA box it shows (for links)."""

    box: str
    column: str
    row: int
    heading: str
    lines: tuple[str, ...] = ()
    kind: str = "count"  # count | header


@dataclass(frozen=True)
class Arrow:
    start: str
    end: str


@dataclass(frozen=True)
class Diagram:
    template: Template
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    phases: tuple[tuple[str, int, int], ...]  # (label, first row, last row)
    footnotes: tuple[str, ...]

    def box(self, name: str) -> Box:
        return next(b for b in self.boxes if b.box == name)

    def columns(self) -> list[str]:
        order = ["previous", "main", "side", "other", "other_side"]
        present = {b.column for b in self.boxes}
        return [c for c in order if c in present]


@dataclass(frozen=True)
class PreviousReview:
    """Counts of the review's previous version (updated-review templates)."""

    studies: int
    reports: int


@dataclass(frozen=True)
class OtherMethods:
    """The other-methods column: identification per method and the reports it led to."""

    sought: int = 0
    not_retrieved: int = 0
    assessed: int = 0
    excluded: tuple[tuple[str, int], ...] = ()


def _n(counts: PrismaCounts, box: str, value: int | None) -> str:
    mark = REPORTED_MARK if counts.basis.get(box) == "reported" else ""
    return f"(n = {'not reported' if value is None else value}){mark}"


def _identified(counts: PrismaCounts) -> tuple[str, ...]:
    lines = []
    for kind, label in ((SourceKind.DATABASE, "Databases"), (SourceKind.REGISTER, "Registers")):
        sources = [s for s in counts.sources if s.kind is kind]
        known = [s.records for s in sources if s.records is not None]
        total = sum(known) if len(known) == len(sources) else None  # none searched: 0
        if (
            kind is SourceKind.DATABASE
            and total is None
            and not any(s.kind is SourceKind.REGISTER for s in counts.sources)
        ):
            total = counts.records_identified
        lines.append(f"{label} {_n(counts, 'sources', total)}")
        lines += [f"  {s.name} {_n(counts, 'sources', s.records)}" for s in sources]
    if counts.basis.get("records_identified") == "reported":
        lines.append(f"Total {_n(counts, 'records_identified', counts.records_identified)}")
    return tuple(lines)


def _main_boxes(counts: PrismaCounts, new: str, included: str) -> list[Box]:
    c = counts
    # no exclusion at all still reads as a count, not as a box left blank
    reasons = tuple(f"  {reason} (n = {n})" for reason, n in c.reports_excluded) or ("(n = 0)",)
    excluded_mark = REPORTED_MARK if c.basis.get("reports_excluded") == "reported" else ""
    return [
        Box("records_identified", "main", 1, "Records identified from*:", _identified(c)),
        Box(
            "records_removed_before_screening",
            "side",
            1,
            "Records removed before screening:",
            (
                "  Duplicate records removed "
                + _n(c, "duplicate_records_removed", c.duplicate_records_removed),
                "  Records marked as ineligible by automation tools "
                + _n(
                    c,
                    "records_marked_ineligible_by_automation_tools",
                    c.records_marked_ineligible_by_automation_tools,
                ),
                "  Records removed for other reasons "
                + _n(c, "records_removed_for_other_reasons", c.records_removed_for_other_reasons),
            ),
        ),
        Box(
            "records_screened",
            "main",
            2,
            "Records screened",
            (
                _n(c, "records_screened", c.records_screened),
                *_awaiting(c, "records_awaiting_screening", "awaiting screening"),
            ),
        ),
        Box(
            "records_excluded",
            "side",
            2,
            "Records excluded**",
            (
                _n(c, "records_excluded", c.records_excluded),
                *_automation_split(c),
            ),
        ),
        Box(
            "reports_sought_for_retrieval",
            "main",
            3,
            "Reports sought for retrieval",
            (_n(c, "reports_sought_for_retrieval", c.reports_sought_for_retrieval),),
        ),
        Box(
            "reports_not_retrieved",
            "side",
            3,
            "Reports not retrieved",
            (_n(c, "reports_not_retrieved", c.reports_not_retrieved),),
        ),
        Box(
            "reports_assessed_for_eligibility",
            "main",
            4,
            "Reports assessed for eligibility",
            (
                _n(c, "reports_assessed_for_eligibility", c.reports_assessed_for_eligibility),
                *_awaiting(c, "reports_awaiting_assessment", "awaiting assessment"),
            ),
        ),
        Box("reports_excluded", "side", 4, f"Reports excluded:{excluded_mark}", reasons),
        Box(
            "studies_included_in_review",
            "main",
            5,
            included,
            (
                _n(c, "studies_included_in_review", c.studies_included_in_review),
                f"Reports of {new.lower()}included studies",
                _n(c, "reports_of_included_studies", c.reports_of_included_studies),
            ),
        ),
    ]


def _automation_split(counts: PrismaCounts) -> tuple[str, ...]:
    automated = counts.records_excluded_by_automation
    if not automated:
        return ()
    return (
        f"  by reviewers (n = {counts.records_excluded - automated})",
        f"  by automation tools (n = {automated})",
    )


def _awaiting(counts: PrismaCounts, box: str, label: str) -> tuple[str, ...]:
    value = getattr(counts, box)
    return (f"({value} {label})",) if value else ()


def _other_boxes(counts: PrismaCounts, other: OtherMethods) -> list[Box]:
    sources = [s for s in counts.sources if s.kind is SourceKind.OTHER]
    reasons = tuple(f"  {reason} (n = {n})" for reason, n in other.excluded)
    return [
        Box(
            "other_records_identified",
            "other",
            1,
            "Records identified from:",
            tuple(f"  {s.name} {_n(counts, 'sources', s.records)}" for s in sources)
            or ("  (none)",),
        ),
        Box(
            "other_reports_sought_for_retrieval",
            "other",
            3,
            "Reports sought for retrieval",
            (f"(n = {other.sought})",),
        ),
        Box(
            "other_reports_not_retrieved",
            "other_side",
            3,
            "Reports not retrieved",
            (f"(n = {other.not_retrieved})",),
        ),
        Box(
            "other_reports_assessed_for_eligibility",
            "other",
            4,
            "Reports assessed for eligibility",
            (f"(n = {other.assessed})",),
        ),
        Box("other_reports_excluded", "other_side", 4, "Reports excluded:", reasons),
    ]


_MAIN_ARROWS = (
    ("records_identified", "records_removed_before_screening"),
    ("records_identified", "records_screened"),
    ("records_screened", "records_excluded"),
    ("records_screened", "reports_sought_for_retrieval"),
    ("reports_sought_for_retrieval", "reports_not_retrieved"),
    ("reports_sought_for_retrieval", "reports_assessed_for_eligibility"),
    ("reports_assessed_for_eligibility", "reports_excluded"),
    ("reports_assessed_for_eligibility", "studies_included_in_review"),
)


def build_diagram(
    counts: PrismaCounts,
    template: Template = Template.NEW,
    *,
    previous: PreviousReview | None = None,
    other: OtherMethods | None = None,
) -> Diagram:
    """Lay out the diagram for ``template`` from the counts."""
    new = "New " if template.updated else ""
    included = "New studies included in review" if new else "Studies included in review"
    via = "new studies via" if template.updated else "studies via"
    boxes = [
        Box(
            "header_main",
            "main",
            0,
            f"Identification of {via} databases and registers",
            kind="header",
        )
    ]
    boxes += _main_boxes(counts, new, included)
    arrows = [Arrow(a, b) for a, b in _MAIN_ARROWS]
    last = 5
    if template.other_methods:
        boxes.append(
            Box(
                "header_other",
                "other",
                0,
                "Identification of studies via other methods",
                kind="header",
            )
        )
        boxes += _other_boxes(counts, other or OtherMethods())
        arrows += [
            Arrow("other_records_identified", "other_reports_sought_for_retrieval"),
            Arrow("other_reports_sought_for_retrieval", "other_reports_not_retrieved"),
            Arrow("other_reports_sought_for_retrieval", "other_reports_assessed_for_eligibility"),
            Arrow("other_reports_assessed_for_eligibility", "other_reports_excluded"),
            Arrow("other_reports_assessed_for_eligibility", "studies_included_in_review"),
        ]
    if template.updated:
        prev = previous or PreviousReview(0, 0)
        boxes += [
            Box("header_previous", "previous", 0, "Previous studies", kind="header"),
            Box(
                "previous_studies",
                "previous",
                1,
                "Studies included in previous version of review",
                (
                    f"(n = {prev.studies})",
                    "Reports of studies included in previous version of review",
                    f"(n = {prev.reports})",
                ),
            ),
            Box(
                "total_studies",
                "main",
                6,
                "Total studies included in review",
                (
                    f"(n = {prev.studies + counts.studies_included_in_review})",
                    "Reports of total included studies",
                    f"(n = {prev.reports + counts.reports_of_included_studies})",
                ),
            ),
        ]
        arrows += [
            Arrow("previous_studies", "total_studies"),
            Arrow("studies_included_in_review", "total_studies"),
        ]
        last = 6
    notes = FOOTNOTES + ((REPORTED_NOTE,) if "reported" in counts.basis.values() else ())
    return Diagram(
        template=template,
        boxes=tuple(boxes),
        arrows=tuple(arrows),
        phases=(("Identification", 1, 1), ("Screening", 2, 4), ("Included", 5, last)),
        footnotes=notes,
    )
