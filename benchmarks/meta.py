"""Benchmark: evidens.meta vs R metafor (Debian r-cran-metafor), timed in the same run.

Workloads (simulated 2×2 tables, log risk ratios, true τ = 0.2, seed 2024):
* DL and REML random-effects models (escalc + rma.uni) and Mantel–Haenszel (rma.mh) at
  k = 10, 1,000 and 100,000 studies;
* a batch of 10,000 small analyses (k = 5 .. 12) with REML.
Each tool times only its own computation (data already in memory): R with ``proc.time()``
inside one Rscript process, evidens with ``time.perf_counter()``. Small k is repeated and the
median per call is reported. metafor's ``rma.uni`` builds k×k matrices; at k = 100,000 that is
74.5 GB. R runs with an address-space limit of 12 GB so that it reports that allocation failure
itself (without a limit, an over-committing kernel lets the allocation pass and then kills R).

R (r-base-core r-cran-metafor r-cran-metadat) is installed with apt-get when absent.
Usage: python benchmarks/meta.py [--skip-r] [--batch 10000]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from evidens.errors import EstimationError
from evidens.meta.effects import binary_effects
from evidens.meta.mh import mantel_haenszel
from evidens.meta.rma import fit_rma

KS = (10, 1_000, 100_000)
R_MEMORY_LIMIT = 12 * 2**30
REPEATS = {10: 200, 1_000: 20, 100_000: 3}
R_SCRIPT = r"""
suppressMessages(library(metafor))
dir <- commandArgs(trailingOnly = TRUE)[1]
report <- function(key, value) cat("RES", key, value, "\n")
tm <- function(f, reps) {
  t <- numeric(reps)
  for (i in seq_len(reps)) {
    t0 <- proc.time()[["elapsed"]]
    f()
    t[i] <- proc.time()[["elapsed"]] - t0
  }
  median(t)
}
safe <- function(key, f, reps) {
  v <- tryCatch(tm(f, reps),
                error = function(e) paste("error:", gsub("\n", " ", conditionMessage(e))))
  report(key, v)
}
for (k in c(10L, 1000L, 100000L)) {
  d <- read.csv(file.path(dir, paste0("k", k, ".csv")))
  reps <- if (k == 10) 200 else if (k == 1000) 20 else 3
  for (m in c("DL", "REML")) {
    safe(paste0(m, "_", k), function() {
      e <- escalc("RR", ai = d$ai, bi = d$bi, ci = d$ci, di = d$di)
      rma.uni(e$yi, e$vi, method = m)
    }, reps)
  }
  safe(paste0("MH_", k), function() {
    rma.mh(measure = "RR", ai = d$ai, bi = d$bi, ci = d$ci, di = d$di)
  }, reps)
}
b <- read.csv(file.path(dir, "batch.csv"))
groups <- split(b, b$g)
t0 <- proc.time()[["elapsed"]]
failed <- 0
for (g in groups) {
  e <- escalc("RR", ai = g$ai, bi = g$bi, ci = g$ci, di = g$di)
  ok <- tryCatch({ rma.uni(e$yi, e$vi, method = "REML"); TRUE }, error = function(err) FALSE)
  if (!ok) failed <- failed + 1
}
report("batch", proc.time()[["elapsed"]] - t0)
report("batch_failed", failed)
"""


def simulate(k: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n1 = rng.integers(30, 300, k)
    n2 = rng.integers(30, 300, k)
    base = rng.uniform(0.05, 0.3, k)
    risk1 = np.clip(base * np.exp(rng.normal(-0.3, 0.2, k)), 0.001, 0.95)
    a = rng.binomial(n1, risk1)
    c = rng.binomial(n2, base)
    return {"ai": a, "bi": n1 - a, "ci": c, "di": n2 - c}


def write_csv(path: Path, cols: dict[str, np.ndarray]) -> None:
    names = list(cols)
    rows = np.column_stack([cols[n] for n in names])
    np.savetxt(path, rows, delimiter=",", header=",".join(names), comments="", fmt="%d")


def median_time(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ensure_r() -> bool:
    if shutil.which("Rscript"):
        ok = subprocess.run(["Rscript", "-e", "library(metafor)"], check=False, capture_output=True)
        if ok.returncode == 0:
            return True
    print("installing r-base-core r-cran-metafor r-cran-metadat with apt-get ...", flush=True)
    res = subprocess.run(
        ["apt-get", "install", "-y", "-q", "r-base-core", "r-cran-metafor", "r-cran-metadat"],
        check=False,
        capture_output=True,
        text=True,
    )
    return res.returncode == 0 and shutil.which("Rscript") is not None


def run_evidens(
    data: dict[int, dict[str, np.ndarray]], batch: list[dict[str, np.ndarray]]
) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, cols in data.items():

        def iv(method: str, cols: dict[str, np.ndarray] = cols) -> None:
            es = binary_effects("RR", ai=cols["ai"], bi=cols["bi"], ci=cols["ci"], di=cols["di"])
            fit_rma(es.yi, es.vi, method=method)

        def mh(cols: dict[str, np.ndarray] = cols) -> None:
            mantel_haenszel(
                binary_effects("RR", ai=cols["ai"], bi=cols["bi"], ci=cols["ci"], di=cols["di"])
            )

        for method in ("DL", "REML"):
            out[f"{method}_{k}"] = median_time(lambda m=method: iv(m), REPEATS[k])
        out[f"MH_{k}"] = median_time(mh, REPEATS[k])
    failed = 0
    t0 = time.perf_counter()
    for g in batch:
        es = binary_effects("RR", ai=g["ai"], bi=g["bi"], ci=g["ci"], di=g["di"])
        try:
            fit_rma(es.yi, es.vi, method="REML")
        except EstimationError:
            failed += 1
    out["batch"] = time.perf_counter() - t0
    out["batch_failed"] = failed
    return out


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (R_MEMORY_LIMIT, R_MEMORY_LIMIT))


def run_r(folder: Path) -> dict[str, float | str]:
    script = folder / "bench.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    res = subprocess.run(
        ["Rscript", str(script), str(folder)],
        check=False,
        capture_output=True,
        text=True,
        timeout=3600,
        preexec_fn=_limit_memory,
    )
    parsed: dict[str, float | str] = {}
    for line in res.stdout.splitlines():
        if line.startswith("RES "):
            _, key, value = line.split(" ", 2)
            try:
                parsed[key] = float(value)
            except ValueError:
                parsed[key] = value.strip()
    if res.returncode != 0:
        print(f"R exited with status {res.returncode}: {res.stderr[-1500:]}")
    if not parsed:
        raise RuntimeError(f"R failed: {res.stderr[-2000:]}")
    return parsed


def fmt(v: float | str | None) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return "failed: " + v.replace("error: ", "")[:48]
    return f"{v * 1000:10.2f} ms" if v < 10 else f"{v:10.2f} s "


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--skip-r", action="store_true")
    ap.add_argument("--batch", type=int, default=10_000)
    args = ap.parse_args()
    rng = np.random.default_rng(2024)
    data = {k: simulate(k, rng) for k in KS}
    sizes = rng.integers(5, 13, args.batch)
    batch = [simulate(int(n), rng) for n in sizes]
    r_res: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for k, cols in data.items():
            write_csv(folder / f"k{k}.csv", cols)
        allb = {key: np.concatenate([g[key] for g in batch]) for key in ("ai", "bi", "ci", "di")}
        allb["g"] = np.repeat(np.arange(len(batch)), sizes)
        write_csv(folder / "batch.csv", allb)
        ev = run_evidens(data, batch)
        if not args.skip_r and ensure_r():
            r_res = run_r(folder)
    print(f"{'workload':<22}{'evidens':>14}  {'R metafor 3.8':>36}{'ratio':>10}")
    for key in [*(f"{m}_{k}" for k in KS for m in ("DL", "REML", "MH")), "batch"]:
        label = f"batch {args.batch} x REML" if key == "batch" else key.replace("_", " k=")
        rv = r_res.get(key)
        ratio = f"{rv / ev[key]:8.1f}x" if isinstance(rv, float) and ev[key] > 0 else "-"
        print(f"{label:<22}{fmt(ev[key]):>14}  {fmt(rv):>36}{ratio:>10}")
    if "batch_failed" in r_res:
        print(
            f"REML did not converge in {r_res['batch_failed']:.0f} (metafor) and "
            f"{ev['batch_failed']:.0f} (evidens) of the {args.batch} batch analyses; evidens "
            "falls back to bracketing the REML score when Fisher scoring oscillates"
        )
    print("ratio = metafor time / evidens time (higher = evidens faster); medians per call")


if __name__ == "__main__":
    main()
