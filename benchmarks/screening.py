"""Benchmark: evidens prioritised screening vs ASReview 3.0.8 (elas_u4), side by side.

For every data set in ../shared/data/screening and every prior seed, both tools start from the
same 1 relevant + 1 irrelevant prior (ASReview's own --prior-seed draw, which evidens
reproduces) and screen to the last relevant record. Metrics for both are computed by
evidens.screening.metrics from each tool's label sequence (ASReview's is read from its project
file), so the definitions are identical. Runs are serial and interleaved (ASReview then
evidens on the same set and seed) so both see the same machine load.

Timing, per simulation:
* process wall time: ``asreview simulate`` vs a fresh Python process running evidens'
  simulate (interpreter start, imports, CSV, features, loop) - the like-for-like figure;
* in-run time: ASReview's last label time minus its first prior label time (from its
  results table) vs evidens' ``wall_s`` (features + loop).

Usage: python benchmarks/screening.py [--sets A B] [--seeds 42 1 2 3 4]
       [--asreview-seeds 42 1] [--skip-asreview] [--results FILE] [--fresh]
Results are appended to a JSON-lines file so an interrupted run can be resumed.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "screening"
VENV = REPO / ".bench-venvs" / "asreview"
ASREVIEW = VENV / "bin" / "asreview"
SETS = (
    "Cohen_2006_ADHD",
    "Kitchenham_2010",
    "Bannach-Brown_2019",
    "Appenzeller-Herzog_2019",
    "van_de_Schoot_2018",
    "Radjenovic_2013",
)
PUBLISHED = {  # ASReview 3.0.8 elas_u4, mean WSS@95 over 5 seeds (specs/screening-metrics.md §2b)
    "Cohen_2006_ADHD": 0.666,
    "Kitchenham_2010": 0.698,
    "Bannach-Brown_2019": 0.415,
    "Appenzeller-Herzog_2019": 0.815,
    "van_de_Schoot_2018": 0.894,
    "Radjenovic_2013": 0.867,
}


def ensure_asreview() -> None:
    if ASREVIEW.exists():
        return
    print(f"installing asreview==3.0.8 into {VENV} ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "asreview==3.0.8"], check=True)


def asreview_labels(project: Path) -> tuple[list[int], list[int], float]:
    """Prior rows, post-prior labels in order and in-run seconds from a .asreview file."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(project) as archive:
            archive.extract("results.db", tmp)
        db = sqlite3.connect(Path(tmp) / "results.db")
        rows = db.execute(
            "SELECT record_id, label, querier, time FROM results ORDER BY rowid"
        ).fetchall()
        db.close()
    priors = [int(r[0]) for r in rows if r[2] is None]
    labels = [int(r[1]) for r in rows if r[2] is not None]
    return priors, labels, float(rows[-1][3] - rows[0][3])


def run_asreview(name: str, seed: int) -> dict[str, object]:
    from evidens.screening.metrics import simulation_metrics

    data = SHARED / f"{name}.csv"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.asreview"
        command = [
            str(ASREVIEW), "simulate", str(data), "--n-prior-included", "1",
            "--n-prior-excluded", "1", "--prior-seed", str(seed), "--seed", str(seed),
            "-o", str(out),
        ]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=tmp)
        process_s = time.perf_counter() - start
        priors, labels, in_run = asreview_labels(out)
    n_total = _count_rows(data)
    metrics = simulation_metrics(labels, n_total, len(priors))
    return {"tool": "asreview", "set": name, "seed": seed, "priors": priors,
            "process_s": process_s, "in_run_s": in_run, **metrics.as_dict()}  # fmt: skip


def _count_rows(data: Path) -> int:
    import csv

    with data.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


