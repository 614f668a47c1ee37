"""Benchmark: evidens.search.translate vs Polyglot Search Translator (npm @iebh/polyglot 5.2.0).

Both translate the seed review's PubMed strategy (Table 1 of ../shared/seeds/000_*.txt) to the
same seven targets, many times, in the same run and on the same machine. Timing excludes process
start and imports on both sides: polyglot is timed inside node with process.hrtime, evidens
inside Python with time.perf_counter. Each tool's first call is a warm-up.

Besides speed, it prints each tool's Web of Science and Scopus translation of the seed and the
number of warnings each gives (polyglot gives none: it returns one string).

Usage: python benchmarks/search_translate.py [--repeat 200]
The peer is installed into .bench-venvs/polyglot with npm when absent.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "000_bb032bccad503e03.txt"
PEER = REPO / ".bench-venvs" / "polyglot"
PEER_VERSION = "5.2.0"
# evidens target id -> polyglot engine name
TARGETS = {
    "pubmed": "PubMed abbreviation",
    "ovid": "Ovid MEDLINE",
    "cochrane": "Cochrane Library",
    "embase": "Embase (Elsevier)",
    "cinahl": "CINAHL (Ebsco)",
    "wos": "WoS Advanced",
    "scopus": "Scopus (advanced search)",
}
NODE_SCRIPT = r"""
const polyglot = require('@iebh/polyglot').default;
const query = process.argv[1];
const repeat = Number(process.argv[2]);
const engines = JSON.parse(process.argv[3]);
const out = {};
for (const engine of engines) polyglot.translate(query, engine);  // warm-up
const start = process.hrtime.bigint();
for (let i = 0; i < repeat; i++) {
  for (const engine of engines) out[engine] = polyglot.translate(query, engine);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({seconds, out}));
"""


def seed_pubmed() -> str:
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.startswith("Pubmed\t"):
            return line.split("\t", 1)[1]
    raise SystemExit(f"no PubMed row in {SEED}")


def ensure_polyglot() -> None:
    if (PEER / "node_modules" / "@iebh" / "polyglot").is_dir():
        return
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed to install the peer (@iebh/polyglot)")
    print(f"installing @iebh/polyglot@{PEER_VERSION} into {PEER} ...", flush=True)
    PEER.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(PEER),
            f"@iebh/polyglot@{PEER_VERSION}",
        ],
        check=True,
    )


def run_polyglot(query: str, repeat: int) -> tuple[float, dict[str, str]]:
    engines = json.dumps(list(TARGETS.values()))
    done = subprocess.run(
        ["node", "-e", NODE_SCRIPT, query, str(repeat), engines],
        cwd=PEER,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout)
    return float(result["seconds"]), dict(result["out"])


def run_evidens(query: str, repeat: int) -> tuple[float, dict[str, tuple[str, int]]]:
    from evidens.search import translate

    for target in TARGETS:  # warm-up (grammar construction, table loading)
        translate(query, target=target)
    start = time.perf_counter()
    out: dict[str, tuple[str, int]] = {}
    for _ in range(repeat):
        for target in TARGETS:
            result = translate(query, target=target)
            out[target] = (result.text, len(result.warnings))
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    ensure_polyglot()
    query = seed_pubmed()
    calls = args.repeat * len(TARGETS)
    peer_s, peer_out = run_polyglot(query, args.repeat)
    ours_s, ours_out = run_evidens(query, args.repeat)
    print(
        f"seed PubMed strategy ({len(query)} characters) x {len(TARGETS)} targets x "
        f"{args.repeat} = {calls} translations"
    )
    print(f"polyglot {PEER_VERSION} (node): {peer_s:.3f} s  = {1e3 * peer_s / calls:.3f} ms each")
    print(f"evidens (python):        {ours_s:.3f} s  = {1e3 * ours_s / calls:.3f} ms each")
    print(f"ratio evidens/polyglot time: {ours_s / peer_s:.2f}")
    for target in ("wos", "scopus"):
        print(f"\n[{target}] polyglot: {peer_out[TARGETS[target]]}")
        text, warnings = ours_out[target]
        print(f"[{target}] evidens ({warnings} warnings): {text}")


if __name__ == "__main__":
    main()
