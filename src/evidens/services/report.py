"""The review report: gathers every step's results for `evidens.report` and writes it.

Forest plots are read from the run's output folder (the analyses step writes them first),
so the report shows exactly the figures the run produced.
"""

from __future__ import annotations

import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from evidens.core import Stage
from evidens.errors import ConfigError
from evidens.extraction import characteristics_rows
from evidens.report.inputs import MethodsFacts, PrismaFigure, ReportInputs
from evidens.report.outputs import report_outputs
from evidens.report.pdf import report_pdf
from evidens.services import grading, synthesis
from evidens.services.dedup import PairChecks, pair_checks
from evidens.services.outputs import write_output
from evidens.services.prisma import counts_in, diagram_options
from evidens.services.report_lists import (
    analysis_methods,
    import_logs,
    report_outcomes,
    search_logs,
)
from evidens.services.review_files import ReviewFiles
from evidens.services.store import ReviewStore, transaction


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


def _prisma_figure(store: ReviewStore, files: ReviewFiles) -> PrismaFigure:
    with transaction(store, "evidens") as uow:
        counts = counts_in(uow)
        options = diagram_options(uow)
    other = options.other if options.template.other_methods else None
    return PrismaFigure(counts, options.template, previous=options.previous, other=other)


def _methods(files: ReviewFiles, dedup_method: str) -> MethodsFacts:
    given: dict[str, Any] = dict(files.methods)
    required = dict(files.settings.get("reviewers_required", {}))
    software = [("evidens", version("evidens"))]
    software += [
        (str(s.get("name", "")), str(s.get("version", ""))) for s in given.get("software", [])
    ]
    return MethodsFacts(
        dedup_method=str(given.get("dedup_method", dedup_method)),
        screening_reviewers={Stage(k): int(v) for k, v in required.items()},
        disagreements=str(given.get("disagreements", "by a resolver")),
        automation=str(given.get("automation", "")),
        extraction_reviewers=int(given.get("extraction_reviewers", 0)),
        rob_reviewers=int(given.get("rob_reviewers", 0)),
        synthesis=str(given.get("synthesis", "")),
        reporting_bias=str(given.get("reporting_bias", "")),
        software=tuple(software),
    )


def report_inputs(store: ReviewStore, files: ReviewFiles, out: Path) -> ReportInputs:
    consensus = synthesis.consensus_of(store, files)
    grade = grading.grade_file(files)
    forest_svgs = {
        p.stem.removeprefix("forest-"): p.read_bytes() for p in sorted(out.glob("forest-*.svg"))
    }
    forest_pngs = {
        p.stem.removeprefix("forest-"): p.read_bytes() for p in sorted(out.glob("forest-*.png"))
    }
    imported = any(entry.files for entry in files.searches)
    prisma = _prisma_figure(store, files)
    with transaction(store, "evidens") as uow:
        searches, imports = search_logs(uow), import_logs(uow)
        not_retrieved, excluded = report_outcomes(uow, prisma.counts)
        analyses = analysis_methods(uow)
    return ReportInputs(
        title=files.protocol.title,
        protocol=files.protocol,
        searches=searches,
        prisma=prisma,
        characteristics=tuple(characteristics_rows(consensus)),
        rob_results=tuple(synthesis.rob_results(files)),
        sof=grade.table if grade else None,
        forest_svgs=forest_svgs,
        forest_pngs=forest_pngs,
        methods=_methods(files, evidens_dedup_method(pair_checks(store)) if imported else ""),
        imports=imports,
        not_retrieved=not_retrieved,
        excluded=excluded,
        analyses=analyses,
    )


def write_report_outputs(store: ReviewStore, files: ReviewFiles, out: Path) -> list[Path]:
    """OUT/report.html, OUT/report.docx and OUT/prisma-checklist.csv."""
    written = []
    for name, data in report_outputs(report_inputs(store, files, out)).items():
        written.append(write_output(out / name, data))
    return written


REPORT_FORMATS = ("html", "docx", "pdf")


def report_file(folder: Path, fmt: str) -> bytes:
    """The report of the review kept as files in ``folder``, rebuilt in a scratch store."""
    from evidens.services.run import run_review  # run writes this report: import it late

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
