"""Read-side outputs of a review: PRISMA counts as data, record exports with decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evidens.core import Stage
from evidens.errors import InputError
from evidens.formats import write_bibtex, write_csv, write_ris
from evidens.prisma.counts import assert_consistent
from evidens.prisma.diagram import build_diagram
from evidens.prisma.prisma2020_csv import write_prisma2020_csv
from evidens.prisma.render import FORMATS, html_page, render
from evidens.services.reporting.prisma import counts_in, diagram_options, flow_dict
from evidens.services.review.records import RecordKeys, canonical_ids, load_records
from evidens.services.screening.decisions import stage_statuses
from evidens.services.store import ReviewStore, transaction
from evidens.store.models import ReviewRow


def prisma_dict(store: ReviewStore, *, check: bool = False) -> dict[str, Any]:
    """PRISMA counts as JSON-ready data; with ``check``, refuse counts that do not add up."""
    with transaction(store, "evidens") as uow:
        counts = counts_in(uow)
        data = flow_dict(uow, counts)
    if check:
        assert_consistent(counts)
    return data


def prisma_figure(store: ReviewStore, *, template: str | None = None, fmt: str = "svg") -> bytes:
    """The PRISMA 2020 diagram (svg, png, pdf, html) or the PRISMA2020-app CSV (csv).

    The template, previous-version counts and other-methods counts come from the review's
    settings (``[prisma]`` in review.toml) unless ``template`` is given.
    """
    with transaction(store, "evidens") as uow:
        counts = counts_in(uow)
        options = diagram_options(uow, template)
        review = uow.session.get(ReviewRow, store.review_id)
        title = review.title if review else "PRISMA 2020 flow diagram"
    previous, other = options.previous, options.other
    if fmt == "csv":
        return write_prisma2020_csv(counts, previous=previous, other=other).encode()
    diagram = build_diagram(counts, options.template, previous=previous, other=other)
    if fmt == "html":
        return html_page(diagram, f"PRISMA 2020 flow diagram - {title}").encode()
    if fmt not in FORMATS:
        raise InputError(
            f"unknown figure format {fmt!r}", field="format", hint="use svg, png, pdf, html or csv"
        )
    return render(diagram, fmt)


def export_records(store: ReviewStore, out: Path) -> int:
    """Write the de-duplicated records to RIS, BibTeX or CSV (CSV adds each record's
    screening status and final decision per stage)."""
    suffix = out.suffix.lower()
    if suffix not in {".ris", ".csv", ".bib"}:
        raise InputError("unknown export format", path=out, hint="use .ris, .csv or .bib")
    with transaction(store, "evidens") as uow:
        ids = canonical_ids(uow.session, uow.review_id)
        records = load_records(uow.session, ids)
        statuses = {stage: stage_statuses(uow, stage) for stage in Stage}
        keys = RecordKeys(uow.session, uow.review_id)
    ordered = [records[i] for i in ids]
    if suffix == ".ris":
        text = write_ris(ordered)
    elif suffix == ".bib":
        text = write_bibtex(ordered)
    else:
        columns: dict[str, list[str]] = {
            "evidens_id": [str(i) for i in ids],
            "key": [keys.key_for(records[i]) for i in ids],  # what review folders name it by
        }
        for stage in Stage:
            column = [statuses[stage].get(i) for i in ids]
            columns[f"{stage.value}_status"] = [s.kind.value if s else "" for s in column]
            columns[f"{stage.value}_decision"] = [
                s.final.value if s and s.final else "" for s in column
            ]
        text = write_csv(ordered, extra_columns=columns)
    out.write_text(text, encoding="utf-8")
    return len(ordered)
