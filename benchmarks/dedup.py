"""De-duplication: evidens.dedup against bib-dedupe on every labelled set, plus 100,000 records.

For each set in ../shared/data/dedup both tools cluster the records; both predictions are
scored by ../shared/tools/dedup_score.py. The table shows unique articles wrongly removed,
duplicates left in, sensitivity, pairs sent to a person (evidens: uncertain; bib-dedupe:
"maybe") and wall time, then the speed ratio over all sets (target: evidens >= 10x faster).
A second evidens row ("evidens+rel") uses the options that merge related reports (errata and
replies into their item, meeting abstracts into their paper): some labelled sets count those
as duplicates, others (even the same set, elsewhere) do not, so both figures are printed.
bib-dedupe runs in its own venv (.bench-venvs/bibdedupe, created here when absent) with its
default settings (all cores). Finally a synthetic 100,000-record set is clustered in a child
process that reports its time and peak memory (targets: < 60 s, < 4 GB).

Run: .venv/bin/python benchmarks/dedup.py [--skip-peer] [--synthetic N]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

from evidens.cli.dedup_cmd import read_file, write_clusters
from evidens.core import Record
from evidens.dedup import Deduplicator

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data" / "dedup"
SCORER = SHARED / "tools" / "dedup_score.py"
PEER_VENV = REPO / ".bench-venvs" / "bibdedupe"
PEER_PACKAGE = "bib-dedupe==0.11.0"

PEER_RUNNER = """
import sys, time, json
import pandas as pd
from bib_dedupe.bib_dedupe import prep, block, match, cluster
source, out = sys.argv[1], sys.argv[2]
df = pd.read_csv(source, dtype=str, keep_default_na=False)
df = df.rename(columns={"record_id": "ID", "authors": "author", "issue": "number"})
df["ENTRYTYPE"] = "article"
df = df.drop(columns=["dup_group", "source_db", "pmid"])
start = time.perf_counter()
matched = match(block(prep(df, verbosity_level=0), verbosity_level=0), verbosity_level=0)
groups = cluster(matched, verbosity_level=0)
elapsed = time.perf_counter() - start
cluster_of = {rid: n for n, members in enumerate(groups) for rid in members}
with open(out, "w", encoding="utf-8") as f:
    f.write("record_id,cluster_id\\n")
    for n, rid in enumerate(df["ID"]):
        f.write(f"{rid},{cluster_of.get(rid, 'single' + str(n))}\\n")
