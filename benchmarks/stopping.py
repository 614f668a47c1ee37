"""Benchmark: every stopping rule on every labelled set, over many simulated screenings.

For each set in ../shared/data/screening and each seed, one simulated prioritised screening
(evidens' default model, ASReview's 1+1 prior draw with that seed) is run to the very end, so
the label of every record is known in screening order. Every rule then reads that same order
(:func:`evidens.screening.stopping_rules.replay`, checked every 10 records); rules that need
a random sample draw it from a permutation seeded by the same seed. Per rule and set this
prints reliability (share of runs with recall >= 95%), lowest and mean recall at the stop,
and mean records saved (share never screened); a rule that never stops screens everything
(recall 1, nothing saved). The hindsight optimum is the saving of stopping exactly when 95%
recall is reached.

Usage: python benchmarks/stopping.py [--sets A B] [--seeds 0 1 ...] [--results FILE]
Simulated runs are cached in a JSON-lines file (one per set and seed) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from evidens.screening.simulate import read_labelled_csv, simulate
from evidens.screening.stopping import hypergeometric_stop
from evidens.screening.stopping_rules import DEFAULT_RULE, hindsight_saved, replay

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "screening"
SETS = (
    "Cohen_2006_ADHD",
    "Kitchenham_2010",
    "Bannach-Brown_2019",
    "Appenzeller-Herzog_2019",
    "van_de_Schoot_2018",
    "Radjenovic_2013",
)
TARGET = 0.95


def simulated_run(name: str, seed: int) -> dict[str, object]:
    """One run screened to the end: labels in screening order, the priors first."""
    path = SHARED / f"{name}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        data = read_labelled_csv(handle, str(path))
    result = simulate(data, seed=seed, prior_seed=seed, beyond_last=len(data.labels))
    return {
        "set": name,
        "seed": seed,
        "n_records": result.n_records,
        "labels": [1, 0, *result.labels_in_order],
        "wall_s": round(result.wall_s, 3),
    }


def load_runs(path: Path, sets: list[str], seeds: list[int]) -> list[dict[str, object]]:
    cached: dict[tuple[str, int], dict[str, object]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            cached[(str(row["set"]), int(row["seed"]))] = row
    runs = []
    for name in sets:
        for seed in seeds:
            if (name, seed) not in cached:
                cached[(name, seed)] = simulated_run(name, seed)
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(cached[(name, seed)]) + "\n")
                print(f"simulated {name} seed {seed} in {cached[(name, seed)]['wall_s']} s")
            runs.append(cached[(name, seed)])
    return runs


Outcomes = dict[tuple[str, str], list[tuple[float, float]]]


def evaluate(runs: list[dict[str, object]]) -> tuple[Outcomes, dict[str, list[float]], float]:
    """(rule, set) -> [(recall, saved)], set -> [hindsight saved], and the replay's seconds."""
    outcomes: Outcomes = {}
    hindsight: dict[str, list[float]] = {}
    replay_s = 0.0
    for run in runs:
        labels = [int(y) for y in run["labels"]]  # type: ignore[attr-defined]
        total, name = int(run["n_records"]), str(run["set"])  # type: ignore[call-overload]
        draw = np.random.default_rng(int(run["seed"])).permutation(total).tolist()  # type: ignore[call-overload]
        start = time.perf_counter()
        for outcome in replay(labels, total, draw_order=draw):
            recall = 1.0 if outcome.recall is None else outcome.recall
            saved = 0.0 if outcome.saved is None else outcome.saved
            outcomes.setdefault((outcome.key, name), []).append((recall, saved))
        replay_s += time.perf_counter() - start
        hindsight.setdefault(name, []).append(hindsight_saved(labels, TARGET))
    return outcomes, hindsight, replay_s


def _reliability(rows: list[tuple[float, float]]) -> float:
    return sum(r >= TARGET - 1e-12 for r, _ in rows) / len(rows)


def print_table(outcomes: Outcomes, hindsight: dict[str, list[float]]) -> None:
    sets = list(hindsight)
    keys = list(dict.fromkeys(key for key, _ in outcomes))
    print(f"\nPer rule and set ({len(next(iter(hindsight.values())))} runs each): reliability "
          f"(recall >= {TARGET:.0%}), lowest / mean recall, mean records saved\n")  # fmt: skip
    print("| rule | set | reliability | lowest recall | mean recall | saved (mean) |")
    print("|---|---|---:|---:|---:|---:|")
    overall = {}
    for key in keys:
        saved_all = []
        for name in sets:
            rows = outcomes[(key, name)]
            recalls = [r for r, _ in rows]
            saved = [s for _, s in rows]
            saved_all += saved
            reliable = _reliability(rows)
            tag = f"**{key}** (default)" if key == DEFAULT_RULE else key
            print(
                f"| {tag} | {name} | {reliable:.0%} | {min(recalls):.3f} | "
                f"{statistics.fmean(recalls):.3f} | {statistics.fmean(saved):.0%} |"
            )
        overall[key] = statistics.fmean(saved_all)
    print("\n| set | hindsight optimum, saved (mean; min-max) |\n|---|---:|")
    for name in sets:
        values = hindsight[name]
        print(f"| {name} | {statistics.fmean(values):.0%} ({min(values):.0%}-{max(values):.0%}) |")
    print("\n| rule | records saved, mean over all runs | sets with reliability >= 95% |")
    print("|---|---:|---:|")
    for key in keys:
        good = sum(_reliability(outcomes[(key, name)]) >= 0.95 for name in sets)
        print(f"| {key} | {overall[key]:.0%} | {good} / {len(sets)} |")


