"""What the report lists one by one, read from the store: the searches as logged with the
records their exports gave, each export's import warnings, the reports not retrieved, the
full texts excluded with their reasons, and the analyses as they ran.

The lists are selected exactly as :func:`evidens.services.reporting.prisma.counts_in` counts
the flow diagram's boxes (canonical records, final decisions, the same exclusion reason), so a list
and its box can never disagree. Boxes whose counts were *reported* (stages done outside
evidens) have no records behind them: their lists are ``None``, not empty.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from evidens.core import Decision, Search, SourceKind, Stage
from evidens.meta.results import Methods
from evidens.prisma.counts import PrismaCounts
from evidens.report.inputs import (
    AnalysisMethod,
    ImportLog,
    ImportWarning,
    ReportOutcome,
    SearchLog,
)
from evidens.report.network_section import NetworkSummary
from evidens.screening.workflow import Status, StatusKind
from evidens.search.logged import read_translation
from evidens.services.reporting.prisma import exclusion_reasons
from evidens.services.review.records import canonical_ids, load_records
from evidens.services.screening.decisions import stage_statuses
from evidens.services.store import UnitOfWork
from evidens.store.models import FullTextRow, ImportBatchRow, OutcomeRow, SearchRow, SourceRow
from evidens.store.synthesis_models import AnalysisRow


def search_logs(uow: UnitOfWork) -> tuple[SearchLog, ...]:
    """Every search as logged (source, strategy, date, hits...), in the order it was added,
    with the records read from the export files imported for it and the translation its
    strategy came from."""
    imported = dict(
        uow.session.execute(
            select(ImportBatchRow.search_id, func.sum(ImportBatchRow.records_read))
            .where(ImportBatchRow.review_id == uow.review_id, ImportBatchRow.search_id.is_not(None))
            .group_by(ImportBatchRow.search_id)
        ).all()
    )
    files: dict[int | None, list[str]] = {}
    for search_id, name in uow.session.execute(
        select(ImportBatchRow.search_id, ImportBatchRow.file_name)
        .where(ImportBatchRow.review_id == uow.review_id, ImportBatchRow.search_id.is_not(None))
        .order_by(ImportBatchRow.id)
    ):
        files.setdefault(search_id, []).append(name)
    rows = uow.session.execute(
        select(SearchRow, SourceRow.name, SourceRow.kind)
        .join(SourceRow, SearchRow.source_id == SourceRow.id)
        .where(SearchRow.review_id == uow.review_id)
        .order_by(SearchRow.id)
    ).all()
    return tuple(
        SearchLog(
            Search(
                source=name,
                strategy=row.strategy,
                date_run=row.date_run,
                hits=row.hits,
                platform=row.platform,
                limits=row.limits,
                run_by=row.run_by,
                files=tuple(files.get(row.id, ())),
            ),
            SourceKind(kind),
            imported=None if row.id not in imported else int(imported[row.id]),
            translation=None if row.translation is None else read_translation(row.translation),
        )
        for row, name, kind in rows
    )


def _warnings(report: dict[str, Any]) -> tuple[ImportWarning, ...]:
    return tuple(
        ImportWarning(w.get("line"), str(w.get("message", ""))) for w in report.get("warnings", ())
    )


def import_logs(uow: UnitOfWork) -> tuple[ImportLog, ...]:
    """Each export file as imported, with every warning its import report kept."""
    rows = uow.session.execute(
        select(ImportBatchRow, SourceRow.name)
        .join(SourceRow, ImportBatchRow.source_id == SourceRow.id)
        .where(ImportBatchRow.review_id == uow.review_id)
        .order_by(ImportBatchRow.id)
    ).all()
    return tuple(
        ImportLog(batch.file_name, name, batch.format, batch.records_read, _warnings(batch.report))
        for batch, name in rows
    )


def _decided(status: Status) -> str:
    if status.kind is StatusKind.RESOLVED:
        return f"resolved ({status.resolver})" if status.resolver else "resolved"
    people = ", ".join(status.decided_by)
    return f"agreed ({people})" if len(status.decided_by) > 1 else f"one reviewer ({people})"


def report_outcomes(
    uow: UnitOfWork, counts: PrismaCounts
) -> tuple[tuple[ReportOutcome, ...] | None, tuple[ReportOutcome, ...] | None]:
    """(reports not retrieved, full texts excluded), each ``None`` where its box's count
    was reported rather than derived from the store's records."""
    canonical = canonical_ids(uow.session, uow.review_id)
    ta = stage_statuses(uow, Stage.TITLE_ABSTRACT)
    ft = stage_statuses(uow, Stage.FULL_TEXT)
    retrieval = {
        row.record_id: row
        for row in uow.session.scalars(
            select(FullTextRow).where(FullTextRow.review_id == uow.review_id)
        )
    }
    sought = [
        rid for rid in canonical if rid in ta and ta[rid].final not in (None, Decision.EXCLUDE)
    ]
    missing = [rid for rid in sought if rid in retrieval and not retrieval[rid].retrieved]
    excluded = [
        rid
        for rid in sought
        if rid not in missing and rid in ft and ft[rid].final is Decision.EXCLUDE
    ]
    reasons = exclusion_reasons(uow, ft)
    records = load_records(uow.session, [*missing, *excluded])
    not_retrieved = tuple(
        ReportOutcome(records[rid], retrieval[rid].reason or "") for rid in missing
    )
    exclusions = tuple(
        ReportOutcome(records[rid], reasons.get(rid, ""), _decided(ft[rid])) for rid in excluded
    )
    basis = counts.basis
    return (
        None if basis.get("reports_not_retrieved") == "reported" else not_retrieved,
        None if basis.get("reports_excluded") == "reported" else exclusions,
    )


