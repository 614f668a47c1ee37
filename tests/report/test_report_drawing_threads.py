"""Figures drawn from several threads at once (the web server draws forest plots for
concurrent requests while a job draws the report) leave matplotlib's global settings as
they found them, so a figure's bytes never depend on what else was being drawn: before
:data:`evidens.core.drawing.DRAWING`, interleaved ``rc_context`` exits left ``font.family``
set to DejaVu Sans and the RoB figures built by the web app differed from `evidens run`'s."""

from __future__ import annotations

import threading
from pathlib import Path

import matplotlib as mpl

from evidens.core import SourceKind
from evidens.prisma.counts import SourceCount, derive
from evidens.prisma.diagram import build_diagram
from evidens.prisma.render import render
from evidens.report.rob_plots import rob_outputs
from evidens.services.folders.step_files import folder_rob_results

RISS = Path(__file__).resolve().parents[2] / "examples" / "riss"


def test_figures_drawn_in_threads_leave_the_settings_and_later_figures_unchanged() -> None:
    results = folder_rob_results(RISS)
    alone = rob_outputs(results)
    family = list(mpl.rcParams["font.family"])
    diagram = build_diagram(derive([SourceCount("PubMed", SourceKind.DATABASE, 3)], 0, []))
    prisma: list[bytes] = []
    rob: list[bytes] = []

    def draw() -> None:
        for _ in range(2):
            prisma.append(render(diagram, "svg"))
            rob.append(rob_outputs(results)["rob-traffic-light.svg"])

    threads = [threading.Thread(target=draw) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(mpl.rcParams["font.family"]) == family
    assert rob_outputs(results) == alone
    assert set(rob) == {alone["rob-traffic-light.svg"]}
    assert len(set(prisma)) == 1
