"""PRISMA 2020 flow counts: derived from what happened to each record, or reported.

The derivation is pure: services hand over one :class:`RecordFlow` per de-duplicated record
(what screening, retrieval and eligibility assessment decided) plus the identification
counts, and get every box of the diagram back. Stages done outside evidens are *reported*
instead; each box remembers its basis, so outputs can say which numbers were derived from
recorded decisions and which were typed from elsewhere. :func:`check` verifies that the
boxes add up and names the first box that does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from evidens.core import Decision, SourceKind
from evidens.errors import CountsDoNotAddUpError

Basis = Literal["derived", "reported"]

BOXES = (
    "records_identified",
    "duplicate_records_removed",
    "records_marked_ineligible_by_automation_tools",
    "records_removed_for_other_reasons",
    "records_screened",
    "records_excluded",
    "records_awaiting_screening",
    "reports_sought_for_retrieval",
    "reports_not_retrieved",
    "reports_assessed_for_eligibility",
    "reports_excluded",
    "reports_awaiting_assessment",
    "studies_included_in_review",
    "reports_of_included_studies",
)
"""The diagram's boxes, named after PRISMA 2020's wording, in reading order."""


@dataclass(frozen=True)
class SourceCount:
    """Records identified from one database, register or other method (``None`` = the
    count per source was not reported, only the total)."""

    name: str
    kind: SourceKind
    records: int | None


@dataclass(frozen=True)
class RecordFlow:
    """What happened to one de-duplicated record, stage by stage (``None`` = not decided)."""

    title_abstract: Decision | None
    retrieved: bool | None = None
    full_text: Decision | None = None
    exclusion_reason: str | None = None
    excluded_by_automation: bool = False


@dataclass(frozen=True)
class PrismaCounts:
    """Every box of the PRISMA 2020 diagram, with the basis (derived/reported) of each."""

    sources: tuple[SourceCount, ...]
    records_identified: int
    duplicate_records_removed: int
    records_marked_ineligible_by_automation_tools: int
    records_removed_for_other_reasons: int
    records_screened: int
    records_excluded: int
    records_awaiting_screening: int
    reports_sought_for_retrieval: int
    reports_not_retrieved: int
    reports_assessed_for_eligibility: int
    reports_excluded: tuple[tuple[str, int], ...]
    reports_awaiting_assessment: int
    studies_included_in_review: int
    reports_of_included_studies: int
    basis: Mapping[str, Basis] = field(default_factory=dict)
    records_excluded_by_automation: int = 0
    """Of ``records_excluded``, how many an accepted stopping rule excluded (PRISMA's **)."""

    @property
    def reports_excluded_total(self) -> int:
        return sum(n for _, n in self.reports_excluded)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: keys are the diagram's boxes, per-source counts included."""
        by_kind: dict[str, dict[str, int | None]] = {k.value: {} for k in SourceKind}
        for source in self.sources:
            by_kind[source.kind.value][source.name] = source.records
        data: dict[str, Any] = {
            "records_identified": {
                "total": self.records_identified,
                "databases": by_kind[SourceKind.DATABASE.value],
                "registers": by_kind[SourceKind.REGISTER.value],
                "other_methods": by_kind[SourceKind.OTHER.value],
            },
            "records_removed_before_screening": {
                "duplicate_records_removed": self.duplicate_records_removed,
                "records_marked_ineligible_by_automation_tools": (
                    self.records_marked_ineligible_by_automation_tools
                ),
                "records_removed_for_other_reasons": self.records_removed_for_other_reasons,
            },
        }
        for box in BOXES[4:]:
            value = getattr(self, box)
            if box == "reports_excluded":
                value = {"total": self.reports_excluded_total, "reasons": dict(value)}
            data[box] = value
        data["records_excluded_by_automation_tools"] = self.records_excluded_by_automation
        data["basis"] = {box: self.basis.get(box, "derived") for box in BOXES}
        data["checks"] = [c.to_dict() for c in check(self)]
        return data


@dataclass(frozen=True)
class Check:
    box: str
    equation: str
    expected: int
    actual: int

    @property
    def ok(self) -> bool:
        return self.expected == self.actual

    def to_dict(self) -> dict[str, Any]:
        return {
            "box": self.box,
            "equation": self.equation,
            "expected": self.expected,
            "actual": self.actual,
            "ok": self.ok,
        }


def derive(
    sources: Sequence[SourceCount],
    duplicates_removed: int,
    flows: Iterable[RecordFlow],
    *,
    studies_included: int | None = None,
    removed_by_automation: int = 0,
    removed_other: int = 0,
) -> PrismaCounts:
    """Counts for every box from per-record outcomes.

    A record counts as screened once its title/abstract decision is final; *include* and
    *maybe* both send it on to full-text retrieval (a maybe is never silently excluded).
    ``studies_included`` defaults to the number of included reports when studies have not
    been linked yet.
    """
    return derive_counted(
        sources,
        duplicates_removed,
        [(flow, 1) for flow in flows],
        studies_included=studies_included,
        removed_by_automation=removed_by_automation,
        removed_other=removed_other,
    )


def derive_counted(
    sources: Sequence[SourceCount],
    duplicates_removed: int,
    flows: Iterable[tuple[RecordFlow, int]],
    *,
    studies_included: int | None = None,
    removed_by_automation: int = 0,
    removed_other: int = 0,
) -> PrismaCounts:
    """:func:`derive` from each distinct flow and how many records took it: most records
    of a large review share one of a few flows (undecided, excluded at title/abstract),
    and a list of 50,000 of them was most of a dashboard's PRISMA time."""
    weighted = [(f, n) for f, n in flows if n]
    screened = [(f, n) for f, n in weighted if f.title_abstract is not None]
    sought = [(f, n) for f, n in screened if f.title_abstract is not Decision.EXCLUDE]
    not_retrieved = [(f, n) for f, n in sought if f.retrieved is False]
    assessed = [(f, n) for f, n in sought if f.retrieved is not False]
    decided = [(f, n) for f, n in assessed if f.full_text is not None]
    included = [(f, n) for f, n in decided if f.full_text is not Decision.EXCLUDE]
    reasons: Counter[str] = Counter()
    for f, n in decided:
        if f.full_text is Decision.EXCLUDE:
            reasons[f.exclusion_reason or "reason not recorded"] += n
    # PRISMA's main column counts databases and registers; other methods have their own
    identified = sum(s.records or 0 for s in sources if s.kind is not SourceKind.OTHER)
    return PrismaCounts(
        sources=tuple(sources),
        records_identified=identified,
        duplicate_records_removed=duplicates_removed,
        records_marked_ineligible_by_automation_tools=removed_by_automation,
        records_removed_for_other_reasons=removed_other,
        records_screened=_total(screened),
        records_excluded=_total(screened) - _total(sought),
        records_awaiting_screening=_total(weighted) - _total(screened),
        reports_sought_for_retrieval=_total(sought),
        reports_not_retrieved=_total(not_retrieved),
        reports_assessed_for_eligibility=_total(assessed),
        reports_excluded=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        reports_awaiting_assessment=_total(assessed) - _total(decided),
        studies_included_in_review=(
            _total(included) if studies_included is None else studies_included
        ),
        reports_of_included_studies=_total(included),
        basis=dict.fromkeys(BOXES, "derived"),
        records_excluded_by_automation=sum(
            n
            for f, n in screened
            if f.title_abstract is Decision.EXCLUDE and f.excluded_by_automation
        ),
    )


def _total(flows: list[tuple[RecordFlow, int]]) -> int:
    return sum(n for _, n in flows)


def with_reported(counts: PrismaCounts, reported: Mapping[str, Any]) -> PrismaCounts:
    """Replace boxes by counts reported for stages done outside evidens, marking them.

    ``reported`` uses the box names of :data:`BOXES`; ``reports_excluded`` takes a mapping
    of reason to count, and ``sources`` a mapping of source name to count.
    """
    unknown = set(reported) - set(BOXES) - {"sources"}
    if unknown:
        raise CountsDoNotAddUpError(
            f"unknown PRISMA box {sorted(unknown)[0]!r}",
            box=sorted(unknown)[0],
            hint=f"use one of: {', '.join(BOXES)}",
        )
    changes: dict[str, Any] = {}
    basis = dict(counts.basis)
    for box, value in reported.items():
        if box == "sources":
            basis["sources"] = "reported"
            changes["sources"] = tuple(
                replace(s, records=value.get(s.name, s.records)) for s in counts.sources
            )
            continue
        changes[box] = (
            tuple((str(k), int(v)) for k, v in dict(value).items())
            if box == "reports_excluded"
            else value
        )
        basis[box] = "reported"
    if "sources" in changes and "records_identified" not in reported:
        changes["records_identified"] = sum(
            s.records or 0 for s in changes["sources"] if s.kind is not SourceKind.OTHER
        )
    return replace(counts, basis=basis, **changes)


def check(counts: PrismaCounts) -> list[Check]:
    """Every equation the diagram implies, in reading order."""
    c = counts
    checks = []
    per_source = [s.records for s in c.sources if s.kind is not SourceKind.OTHER]
    same_basis = c.basis.get("records_identified") == c.basis.get("sources", "derived")
    if per_source and same_basis and all(n is not None for n in per_source):
        total = sum(n for n in per_source if n is not None)
        checks.append(
            Check("records_identified", "sum of per-source counts", total, c.records_identified)
        )
    removed = (
        c.duplicate_records_removed
        + c.records_marked_ineligible_by_automation_tools
        + c.records_removed_for_other_reasons
    )
    checks += [
        Check(
            "records_screened",
            "identified - removed before screening - awaiting screening",
            c.records_identified - removed - c.records_awaiting_screening,
            c.records_screened,
        ),
        Check(
            "reports_sought_for_retrieval",
            "screened - excluded",
            c.records_screened - c.records_excluded,
            c.reports_sought_for_retrieval,
        ),
        Check(
            "reports_assessed_for_eligibility",
            "sought - not retrieved",
            c.reports_sought_for_retrieval - c.reports_not_retrieved,
            c.reports_assessed_for_eligibility,
        ),
        Check(
            "reports_of_included_studies",
            "assessed - excluded (all reasons) - awaiting assessment",
            c.reports_assessed_for_eligibility
            - c.reports_excluded_total
            - c.reports_awaiting_assessment,
            c.reports_of_included_studies,
        ),
    ]
    if c.studies_included_in_review > c.reports_of_included_studies:
        checks.append(
            Check(
                "studies_included_in_review",
                "studies <= reports of included studies",
                c.reports_of_included_studies,
                c.studies_included_in_review,
            )
        )
    return checks


def assert_consistent(counts: PrismaCounts) -> None:
    """Raise naming the first box whose count does not follow from the boxes before it."""
    for item in check(counts):
        if not item.ok:
            raise CountsDoNotAddUpError(
                f"is {item.actual} but {item.equation} gives {item.expected}",
                box=item.box,
                hint="correct the reported count of this box or of the boxes it depends on",
            )
