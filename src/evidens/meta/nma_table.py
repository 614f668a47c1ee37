"""Read arm-level network data from a plain CSV (for ``evidens network FILE.csv``).

One row per arm: ``study``, ``treatment`` and either ``events``/``n`` (binary) or
``mean``/``sd``/``n`` (continuous); an optional ``rob`` column gives the study's overall risk
of bias (low / some concerns / high) for the network graph and the bias profiles. Every bad
cell is reported as ``FILE:line`` with the column and what to fix.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from evidens.errors import InputError
from evidens.meta.nma_data import NetworkArm

MAX_ROWS = 100_000
_ALIASES = {
    "study": ("study", "trial", "id", "studlab"),
    "treatment": ("treatment", "treat", "arm", "intervention"),
    "events": ("events", "event", "xi", "r"),
    "n": ("n", "ni", "total", "sample_size"),
    "mean": ("mean", "mi", "m"),
    "sd": ("sd", "sdi", "s"),
    "rob": ("rob", "risk_of_bias", "overall_rob"),
}


@dataclass(frozen=True)
class ArmTable:
    arms: tuple[NetworkArm, ...]
    binary: bool
    rob: dict[str, str]


def arms_from_csv(text: str, path: str = "<csv>") -> ArmTable:
    """Parse the CSV; raises :class:`InputError` naming the line and column of a bad cell."""
    reader = csv.DictReader(io.StringIO(text))
    header = {h.strip().lower(): h for h in reader.fieldnames or []}
    cols = {
        k: next((header[a] for a in names if a in header), None) for k, names in _ALIASES.items()
    }
    for need in ("study", "treatment", "n"):
        if cols[need] is None:
            raise InputError(
                f"no {need!r} column",
                path=path,
                line=1,
                hint="columns: study, treatment, events, n (or mean, sd, n)",
            )
    binary = cols["events"] is not None
    if not binary and (cols["mean"] is None or cols["sd"] is None):
        raise InputError("need events (binary) or mean and sd (continuous)", path=path, line=1)
    arms: list[NetworkArm] = []
    rob: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        if line > MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS} arms", path=path, line=line)
        study = (row.get(str(cols["study"])) or "").strip()
        treat = (row.get(str(cols["treatment"])) or "").strip()
        if not study or not treat:
            raise InputError("empty study or treatment", path=path, line=line)

        def num(key: str, row: dict[str, str] = row, line: int = line) -> float:
            raw = (row.get(str(cols[key])) or "").strip()
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value < 0:
                raise InputError(
                    f"column {cols[key]!r}: {raw!r} is not a non-negative number",
                    path=path,
                    line=line,
                )
            return value

        n = num("n")
        if binary:
            events = num("events")
            if events > n:
                raise InputError("more events than participants", path=path, line=line)
            arms.append(NetworkArm(study, treat, n, events=events))
        else:
            arms.append(
                NetworkArm(
                    study, treat, n, mean=_signed(row, cols["mean"], path, line), sd=num("sd")
                )
            )
        if cols["rob"] is not None and (row.get(cols["rob"]) or "").strip():
            rob[study] = str(row[cols["rob"]]).strip()
    if not arms:
        raise InputError("no arms in the file", path=path)
    return ArmTable(tuple(arms), binary, rob)


def _signed(row: dict[str, str], col: str | None, path: str, line: int) -> float:
    raw = (row.get(str(col)) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"column {col!r}: {raw!r} is not a number", path=path, line=line)
    return value