WORKER = """
import json, sys
from pathlib import Path
from evidens.screening.simulate import read_labelled_csv, simulate
with open(sys.argv[1], encoding="utf-8-sig", newline="") as handle:  # as the CLI reads it
    data = read_labelled_csv(handle, sys.argv[1])
r = simulate(data, model="svm", seed=int(sys.argv[2]), prior_seed=int(sys.argv[2]))
print(json.dumps({"priors": list(r.priors), "in_run_s": r.wall_s, **r.metrics.as_dict()}))
"""


def run_evidens(name: str, seed: int) -> dict[str, object]:
    data = SHARED / f"{name}.csv"
    start = time.perf_counter()
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-c", WORKER, str(data), str(seed)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    process_s = time.perf_counter() - start
    result = json.loads(done.stdout)
    return {"tool": "evidens", "set": name, "seed": seed, "process_s": process_s, **result}


def load(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _verdict(wss_ev: float, wss_as: float, ratio: float) -> str:
    if math.isnan(wss_as):  # ASReview not run for this set
        return "n/a"
    wss = "yes" if round(wss_ev, 3) >= round(wss_as, 3) else "NO"
    return f"{wss}, {'yes' if ratio >= 10 else 'NO'}"


def _per_seed_ratios(
    ev: list[dict[str, object]], ar: list[dict[str, object]], key: str
) -> list[float]:
    """ASReview/evidens time of each simulation (same set and seed), for the 'each' target."""
    mine = {r["seed"]: float(r[key]) for r in ev}  # type: ignore[arg-type]
    return [float(r[key]) / mine[r["seed"]] for r in ar if r["seed"] in mine]  # type: ignore[arg-type]


def print_table(results: list[dict[str, object]], sets: list[str]) -> None:
    print()
    header = (
        f"{'dataset':24} {'n_ev':>4} {'WSS ev':>7} {'n_as':>4} {'WSS as':>7} {'pub.':>6} "
        f"{'proc ev s':>9} {'proc as s':>9} {'min x':>6} {'mean x':>6} {'run ev s':>8} "
        f"{'run as s':>8} {'min x':>6} {'found-all ev/as':>15}  targets (WSS >=, each 10x)"
    )
    print(header)
    for name in sets:
        ev = [r for r in results if r["set"] == name and r["tool"] == "evidens"]
        ar = [r for r in results if r["set"] == name and r["tool"] == "asreview"]
        shared = {r["seed"] for r in ar}
        ev_same = [r for r in ev if r["seed"] in shared]

        def m(rows: list[dict[str, object]], key: str) -> float:
            return _mean([float(r[key]) for r in rows])  # type: ignore[arg-type]

        process = _per_seed_ratios(ev_same, ar, "process_s")
        in_run = _per_seed_ratios(ev_same, ar, "in_run_s")
        low_p = min(process, default=float("nan"))
        found = f"{m(ev, 'n_screened_all_found'):.0f}/{m(ar, 'n_screened_all_found'):.0f}"
        print(
            f"{name:24} {len(ev):>4} {m(ev, 'wss95'):7.3f} {len(ar):>4} {m(ar, 'wss95'):7.3f} "
            f"{PUBLISHED[name]:6.3f} {m(ev_same, 'process_s'):9.2f} {m(ar, 'process_s'):9.2f} "
            f"{low_p:6.1f} {_mean(process):6.1f} {m(ev_same, 'in_run_s'):8.2f} "
            f"{m(ar, 'in_run_s'):8.2f} {min(in_run, default=float('nan')):6.1f} {found:>15}  "
            f"{_verdict(m(ev_same, 'wss95'), m(ar, 'wss95'), low_p)}"
        )
    print("\nWSS = mean WSS@95 (insights definition); pub. = ASReview's published 5-seed mean;")
    print("proc = whole-process wall time per simulation, run = in-run time (mean over seeds);")
    print("min x / mean x = smallest / mean of the per-simulation ratios ASReview/evidens;")
    print("(times and the WSS verdict use the seeds both tools ran; n_ev/n_as = seeds run).")


def rerank_timing(n_records: int = 10_000, decisions: int = 60) -> None:
    """Re-ranking latency with a warm model at ``n_records`` records: refit after one more
    decision and rank all unscreened records, at a small and at a large labelled set."""
    import numpy as np

    from evidens.screening.ranking import Ranker, model_spec, rank_unlabelled, tfidf_features
    from evidens.screening.simulate import read_labelled_csv

    texts: list[str] = []
    labels: list[int] = []
    for name in SETS[::-1]:  # largest sets first, then cut at n_records
        data = read_labelled_csv((SHARED / f"{name}.csv").read_text(encoding="utf-8"))
        texts += data.texts
        labels += data.labels
    texts, y = texts[:n_records], np.asarray(labels[:n_records], dtype=np.int64)
    spec = model_spec("svm")
    start = time.perf_counter()
    ranker = Ranker(tfidf_features(texts, spec), spec)
    print(f"\nre-ranking at {len(texts)} records: features {time.perf_counter() - start:.2f} s")
    rng = np.random.default_rng(0)
    order = list(rng.permutation(len(texts)))
    for labelled_count in (200, 2000):
        labelled = order[:labelled_count]
        rows = np.asarray(labelled, dtype=np.int64)
        ranker.fit(rows, y[rows])  # warm up at this size
        times = []
        for extra in order[labelled_count : labelled_count + decisions]:
            labelled.append(extra)
            rows = np.asarray(labelled, dtype=np.int64)
            tick = time.perf_counter()
            ranker.fit(rows, y[rows])
            rank_unlabelled(ranker, rows)
            times.append(time.perf_counter() - tick)
        print(
            f"  {labelled_count} labelled: refit + rank per decision mean "
            f"{1000 * sum(times) / len(times):.1f} ms, max {1000 * max(times):.1f} ms "
            f"(target < 300 ms)"
        )


def _print_row(tool: str, name: str, seed: int, row: dict[str, object]) -> None:
    print(
        f"{tool:8} {name:24} seed {seed:>2}: WSS@95 {row['wss95']:.3f} found-all "
        f"{row['n_screened_all_found']} process {row['process_s']:.1f} s "
        f"in-run {row['in_run_s']:.1f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[42, 1, 2, 3, 4])
    parser.add_argument("--asreview-seeds", nargs="+", type=int, default=None)
    parser.add_argument("--skip-asreview", action="store_true")
    parser.add_argument("--results", type=Path, default=REPO / ".bench-venvs" / "screening.jsonl")
    parser.add_argument("--fresh", action="store_true", help="ignore earlier results")
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument("--rerank", action="store_true", help="also time re-ranking at 10k")
    parser.add_argument("--rerun-evidens", action="store_true", help="drop earlier evidens rows")
    args = parser.parse_args()
    if args.fresh and args.results.exists():
        args.results.unlink()
    results = load(args.results)
    if args.rerun_evidens:
        results = [r for r in results if r["tool"] != "evidens"]
        args.results.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    if not args.table_only:
        as_seeds = set(args.seeds if args.asreview_seeds is None else args.asreview_seeds)
        if not args.skip_asreview:
            ensure_asreview()
        for seed in args.seeds:  # seed-major, so a partial run covers every set
            for name in args.sets:
                todo = [("evidens", run_evidens)]
                if not args.skip_asreview and seed in as_seeds:
                    todo.insert(0, ("asreview", run_asreview))
                for tool, runner in todo:
                    if any(
                        r["tool"] == tool and r["set"] == name and r["seed"] == seed
                        for r in results
                    ):
                        continue
                    row = runner(name, seed)
                    results.append(row)
                    with args.results.open("a", encoding="utf-8") as handle:
                        handle.write(json.dumps(row) + "\n")
                    _print_row(tool, name, seed, row)
    print_table(results, args.sets)
    if args.rerank:
        rerank_timing()


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    main()
