"""Traffic-light and summary figures: content, layout without overlaps, formats."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from evidens.errors import ValidationError
from evidens.report.rob_plots import render, summary, traffic_light
from evidens.rob import Judgment
from evidens.rob.robvis import RobRow, RobTable

L, SC, H, NI = Judgment.LOW, Judgment.SOME_CONCERNS, Judgment.HIGH, Judgment.NO_INFORMATION
DOMAINS = ("D1", "D2", "D3", "D4", "D5")
NAMES = ("Randomization", "Deviations", "Missing data", "Measurement", "Reported result")


def _table(n: int, seed: int = 7) -> RobTable:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        cells = tuple(rng.choice([L, SC, H, NI]) for _ in DOMAINS)
        worst = max((c for c in cells if c is not NI), key=[L, SC, H].index, default=SC)
        rows.append(RobRow(f"Study {i:02d} et al.", cells, worst, float(rng.randint(1, 9))))
    return RobTable("ROB2", DOMAINS, NAMES, tuple(rows))


def _texts(fig: Figure) -> list[Text]:
    FigureCanvasAgg(fig).draw()
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


def test_one_study_svg_shows_label_overall_and_robvis_colours() -> None:
    table = RobTable("ROB2", DOMAINS, NAMES, (RobRow("Sharma 2021", (L, H, L, H, L), H),))
    svg = render(traffic_light(table)).decode()
    assert "Sharma 2021" in svg
    assert "Overall" in svg
    assert "#02c100" in svg.lower()  # robvis "cochrane" Low
    assert "#bf0000" in svg.lower()  # High
    assert "#e2df07" not in svg.lower()  # no Some concerns in this table
    assert "D4: Measurement" in svg
    assert "Overall" not in render(traffic_light(table, overall=False)).decode()


@pytest.mark.parametrize("n", [1, 60])
def test_labels_do_not_overlap_and_stay_readable(n: int) -> None:
    fig = traffic_light(_table(n))
    texts = _texts(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    study = sorted(
        (t for t in texts if t.get_text().startswith("Study ")),
        key=lambda t: t.get_window_extent(renderer).y0,
    )
    assert len(study) == n
    assert min(t.get_fontsize() for t in study) >= 6
    boxes = [t.get_window_extent(renderer) for t in study]
    assert all(a.y1 <= b.y0 + 0.5 for a, b in itertools.pairwise(boxes))
    legend = [t for t in texts if t.get_text() in ("Judgement", "Low", "High")]
    caption = [t for t in texts if t.get_text().startswith(("D1:", "Domains"))]
    for a in legend:
        for b in caption + study:
            assert not a.get_window_extent(renderer).overlaps(b.get_window_extent(renderer))
    _, height = fig.get_size_inches()
    assert height <= 0.2 * n + 4  # grows with studies, but boundedly


def test_weighted_summary_bars_are_weight_shares() -> None:
    rows = (RobRow("A", (L,) * 5, L, 3.0), RobRow("B", (H,) * 5, H, 1.0))
    fig = summary(RobTable("ROB2", DOMAINS, NAMES, rows), weighted=True)
    widths = sorted({round(p.get_width(), 6) for p in fig.axes[0].patches})
    assert widths == [25.0, 75.0]
    plain = summary(RobTable("ROB2", DOMAINS, NAMES, rows))
    assert {round(p.get_width(), 6) for p in plain.axes[0].patches} == {50.0}


def test_weighted_summary_needs_every_weight() -> None:
    rows = (RobRow("A", (L,) * 5, L, 3.0), RobRow("B", (H,) * 5, H, None))
    with pytest.raises(ValidationError, match="no weight for B"):
        summary(RobTable("ROB2", DOMAINS, NAMES, rows), weighted=True)


def test_formats_and_reproducible_svg() -> None:
    table = _table(3)
    assert render(traffic_light(table), "png")[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(summary(table), "pdf")[:5] == b"%PDF-"
    assert render(traffic_light(table), "svg") == render(traffic_light(table), "svg")
    with pytest.raises(ValidationError, match="cannot write"):
        render(traffic_light(table), "gif")


def test_labels_are_plain_text_not_mathtext() -> None:
    table = RobTable("ROB2", DOMAINS, NAMES, (RobRow("Cost $5 $ trial <b>", (L,) * 5, L),))
    svg = render(traffic_light(table)).decode()
    assert "Cost $5 $ trial &lt;b&gt;" in svg


def test_run_outputs_for_the_riss_example(repo_root: Path) -> None:
    from evidens.report.rob_plots import rob_outputs
    from evidens.rob import assess, load_assessment

    text = (repo_root / "examples/riss/rob/sharma2021.toml").read_text(encoding="utf-8")
    files = rob_outputs([assess(load_assessment(text))])
    assert sorted(files) == ["rob-summary.svg", "rob-traffic-light.svg", "rob.json"]
    document = json.loads(files["rob.json"])
    assert document["instruments"] == {"rob2": "2019-08-22"}
    assert document["assessments"][0]["overall"]["final"] == "high"
    assert b"Sharma 2021" in files["rob-traffic-light.svg"]
    assert b"Overall risk of bias" in files["rob-summary.svg"]
