"""Benchmark: evidens.meta vs R metafor (Debian r-cran-metafor), timed in the same run.

Workloads (simulated 2×2 tables, log risk ratios, true τ = 0.2, seed 2024):
* DL and REML random-effects models (escalc + rma.uni) and Mantel–Haenszel (rma.mh) at
  k = 10, 1,000 and 100,000 studies;
* a batch of 10,000 small analyses (k = 5 .. 12) with REML;
* rma.mv: a three-level REML model (effect sizes in studies, ``~ 1 | study/es``, about five
  effect sizes per study) at k = 1,000 and 10,000, and a contrast-based random-effects
  network (10 treatments, 100 studies, 15% three-arm, log odds ratios, CS with rho = 1/2) —
  both tools fit the same contrasts and covariance matrix. metafor is run with its default
  dense matrices and with ``sparse = TRUE``.
Each tool times only its own computation (data already in memory): R with ``proc.time()``
inside one Rscript process, evidens with ``time.perf_counter()``. Small k is repeated and the
median per call is reported. metafor's ``rma.uni`` builds k×k matrices; at k = 100,000 that is
74.5 GB. R runs with an address-space limit of 12 GB so that it reports that allocation failure
itself (without a limit, an over-committing kernel lets the allocation pass and then kills R).

R (r-base-core r-cran-metafor r-cran-metadat) is installed with apt-get when absent.
Usage: python benchmarks/meta.py [--skip-r] [--batch 10000] [--mv-only]
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
from evidens.meta.mv import MvFit, fit_rma_mv
from evidens.meta.mv_structures import GroupedEffects, NestedLevels
from evidens.meta.nma import NetworkMetaAnalysis
from evidens.meta.nma_data import NetworkArm, contrasts_from_arms
from evidens.meta.rma import fit_rma

KS = (10, 1_000, 100_000)
# what both R scripts start with: metafor, the data folder, a timer and a guarded report
R_PRELUDE = r"""
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
"""
MV_KS = (1_000, 10_000)
MV_REPEATS = {1_000: 5, 10_000: 3, "nma": 5}
R_MV_SCRIPT = (
    R_PRELUDE
    + r"""
large <- length(commandArgs(trailingOnly = TRUE)) > 1
for (k in c(1000L, 10000L)) {
  d <- read.csv(file.path(dir, paste0("ml", k, ".csv")))
  if (k == 1000) {
    # dense: about 5 minutes per fit here, so one fit
    safe("ML3_1000", function() rma.mv(yi, vi, random = ~ 1 | study/es, data = d), 1)
    safe("ML3sparse_1000", function()
      rma.mv(yi, vi, random = ~ 1 | study/es, data = d, sparse = TRUE), 3)
  } else if (large) {
    safe("ML3sparse_10000", function()
      rma.mv(yi, vi, random = ~ 1 | study/es, data = d, sparse = TRUE), 1)
  }
  if (k == 1000 || large) {
    fit <- rma.mv(yi, vi, random = ~ 1 | study/es, data = d, sparse = TRUE)
    report(paste0("ML3sigma1_", k), fit$sigma2[1])
  }
}
n <- read.csv(file.path(dir, "nma.csv"))
V <- as.matrix(read.csv(file.path(dir, "nma_V.csv"), header = FALSE))
X <- as.matrix(n[, grepl("^x", names(n))])
safe("NMA", function() rma.mv(n$yi, V, mods = X, intercept = FALSE,
                               random = ~ comp | study, rho = 1/2, data = n), 5)
fit <- rma.mv(n$yi, V, mods = X, intercept = FALSE, random = ~ comp | study, rho = 1/2, data = n)
report("NMAtau2", fit$tau2)
"""
)

R_MEMORY_LIMIT = 12 * 2**30
REPEATS = {10: 200, 1_000: 20, 100_000: 3}
R_SCRIPT = (
    R_PRELUDE
    + r"""
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
)


