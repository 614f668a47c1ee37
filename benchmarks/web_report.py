"""What `benchmarks/web.py --phase pages` prints: each page's times as the simulated users
saw them and as the server timed them, against the issue's targets (there is no peer web
app to run here, so a ratio below 1 meets the target)."""

from __future__ import annotations

import statistics
import threading
from collections import defaultdict
from dataclasses import dataclass, field

PAGE_TARGET, DECIDE_TARGET, JOB_TARGET = 0.150, 0.100, 1.0


@dataclass
class Timings:
    by_page: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # the server's own time (its Server-Timing header): the users' times less what the
    # simulated users themselves add (20 of them share one Python process here)
    in_server: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    answers: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    said: dict[tuple[str, int], str] = field(default_factory=dict)  # the first such answer
    lock: threading.Lock = field(default_factory=threading.Lock)
    # requests started before this moment (time.perf_counter) are the warm-up: not counted
    since: float = 0.0

    def add(self, page: str, seconds: float, ok: bool) -> None:
        with self.lock:
            if ok:
                self.by_page[page].append(seconds)
            else:
                self.errors[page] += 1


def _q(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * (len(values) - 1) + 0.5))]


def report(timings: Timings, job_times: list[float], kind: str, seconds: float) -> None:
    print(
        f"  {'page':<22}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p95/target':>12}  errors"
    )
    pages: list[float] = []
    for page in sorted(set(timings.errors) - set(timings.by_page)):
        print(f"  {page:<22}{0:>6}{'':>39}  {timings.errors[page]} (none answered in time)")
    for page in sorted(timings.by_page, key=lambda p: -_q(sorted(timings.by_page[p]), 0.95)):
        values = sorted(timings.by_page[page])
        target = DECIDE_TARGET if page == "decide and next" else PAGE_TARGET
        if page != "decide and next":
            pages += values
        p95 = _q(values, 0.95)
        print(
            f"  {page:<22}{len(values):>6}{1000 * statistics.median(values):>9.1f}"
            f"{1000 * p95:>9.1f}{1000 * _q(values, 0.99):>9.1f}{p95 / target:>12.2f}"
            f"  {timings.errors.get(page, 0)}"
        )
    for (page, code), n in sorted(timings.answers.items()):
        print(f"  {page}: {n} answered HTTP {code}, the first: {timings.said[(page, code)]}")
    pages.sort()
    total = sum(len(v) for v in timings.by_page.values())
    if pages:
        p95 = _q(pages, 0.95)
        print(
            f"  all pages (not decide): n {len(pages)}, "
            f"p50 {1000 * statistics.median(pages):.1f} ms, p95 {1000 * p95:.1f} ms: "
            f"ratio to the 150 ms target {p95 / PAGE_TARGET:.2f} "
            f"({total / seconds:.1f} requests/s)"
        )
    _report_server(timings)
    if job_times:
        job_times.sort()
        p50, p95 = statistics.median(job_times), _q(job_times, 0.95)
        print(
            f"  job progress ({kind}): {len(job_times)} submissions, first progress after "
            f"p50 {1000 * p50:.0f} ms, p95 {1000 * p95:.0f} ms, max {1000 * job_times[-1]:.0f} "
            f"ms: ratio to the 1 s target {p95 / JOB_TARGET:.2f}"
        )
    print(
        "  (ratios are against the issue's targets: there is no peer web app to run here; "
        "a ratio below 1 meets the target)"
    )


def _report_server(timings: Timings) -> None:
    """The same requests as the server timed them (first byte of the answer)."""
    pages = sorted(t for p, v in timings.in_server.items() if p != "decide and next" for t in v)
    decide = sorted(timings.in_server.get("decide and next", []))
    both = (("all pages", pages, PAGE_TARGET), ("decide", decide, DECIDE_TARGET))
    for what, values, target in both:
        if values:
            p95 = _q(values, 0.95)
            print(
                f"  in the server (Server-Timing), {what}: n {len(values)}, p50 "
                f"{1000 * statistics.median(values):.1f} ms, p95 {1000 * p95:.1f} ms: ratio "
                f"to the target {p95 / target:.2f}"
            )
