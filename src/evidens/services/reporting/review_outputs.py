"""Every output of a review, written from its store alone.

``evidens outputs OUT --db STORE`` calls :func:`write_outputs` on a store; ``evidens run``
loads a folder into a fresh store and calls it too, so the two cannot differ. Outputs carry
no timestamps or store ids that vary between runs: writing twice gives identical files, and
a changed decision changes exactly the counts it should.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evidens.errors import CountsDoNotAddUpError, InputError
from evidens.extraction import characteristics_csv, outcomes_csv
from evidens.prisma.counts import assert_consistent
from evidens.report.rob_plots import rob_outputs
from evidens.services.assessment.extraction import extraction_in
from evidens.services.assessment.risk_of_bias import rob_results_in
from evidens.services.reporting import exports
from evidens.services.reporting.outputs import write_output
from evidens.services.reporting.prisma import counts_in, flow_dict
from evidens.services.reporting.report import write_report_outputs
from evidens.services.reporting.report_lists import search_logs
from evidens.services.store import ReviewStore, transaction
from evidens.services.synthesis.analyses import write_analysis_outputs
from evidens.services.synthesis.grade_profiles import write_grade_outputs

Progress = Callable[[str, int, int], None]
"""Called as (task, done, total) while long steps run; the CLI draws bars from it."""

OutputWriter = Callable[[ReviewStore, Path], list[Path]]


def write_json(path: Path, data: Any) -> Path:
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    return write_output(path, text.encode("utf-8"))


def write_spine_outputs(store: ReviewStore, out: Path) -> list[Path]:
    """prisma.json (checked to add up) and its figures, searches.json (Table 1)."""
    with transaction(store, "evidens") as uow:
        counts = counts_in(uow)
        data = flow_dict(uow, counts)
        searches = [
            {
                "source": log.search.source,
                "kind": log.kind.value,
                "platform": log.search.platform,
                "strategy": log.search.strategy,
                "date_run": log.search.date_run.isoformat() if log.search.date_run else None,
                "hits": log.search.hits,
                "files": list(log.search.files),
            }
            for log in search_logs(uow)
        ]
    assert_consistent(counts)
    failed = next((c for c in data["checks"] if not c["ok"]), None)
    if failed is not None:
        raise CountsDoNotAddUpError(
            f"{failed['equation']}: {failed['expected']} != {failed['actual']}",
            box=failed["box"],
            hint="check the studies' rounds",
        )
    outputs = [write_json(out / "prisma.json", data), write_json(out / "searches.json", searches)]
    for fmt in ("svg", "png", "html", "csv"):
        outputs.append(write_output(out / f"prisma.{fmt}", exports.prisma_figure(store, fmt=fmt)))
    return outputs


def write_extraction_outputs(store: ReviewStore, out: Path) -> list[Path]:
    """OUT/characteristics.csv (the seed's Table 2) and OUT/outcomes.csv, from consensus."""
    with transaction(store, "evidens") as uow:
        extraction = extraction_in(uow)
    if extraction is None:
        return []
    return [
        write_output(
            out / "characteristics.csv", characteristics_csv(extraction.consensus).encode()
        ),
        write_output(out / "outcomes.csv", outcomes_csv(extraction.consensus).encode()),
    ]


def write_rob_outputs(store: ReviewStore, out: Path) -> list[Path]:
    """OUT/rob.json and the traffic-light and summary figures."""
    with transaction(store, "evidens") as uow:
        results = rob_results_in(uow)
    if not results:
        return []
    return [write_output(out / name, data) for name, data in rob_outputs(results).items()]


OUTPUT_STEPS: tuple[tuple[str, OutputWriter], ...] = (
    ("PRISMA flow and searches", write_spine_outputs),
    ("extraction tables", write_extraction_outputs),
    ("risk of bias", write_rob_outputs),
    ("meta-analyses", write_analysis_outputs),
    ("Summary of Findings", write_grade_outputs),
    ("report", write_report_outputs),  # last: it shows the figures the steps above wrote
)


def _quiet(_task: str, _done: int, _total: int) -> None:
    return None


def write_outputs(store: ReviewStore, out: Path, *, progress: Progress = _quiet) -> list[Path]:
    """Write every output of the review in ``store`` into ``out`` (created if needed)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}", path=out) from None
    written: list[Path] = []
    for done, (task, writer) in enumerate(OUTPUT_STEPS):
        progress(f"writing outputs: {task}", done, len(OUTPUT_STEPS))
        written += writer(store, out)
    progress("writing outputs", len(OUTPUT_STEPS), len(OUTPUT_STEPS))
    return written
