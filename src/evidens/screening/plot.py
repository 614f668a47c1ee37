"""The recall curve of a simulated screening run, as SVG or PNG bytes.

The curve people compare tools by: share of relevant records found against records screened,
with the expected curve of screening in random order. Priors are excluded, as in the metrics.
Returns bytes (no file I/O here); the CLI writes them next to run.json.
"""

from __future__ import annotations

import io

import numpy as np

from evidens.screening.simulate import SimulationResult

FORMATS = ("svg", "png")


def recall_curve(result: SimulationResult, *, title: str = "", image_format: str = "svg") -> bytes:
    """Render the recall curve of ``result``; ``image_format`` is ``svg`` or ``png``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    n = result.n_records - len(result.priors)
    relevant = int(sum(result.labels_in_order))
    found = np.concatenate(([0], np.cumsum(result.labels_in_order)))
    screened = np.arange(len(found))
    figure = Figure(figsize=(6, 4), dpi=100)
    axes = figure.add_subplot()
    axes.plot(screened, found / max(relevant, 1), label=f"{result.model} (this run)")
    axes.plot([0, n], [0, 1], linestyle="--", color="grey", label="random order (expected)")
    axes.axhline(0.95, color="lightgrey", linewidth=0.8)
    axes.set_xlim(0, n)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("records screened (priors excluded)")
    axes.set_ylabel("recall")
    metrics = result.metrics
    axes.set_title(title or f"WSS@95 {metrics.wss95:.3f}, recall@10% {metrics.recall10:.3f}")
    axes.legend(loc="lower right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(
        buffer, format=image_format, metadata={"Date": None} if image_format == "svg" else None
    )
    return buffer.getvalue()