def _methods(data: dict[str, Any]) -> Methods:
    return Methods(**{f.name: data[f.name] for f in fields(Methods)})


def analysis_methods(uow: UnitOfWork) -> tuple[AnalysisMethod, ...]:
    """Each stored analysis with the settings it ran with (as its result recorded them);
    an analysis defined but never computed has no methods to report and is left out."""
    rows = uow.session.execute(
        select(AnalysisRow, OutcomeRow.name)
        .outerjoin(OutcomeRow, AnalysisRow.outcome_id == OutcomeRow.id)
        .where(AnalysisRow.review_id == uow.review_id)
        .order_by(AnalysisRow.id)
    ).all()
    return tuple(
        AnalysisMethod(
            name=row.name,
            outcome=outcome or str(row.result.get("outcome", "")),
            methods=_methods(row.result["methods"]),
            studies=tuple(str(s["label"]) for s in row.result.get("studies", ())),
            k=int(row.result.get("k", 0)),
            subgroups=tuple(str(g) for g in row.result.get("subgroups") or {}),
        )
        for row, outcome in rows
        if "methods" in row.result
    )


def _file(out: Path, name: str) -> bytes | None:
    path = out / name
    return path.read_bytes() if path.is_file() else None


def _league(data: dict[str, Any]) -> tuple[tuple[tuple[float, float, float] | None, ...], ...]:
    lg = data["league"]
    rows = zip(lg["estimate"], lg["ci_lb"], lg["ci_ub"], strict=True)
    return tuple(
        tuple(
            None if e is None or lo is None or hi is None else (float(e), float(lo), float(hi))
            for e, lo, hi in zip(est, low, high, strict=True)
        )
        for est, low, high in rows
    )


def network_summary(name: str, data: dict[str, Any], out: Path) -> NetworkSummary:
    """One network analysis's stored result, with the figures it wrote into ``out``."""
    inc = data["inconsistency"]
    base = f"network-{name}"
    return NetworkSummary(
        name=name,
        outcome=str(data.get("outcome_name", data["outcome"])),
        measure=str(data["measure"]),
        model=str(data["model"]),
        method=str(data["method"]),
        level=float(data["level"]),
        reference=str(data["reference"]),
        small_values=str(data["small_values"]),
        treatments=tuple(str(t) for t in data["treatments"]),
        studies=tuple(str(s["label"]) for s in data["studies"]),
        tau2=None if data.get("tau2") is None else float(data["tau2"]),
        pscores=tuple((str(t), float(p or 0.0)) for t, p in data["pscores"].items()),
        versus_reference=tuple(
            (str(r["treatment"]), float(r["estimate"]), float(r["ci_lb"]), float(r["ci_ub"]))
            for r in data["versus_reference"]
        ),
        league=_league(data),
        inconsistency=(float(inc["Q"] or 0.0), int(inc["df"]), float(inc["p"] or 1.0)),
        splits=tuple(
            (str(s["second"]), str(s["first"]), float(s["pval"]))
            for s in data.get("side_split", ())
            if s.get("pval") is not None
        ),
        graph_svg=_file(out, f"{base}-graph.svg"),
        graph_png=_file(out, f"{base}-graph.png"),
        forest_svg=_file(out, f"{base}-forest.svg"),
        forest_png=_file(out, f"{base}-forest.png"),
    )


def network_summaries(uow: UnitOfWork, out: Path) -> tuple[NetworkSummary, ...]:
    """Each network analysis as last computed (kept by the analyses step), in definition
    order; one defined but never computed is left out, like a pairwise one."""
    rows = uow.session.scalars(
        select(AnalysisRow).where(AnalysisRow.review_id == uow.review_id).order_by(AnalysisRow.id)
    )
    return tuple(
        network_summary(row.name, dict(row.result), out)
        for row in rows
        if row.result.get("kind") == "network"
    )