def simulate(k: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n1 = rng.integers(30, 300, k)
    n2 = rng.integers(30, 300, k)
    base = rng.uniform(0.05, 0.3, k)
    risk1 = np.clip(base * np.exp(rng.normal(-0.3, 0.2, k)), 0.001, 0.95)
    a = rng.binomial(n1, risk1)
    c = rng.binomial(n2, base)
    return {"ai": a, "bi": n1 - a, "ci": c, "di": n2 - c}


def simulate_three_level(k: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Studies with 1-9 effect sizes; sigma = 0.25 between, 0.15 within studies."""
    sizes: list[int] = []
    while sum(sizes) < k:
        sizes.append(min(int(rng.integers(1, 10)), k - sum(sizes)))
    study = np.repeat(np.arange(len(sizes)), sizes)
    es = np.concatenate([np.arange(n) for n in sizes])
    vi = rng.uniform(0.01, 0.1, k)
    yi = 0.2 + rng.normal(0, 0.25, len(sizes))[study] + rng.normal(0, 0.15, k)
    yi += rng.normal(0, np.sqrt(vi))
    return {"study": study, "es": es, "yi": yi, "vi": vi}


def simulate_network(
    rng: np.random.Generator, n_studies: int = 100, n_treat: int = 10
) -> list[NetworkArm]:
    """Binary arms: every study has treatment pairs drawn at random, 15% a third arm."""
    effect = np.concatenate([[0.0], rng.normal(-0.3, 0.3, n_treat - 1)])
    arms = []
    for s in range(n_studies):
        n_arms = 3 if rng.random() < 0.15 else 2
        ts = rng.choice(n_treat, n_arms, replace=False)
        base = rng.normal(-1.0, 0.5)
        shift = rng.normal(0, 0.2)
        for t in ts:
            n = int(rng.integers(50, 300))
            p = 1 / (1 + np.exp(-(base + effect[t] + shift)))
            arms.append(NetworkArm(f"s{s}", f"T{t:02d}", n, events=float(rng.binomial(n, p))))
    return arms


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


def run_evidens_mv(
    ml: dict[int, dict[str, np.ndarray]], arms: list[NetworkArm]
) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, d in ml.items():

        def three_level(d: dict[str, np.ndarray] = d) -> MvFit:
            nested = NestedLevels((d["study"], d["es"]), ("study", "es"))
            return fit_rma_mv(d["yi"], d["vi"], random=[nested])

        out[f"ML3_{k}"] = median_time(three_level, MV_REPEATS[k])
        fit = three_level()
        out[f"ML3sigma1_{k}"] = float(fit.theta[0])
    con = contrasts_from_arms(arms, "OR", treatments=sorted({a.treatment for a in arms}))
    xmat, _ = NetworkMetaAnalysis().design(con, con.treatments[0])

    def nma() -> MvFit:
        cs = GroupedEffects(con.comp, con.study, "CS", fixed_rho=(0.5,))
        return fit_rma_mv(con.yi, con.V, xmat, random=[cs])

    out["NMA"] = median_time(nma, MV_REPEATS["nma"])
    out["NMAtau2"] = float(nma().theta[0])
    out["NMA_pipeline"] = median_time(
        lambda: (
            NetworkMetaAnalysis()
            .fit(contrasts_from_arms(arms, "OR", treatments=con.treatments))
            .pscores()
        ),
        MV_REPEATS["nma"],
    )
    return out


def write_mv_inputs(
    folder: Path, ml: dict[int, dict[str, np.ndarray]], arms: list[NetworkArm]
) -> None:
    for k, d in ml.items():
        rows = np.column_stack([d["study"], d["es"], d["yi"], d["vi"]])
        np.savetxt(
            folder / f"ml{k}.csv",
            rows,
            delimiter=",",
            header="study,es,yi,vi",
            comments="",
            fmt=["%d", "%d", "%.17g", "%.17g"],
        )
    con = contrasts_from_arms(arms, "OR", treatments=sorted({a.treatment for a in arms}))
    xmat, names = NetworkMetaAnalysis().design(con, con.treatments[0])
    lines = ["study,comp,yi," + ",".join(f"x{i}" for i in range(len(names)))]
    for r in range(len(con.yi)):
        xs = ",".join(f"{v:g}" for v in xmat[r])
        lines.append(f"{con.study[r]},{con.comp[r].replace(' ', '_')},{con.yi[r]:.17g},{xs}")
    (folder / "nma.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    np.savetxt(folder / "nma_V.csv", con.V, delimiter=",", fmt="%.17g")


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (R_MEMORY_LIMIT, R_MEMORY_LIMIT))


def run_r(
    folder: Path, source: str = R_SCRIPT, extra: tuple[str, ...] = ()
) -> dict[str, float | str]:
    script = folder / "bench.R"
    script.write_text(source, encoding="utf-8")
    res = subprocess.run(
        ["Rscript", str(script), str(folder), *extra],
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
    ap.add_argument("--mv-only", action="store_true", help="only the rma.mv workloads")
    ap.add_argument(
        "--r-large", action="store_true", help="also time metafor at k = 10,000 (hours here)"
    )
    args = ap.parse_args()
    if args.mv_only:
        main_mv(args.skip_r, args.r_large)
        return
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
    main_mv(args.skip_r, args.r_large)


def main_mv(skip_r: bool, r_large: bool = False) -> None:
    rng = np.random.default_rng(2026)
    ml = {k: simulate_three_level(k, rng) for k in MV_KS}
    arms = simulate_network(rng)
    r_res: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_mv_inputs(folder, ml, arms)
        ev = run_evidens_mv(ml, arms)
        if not skip_r and ensure_r():
            r_res = run_r(folder, R_MV_SCRIPT, ("large",) if r_large else ())
    print(
        f"{'rma.mv workload':<26}{'evidens':>14}  {'metafor':>22}{'ratio':>9}"
        f"  {'metafor sparse':>16}{'ratio':>9}"
    )
    for key, label in [(f"ML3_{k}", f"three-level REML k={k}") for k in MV_KS] + [
        ("NMA", "NMA RE 10 treat/100 st")
    ]:
        rv = r_res.get(key, "error: not run (--r-large)" if key.endswith("10000") else None)
        sv = r_res.get(key.replace("ML3", "ML3sparse"), "error: not run (--r-large)")
        ratio = f"{rv / ev[key]:7.1f}x" if isinstance(rv, float) else "-"
        sratio = f"{sv / ev[key]:7.1f}x" if isinstance(sv, float) and key != "NMA" else "-"
        sfmt = fmt(sv) if key != "NMA" else "-"
        print(f"{label:<26}{fmt(ev[key]):>14}  {fmt(rv):>22}{ratio:>9}  {sfmt:>16}{sratio:>9}")
    print(f"NMA from arms to P-scores (evidens, incl. contrasts): {fmt(ev['NMA_pipeline'])}")
    for key in (*(f"ML3sigma1_{k}" for k in MV_KS), "NMAtau2"):
        print(f"agreement {key}: evidens {ev[key]:.10g}  metafor {r_res.get(key, '-')}")


if __name__ == "__main__":
    main()