maybe = int((matched["duplicate_label"] == "maybe").sum()) if len(matched) else 0
print(json.dumps({"seconds": elapsed, "maybe": maybe}))
"""


def score(truth: Path, predicted: Path) -> dict[str, float]:
    """The scorer's figures for one prediction."""
    done = subprocess.run(
        [sys.executable, str(SCORER), str(truth), str(predicted), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


RELATED = {"notices_same": True, "abstracts_same": True}
"""The options under which related reports of one study count as one record."""


def run_evidens(truth: Path, out: Path, **options: bool) -> tuple[float, int]:
    """Seconds to read, cluster and write one set, and the number of uncertain pairs."""
    start = time.perf_counter()
    ids, records = read_file(truth)
    result = Deduplicator(**options).fit(records)
    write_clusters(out, ids, result)
    return time.perf_counter() - start, len(result.uncertain)


def peer_python() -> Path:
    """bib-dedupe's interpreter, installing it into its own venv on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {PEER_VENV} with {PEER_PACKAGE} ...", flush=True)
        venv.create(PEER_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PEER_PACKAGE], check=True)
    return python


def run_peer(python: Path, truth: Path, out: Path) -> tuple[float, int]:
    """bib-dedupe's own clustering time (prep+block+match+cluster) and its "maybe" pairs."""
    done = subprocess.run(
        [str(python), "-c", PEER_RUNNER, str(truth), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return float(figures["seconds"]), int(figures["maybe"])


def _row(name: str, tool: str, figures: dict[str, float], unsure: int, seconds: float) -> str:
    return (
        f"{name:26s} {tool:11s} {int(figures['articles_lost']):>7d} "
        f"{int(figures['duplicates_left_in']):>6d} {figures['dup_removal_sensitivity']:>8.4f} "
        f"{unsure:>6d} {seconds:>8.2f}"
    )


def compare_on_labelled_sets(skip_peer: bool) -> None:
    """Print the side-by-side table and the speed ratio over all sets."""
    python = None if skip_peer else peer_python()
    print(f"{'set':26s} {'tool':11s} {'removed':>7s} {'left':>6s} {'sens':>8s} {'unsure':>6s} "
          f"{'seconds':>8s}  (removed = unique articles wrongly removed)")  # fmt: skip
    totals = {"evidens": 0.0, "bib-dedupe": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for truth in sorted(DATA.glob("*.csv")):
            name = truth.stem
            ours = Path(tmp) / f"{name}.evidens.csv"
            seconds, unsure = run_evidens(truth, ours)
            totals["evidens"] += seconds
            print(_row(name, "evidens", score(truth, ours), unsure, seconds), flush=True)
            related = Path(tmp) / f"{name}.related.csv"
            extra, unsure = run_evidens(truth, related, **RELATED)
            print(_row(name, "evidens+rel", score(truth, related), unsure, extra), flush=True)
            if python is not None:
                theirs = Path(tmp) / f"{name}.bibdedupe.csv"
                seconds, maybe = run_peer(python, truth, theirs)
                totals["bib-dedupe"] += seconds
                print(_row(name, "bib-dedupe", score(truth, theirs), maybe, seconds), flush=True)
    print(f"total time: evidens {totals['evidens']:.1f} s", end="")
    if python is not None:
        ratio = totals["bib-dedupe"] / totals["evidens"]
        print(f", bib-dedupe {totals['bib-dedupe']:.1f} s -> evidens {ratio:.1f}x faster")
    else:
        print()


_WORDS = (
    "randomised", "controlled", "trial", "exercise", "therapy", "adults", "chronic", "low",
    "back", "pain", "versus", "usual", "care", "outcomes", "disability", "quality", "life",
    "follow", "months", "cohort", "insulin", "resistance", "lipoprotein", "glucagon",
    "peptide", "mice", "vascular", "lesion", "screening", "cervical", "cytology", "digital",
    "platform", "crowdwork", "labour", "market", "hospital", "infection", "copper", "surface",
)  # fmt: skip
_SURNAMES = [
    stem + ending
    for stem in ("Wang", "Smith", "Garcia", "Chen", "Muller", "Rossi", "Kim", "Novak", "Silva",
                 "Ito", "Okafor", "Jensen", "Dubois", "Khan")
    for ending in ("", "son", "ez", "ini", "berg", "ova", "ski", "ton", "ard", "elli", "sen",
                   "ura", "ado", "ek", "ley", "mann", "is", "oglu", "ic", "ler")
]  # fmt: skip
_JOURNALS = [f"Journal of {a} {b}" for a in ("Clinical", "Applied", "Experimental", "Digital")
             for b in ("Medicine", "Research", "Studies", "Science", "Health")]  # fmt: skip


def synthetic_records(count: int, seed: int = 7) -> list[Record]:
    """Articles with about 25% extra copies as other databases write them."""
    rng = random.Random(seed)
    records: list[Record] = []
    while len(records) < count:
        n = len(records)
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(7, 15))).capitalize()
        first = rng.randrange(1, 2000)
        article = Record(
            title=title,
            authors=tuple(f"{rng.choice(_SURNAMES)}, {chr(65 + rng.randrange(26))}."
                          for _ in range(rng.randrange(1, 6))),
            year=rng.randrange(1990, 2025),
            journal=rng.choice(_JOURNALS),
            volume=str(rng.randrange(1, 90)),
            pages=f"{first}-{first + rng.randrange(2, 15)}",
            doi=f"10.{rng.randrange(1000, 9999)}/synth.{n}" if rng.random() < 0.7 else None,
            source_database="medline",
        )  # fmt: skip
        records.append(article)
        if rng.random() < 0.25 and len(records) < count:
            records.append(
                Record(
                    title=title.upper() + ".",
                    authors=tuple(a.replace(", ", " ").replace(".", "") for a in article.authors),
                    year=article.year,
                    journal=article.journal,
                    volume=article.volume,
                    pages=f"{first}-{str(first + 5)[-1:]}",
                    doi=None,
                    source_database="embase",
                )
            )
    return records


def synthetic_child(count: int) -> None:
    """Run in a child process so that peak memory is this set's alone."""
    records = synthetic_records(count)
    start = time.perf_counter()
    result = Deduplicator().fit(records)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"records": count, "seconds": seconds, "peak_mb": peak_mb}
    figures |= {"removed": result.n_removed, "uncertain": len(result.uncertain)}
    print(json.dumps(figures))


def synthetic(count: int) -> None:
    done = subprocess.run(
        [sys.executable, __file__, "--synthetic-child", str(count)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"synthetic {figures['records']:,} records: {figures['seconds']:.1f} s "
        f"(target < 60 s), peak memory {figures['peak_mb']:.0f} MB (target < 4096 MB), "
        f"{figures['removed']:,} removed, {figures['uncertain']} uncertain pairs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--skip-peer", action="store_true", help="do not run bib-dedupe")
    parser.add_argument("--synthetic", type=int, default=100_000, help="records (0: skip)")
    parser.add_argument("--synthetic-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.synthetic_child:
        synthetic_child(args.synthetic_child)
        return
    compare_on_labelled_sets(args.skip_peer)
    if args.synthetic:
        synthetic(args.synthetic)


if __name__ == "__main__":
    main()
