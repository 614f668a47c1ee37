"""Import speed: evidens.formats on a generated 100,000-record RIS file and MEDLINE file.

Prints records/s (target >= 20,000/s), peak resident memory, and the time rispy takes on
the same RIS file, measured in the same run (rispy lives in its own venv under
.bench-venvs/rispy, created here when absent, so it never enters the project's venv).

The "parse + store into SQLite" figure belongs to the store; call :func:`generate_ris` and
:func:`generate_medline` from a store benchmark to time that part on the same content.

Run: .venv/bin/python benchmarks/import_formats.py [--records N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

from evidens.formats import read_records

REPO = Path(__file__).resolve().parents[1]
RISPY_VENV = REPO / ".bench-venvs" / "rispy"
_WORDS = [
    "randomised",
    "controlled",
    "trial",
    "of",
    "exercise",
    "therapy",
    "in",
    "adults",
    "with",
    "chronic",
    "low",
    "back",
    "pain",
    "versus",
    "usual",
    "care",
    "outcomes",
    "pain",
    "disability",
    "quality",
    "life",
    "follow",
    "months",
    "cohort",
    "systematic",
]


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def generate_ris(path: Path, records: int, seed: int = 1) -> None:
    """A synthetic RIS export in the Scopus layout (about 1.5 KB per record)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(records):
            authors = "".join(f"AU  - Author{rng.randrange(9999)}, A.{i}\n" for i in range(4))
            keywords = "".join(f"KW  - {_words(rng, 2)}\n" for _ in range(5))
            out.write(
                f"TY  - JOUR\nTI  - {_words(rng, 14).capitalize()}\n{authors}"
                f"T2  - Journal of {_words(rng, 2).title()}\nPY  - {rng.randrange(1990, 2026)}\n"
                f"VL  - {rng.randrange(1, 80)}\nIS  - {rng.randrange(1, 12)}\n"
                f"SP  - {rng.randrange(1, 900)}\nEP  - {rng.randrange(900, 999)}\n"
                f"DO  - 10.{rng.randrange(1000, 9999)}/synth.{n}\n"
                f"AB  - {_words(rng, 120)}\n{keywords}LA  - English\nDB  - Scopus\n"
                f"UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-{85000000000 + n}\n"
                "ER  - \n\n"
            )


def generate_medline(path: Path, records: int, seed: int = 2) -> None:
    """A synthetic PubMed MEDLINE export with wrapped abstracts (about 1.5 KB per record)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(records):
            abstract = _words(rng, 120)
            wrapped = "\n      ".join(abstract[i : i + 80] for i in range(0, len(abstract), 80))
            authors = "".join(
                f"FAU - Author{rng.randrange(9999)}, Anna\nAU  - Author A\n" for _ in range(4)
            )
            mesh = "".join(f"MH  - {_words(rng, 2)}\n" for _ in range(6))
            out.write(
                f"\nPMID- {30000000 + n}\nOWN - NLM\nSTAT- MEDLINE\nIS  - 1932-6203 (Electronic)\n"
                f"VI  - {rng.randrange(1, 80)}\nIP  - 1\nDP  - {rng.randrange(1990, 2026)} Feb\n"
                f"TI  - {_words(rng, 14).capitalize()}\nPG  - 466-75\n"
                f"LID - 10.1371/synth.{n} [doi]\nAB  - {wrapped}\n{authors}LA  - eng\n"
                f"PT  - Journal Article\n{mesh}JT  - Journal of {_words(rng, 2).title()}\n"
            )


def _time_evidens(path: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, records) for reading the file's bytes into Records."""
    data = path.read_bytes()
    wall, cpu = time.perf_counter(), time.process_time()
    result = read_records(data, name=path.name)
    return time.perf_counter() - wall, time.process_time() - cpu, len(result.records)


def _rispy_python() -> Path | None:
    python = RISPY_VENV / "bin" / "python"
    if not python.exists():
        venv.create(RISPY_VENV, with_pip=True)
        install = [str(python), "-m", "pip", "install", "-q", "rispy"]
        if subprocess.run(install, check=False).returncode != 0:
            return None
    return python


def _time_rispy(path: Path) -> tuple[float, float, int] | None:
    python = _rispy_python()
    if python is None:
        return None
    script = (
        "import sys, time, rispy\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "t, c = time.perf_counter(), time.process_time(); entries = rispy.loads(text)\n"
        "print(time.perf_counter() - t, time.process_time() - c, len(entries))\n"
    )
    done = subprocess.run(
        [str(python), "-c", script, str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"rispy failed: {done.stderr.strip()[-300:]}")
        return None
    wall, cpu, count = done.stdout.split()
    return float(wall), float(cpu), int(count)


def _print_rate(label: str, count: int, wall: float, cpu: float) -> None:
    print(
        f"{label:16} {count} records in {wall:.2f} s wall = {count / wall:,.0f} records/s "
        f"({cpu:.2f} s CPU = {count / cpu:,.0f} records/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ris, medline = Path(tmp) / "synthetic.ris", Path(tmp) / "synthetic.nbib"
        generate_ris(ris, args.records)
        generate_medline(medline, args.records)
        print("target: >= 20,000 records/s parsed")
        print(
            f"files: RIS {ris.stat().st_size / 1e6:.0f} MB, MEDLINE "
            f"{medline.stat().st_size / 1e6:.0f} MB, {args.records} records each"
        )
        ris_wall, ris_cpu, ris_count = _time_evidens(ris)
        _print_rate("evidens RIS", ris_count, ris_wall, ris_cpu)
        med_wall, med_cpu, med_count = _time_evidens(medline)
        _print_rate("evidens MEDLINE", med_count, med_wall, med_cpu)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory of this process: {peak:,.0f} MB")
        rispy = _time_rispy(ris)
        if rispy is None:
            print("rispy: not measured (could not install or run it)")
        else:
            wall, cpu, count = rispy
            _print_rate("rispy RIS", count, wall, cpu)
            print(
                f"evidens / rispy speed on the same RIS: {wall / ris_wall:.2f}x wall, "
                f"{cpu / ris_cpu:.2f}x CPU"
            )
        print(
            f"machine load average during the run: {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores (wall figures suffer when it is high)"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