def plot(outcomes: Outcomes, sets: list[str], path: Path) -> None:
    """Each rule as a point: mean records saved against its worst set's reliability, with the
    issue's targets (>= 95% of runs on every set, >= 45% saved) as lines."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4.8), dpi=110)
    axes = figure.add_subplot()
    points: dict[tuple[float, float], list[str]] = {}
    for key in dict.fromkeys(k for k, _ in outcomes):
        saved = 100 * statistics.fmean(s for name in sets for _, s in outcomes[(key, name)])
        worst = 100 * min(_reliability(outcomes[(key, name)]) for name in sets)
        name = f"{key} (default)" if key == DEFAULT_RULE else key
        points.setdefault((round(worst, 1), round(saved, 1)), []).append(name)
    for i, ((worst, saved), names) in enumerate(sorted(points.items())):
        colour = "tab:green" if any("default" in n for n in names) else "tab:blue"
        axes.scatter([saved], [worst], color=colour, zorder=3)
        offset = (8, (-16, 10, -28, 22)[i % 4])  # neighbours' labels apart
        style = {"arrowstyle": "-", "color": "0.6", "lw": 0.5}
        axes.annotate(", ".join(names), (saved, worst), textcoords="offset points",
                      xytext=offset, fontsize=8, arrowprops=style)  # fmt: skip
    axes.axhline(95, color="grey", linestyle="--", linewidth=0.8)
    axes.axvline(45, color="grey", linestyle="--", linewidth=0.8)
    axes.set_xlim(-3, 100)
    axes.set_ylim(-14, 118)
    axes.set_xlabel("records saved, mean over all runs (%)")
    axes.set_ylabel("reliability on the worst set (%)")
    axes.set_title("Stopping rules: the target is the top-right corner (dashed lines)")
    figure.tight_layout()
    figure.savefig(path)


def perfect_ranking_ceiling(total: int, relevant: int, confidence: float = 0.95) -> float:
    """What the default test saves on a set with a perfect ranking (every relevant record
    first, then irrelevant ones until the test stops): the share never screened. A better
    ranker cannot take the test past this while it keeps full recall; stopping earlier takes
    a ranking that has missed relevant records, or a rule that assumes more."""
    low, high = 0, total - relevant
    while low < high:  # the smallest run of irrelevant records after the last relevant one
        middle = (low + high) // 2
        labels = [1] * relevant + [0] * middle
        stops = hypergeometric_stop(labels, total, confidence=confidence).stop
        low, high = (low, middle) if stops else (middle + 1, high)
    return (total - relevant - low) / total


def print_ceilings(sets: list[str]) -> None:
    """Per set, the default test's saving with a perfect ranking, beside the issue's 45%."""
    print("\nCeiling of the default test (95% recall, 95% confidence) with a perfect ranking:")
    ceilings = []
    for name in sets:
        path = SHARED / f"{name}.csv"
        with path.open(encoding="utf-8-sig", newline="") as handle:
            labels = read_labelled_csv(handle, str(path)).labels
        total, relevant = len(labels), sum(labels)
        ceilings.append(perfect_ranking_ceiling(total, relevant))
        print(f"  {name:<26} {total:>6} records, {relevant:>4} relevant: {ceilings[-1]:.1%} saved")
    print(f"  mean {statistics.mean(ceilings):.1%} (the issue's target: 45%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=list(range(10)))
    parser.add_argument(
        "--results", type=Path, default=REPO / ".bench-venvs" / "stopping-runs.jsonl"
    )
    parser.add_argument("--plot", type=Path, default=None, help="write the summary as PNG")
    args = parser.parse_args()
    args.results.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    runs = load_runs(args.results, args.sets, args.seeds)
    outcomes, hindsight, replay_s = evaluate(runs)
    sim_s = sum(float(str(r["wall_s"])) for r in runs)
    print_table(outcomes, hindsight)
    print_ceilings(args.sets)
    if args.plot:
        plot(outcomes, list(hindsight), args.plot)
    print(
        f"\n{len(runs)} runs; simulation (in-run) {sim_s:.0f} s, replay of every rule "
        f"{replay_s:.0f} s, wall {time.perf_counter() - start:.0f} s; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
