"""The review report: gathers every step's results for `evidens.report` and writes it.

Forest plots are read from the run's output folder (the analyses step writes them first),
so the report shows exactly the figures the run produced.
"""

from __future__ import annotations

import tempfile
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import select

from evidens.errors import ConfigError
from evidens.extraction import characteristics_rows
from evidens.report.inputs import MethodsFacts, PrismaFigure, ReportInputs
from evidens.report.outputs import report_outputs
from evidens.report.pdf import report_pdf
from evidens.services.assessment.extraction import consensus_in
from evidens.services.assessment.risk_of_bias import rob_results_in
from evidens.services.identification.dedup import PairChecks, pair_checks
from evidens.services.reporting.outputs import write_output
from evidens.services.reporting.prisma import counts_in, diagram_options
from evidens.services.reporting.report_lists import (
    analysis_methods,
    import_logs,
    network_summaries,
    report_outcomes,
    search_logs,
)
from evidens.services.review.settings import ReviewSettings, review_settings
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.services.synthesis.grade_profiles import grade_in
from evidens.store.models import ImportBatchRow


def evidens_dedup_method(checks: PairChecks) -> str:
    """How evidens de-duplicated, saying a person checked pairs only when one did."""
    text = "evidens de-duplication (identifier and bibliographic matching"
    checked, unchecked = checks.checked, checks.unchecked
    if checked:
        text += f"; {_pairs(checked)} checked by a person"
    if unchecked:
        text += f"; {_pairs(unchecked)} left unchecked and kept as separate records"
    if not checked and not unchecked:
        text += "; no pair was uncertain, so none was checked by a person"
    return text + ")"


def _pairs(n: int) -> str:
    return f"{n} uncertain pair" if n == 1 else f"{n} uncertain pairs"


def _prisma_figure(uow: UnitOfWork) -> PrismaFigure:
    counts = counts_in(uow)
    options = diagram_options(uow)
    other = options.other if options.template.other_methods else None
    return PrismaFigure(counts, options.template, previous=options.previous, other=other)


def _methods(settings: ReviewSettings, dedup_method: str) -> MethodsFacts:
    given = settings.methods
    software = [("evidens", version("evidens"))]
    software += [
        (str(s.get("name", "")), str(s.get("version", ""))) for s in given.get("software", [])
    ]
    return MethodsFacts(
        dedup_method=str(given.get("dedup_method", dedup_method)),
        screening_reviewers=dict(settings.reviewers_required),
        disagreements=str(given.get("disagreements", "by a resolver")),
        automation=str(given.get("automation", "")),
        extraction_reviewers=int(given.get("extraction_reviewers", 0)),
        rob_reviewers=int(given.get("rob_reviewers", 0)),
        synthesis=str(given.get("synthesis", "")),
        reporting_bias=str(given.get("reporting_bias", "")),
        software=tuple(software),
    )


def _figures(out: Path, suffix: str) -> dict[str, bytes]:
    """The forest plots the analyses step wrote into ``out``, by analysis name."""
    return {
        p.stem.removeprefix("forest-"): p.read_bytes()
        for p in sorted(out.glob(f"forest-*.{suffix}"))
    }


def report_inputs(store: ReviewStore, out: Path) -> ReportInputs:
    with transaction(store, "evidens") as uow:
        settings = review_settings(uow)
        imported = uow.session.scalar(
            select(ImportBatchRow.id).where(ImportBatchRow.review_id == uow.review_id).limit(1)
        )
        prisma = _prisma_figure(uow)
        grade = grade_in(uow)
        consensus, rob = consensus_in(uow), rob_results_in(uow)
        searches, imports = search_logs(uow), import_logs(uow)
        not_retrieved, excluded = report_outcomes(uow, prisma.counts)
        analyses = analysis_methods(uow)
        networks = network_summaries(uow, out)
    dedup_method = evidens_dedup_method(pair_checks(store)) if imported is not None else ""
    return ReportInputs(
        title=settings.protocol.title,
        protocol=settings.protocol,
        searches=searches,
        prisma=prisma,
        characteristics=tuple(characteristics_rows(consensus)),
        rob_results=tuple(rob),
        sof=grade.table if grade else None,
        forest_svgs=_figures(out, "svg"),
        forest_pngs=_figures(out, "png"),
        methods=_methods(settings, dedup_method),
        imports=imports,
        not_retrieved=not_retrieved,
        excluded=excluded,
        analyses=analyses,
        networks=networks,
    )


def write_report_outputs(store: ReviewStore, out: Path) -> list[Path]:
    """OUT/report.html, OUT/report.docx and OUT/prisma-checklist.csv."""
    written = []
    for name, data in report_outputs(report_inputs(store, out)).items():
        written.append(write_output(out / name, data))
    return written


REPORT_FORMATS = ("html", "docx", "pdf")


def report_file(folder: Path, fmt: str) -> bytes:
    """The report of the review kept as files in ``folder``, rebuilt in a scratch store."""
    from evidens.services.folders.run import run_review  # run writes this report: import it late

    if fmt not in REPORT_FORMATS:
        raise ConfigError(
            f"unknown report format {fmt!r}", field="format", hint="use html, docx or pdf"
        )
    with tempfile.TemporaryDirectory() as tmp:
        run_review(folder, Path(tmp))
        data = (Path(tmp) / ("report.html" if fmt == "html" else "report.docx")).read_bytes()
    if fmt != "pdf":
        return data
    pdf = report_pdf(data)
    if pdf is None:
        raise ConfigError(
            "a PDF needs LibreOffice (apt-get install libreoffice-writer)",
            field="format",
            hint="use --format docx",
        )
    return pdf
