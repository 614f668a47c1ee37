"""Fixtures of the report tests: the RISS example's ReportInputs, report, HTML and DOCX.

The inputs are built straight from examples/riss with the domain loaders, once per session,
so the DOCX, HTML and PDF tests share one construction (the recipe ``evidens run`` follows).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from evidens.core import OutcomeSpec, Pico, Protocol, Search, SourceKind, Stage
from evidens.extraction import characteristics_rows, load_review_extraction
from evidens.prisma.counts import SourceCount, derive, with_reported
from evidens.report.document import build_report
from evidens.report.inputs import MethodsFacts, PrismaFigure, ReportInputs, SearchLog
from evidens.report.model import ReviewReport
from evidens.report.render_report_docx import report_docx
from evidens.report.render_report_html import report_html
from evidens.rob import assess, load_assessment
from evidens.services.synthesis.grading import load_grade


def _toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def riss_protocol(review: dict[str, Any]) -> Protocol:
    r = review["review"]
    return Protocol(
        title=r["title"],
        question=r["question"],
        pico=Pico(**review["pico"]),
        inclusion_criteria=tuple(review["eligibility"]["include"]),
        exclusion_criteria=tuple(review["eligibility"]["exclude"]),
        study_designs=tuple(r["study_designs"]),
        outcomes=tuple(OutcomeSpec(**o) for o in review["outcomes"]),
        registration=r["registration"],
        languages=tuple(r["languages"]),
    )


def riss_searches(searches: dict[str, Any]) -> tuple[SearchLog, ...]:
    return tuple(
        SearchLog(
            Search(
                source=s["source"],
                strategy=s["strategy"].strip(),
                date_run=s["date"],
                hits=s.get("hits"),
                platform=s.get("platform"),
            ),
            SourceKind(s["kind"]),
        )
        for s in searches["search"]
    )


def riss_inputs(root: Path) -> ReportInputs:
    """Every part of the seed review's report, from the files of examples/riss."""
    review = _toml(root / "review.toml")
    logs = riss_searches(_toml(root / "searches.toml"))
    sources = [SourceCount(x.search.source, x.kind, x.search.hits) for x in logs]
    counts = with_reported(derive(sources, 0, []), review["prisma"]["reported"])
    folder = root / "extraction"
    extraction = load_review_extraction(
        {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    )
    rob = assess(load_assessment((root / "rob" / "sharma2021.toml").read_text(encoding="utf-8")))
    grade = load_grade(root / "grade" / "judgments.toml")
    reviewers = review["screening"]["reviewers_required"]
    return ReportInputs(
        title=review["review"]["title"],
        protocol=riss_protocol(review),
        searches=logs,
        prisma=PrismaFigure(counts),
        characteristics=tuple(characteristics_rows(extraction.consensus)),
        rob_results=(rob,),
        sof=grade.table,
        methods=MethodsFacts(
            dedup_method="EndNote 20 duplicate finder, then Rayyan's and a manual check",
            screening_reviewers={Stage(k): int(v) for k, v in reviewers.items()},
            disagreements="by discussion",
            extraction_reviewers=2,
            rob_reviewers=2,
            synthesis="No meta-analysis was performed: only one study was included",
            software=(("evidens", "0.1.0"), ("EndNote", "20"), ("Rayyan", "")),
        ),
    )


@pytest.fixture(scope="session")
def riss(repo_root: Path) -> ReportInputs:
    return riss_inputs(repo_root / "examples" / "riss")


@pytest.fixture(scope="session")
def riss_report(riss: ReportInputs) -> ReviewReport:
    return build_report(riss)


@pytest.fixture(scope="session")
def riss_html(riss_report: ReviewReport) -> str:
    return report_html(riss_report)


@pytest.fixture(scope="session")
def riss_docx(riss_report: ReviewReport) -> bytes:
    return report_docx(riss_report)
