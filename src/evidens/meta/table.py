"""Read a plain CSV of per-study data into :class:`EffectSizes` (for ``evidens meta FILE.csv``).

Why column aliases: statisticians arrive with metafor's names (ai, bi, ci, di, n1i ...), RevMan
exports (events/total per arm) or their own (mean1, sd1, n1 ...). One header decides the data
type; every bad cell is reported as ``FILE:line:column`` with what to fix.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import replace

from evidens.errors import InputError, ValidationError
from evidens.meta.effects import (
    BINARY_MEASURES,
    CONTINUOUS_MEASURES,
    EffectSizes,
    binary_effects,
    continuous_effects,
    generic_effects,
)

MAX_ROWS = 1_000_000
LABEL_COLUMNS = ("study", "label", "author", "trial", "name", "id")
ALIASES: dict[str, tuple[str, ...]] = {
    "ai": ("ai", "events1", "event1", "e1", "events_t", "ev_trt"),
    "bi": ("bi",),
    "ci": ("ci", "events2", "event2", "e2", "events_c", "ev_ctrl"),
    "di": ("di",),
    "n1i": ("n1i", "total1", "n1", "total_t", "n_trt"),
    "n2i": ("n2i", "total2", "n2", "total_c", "n_ctrl"),
    "m1i": ("m1i", "mean1", "m1"),
    "sd1i": ("sd1i", "sd1"),
    "m2i": ("m2i", "mean2", "m2"),
    "sd2i": ("sd2i", "sd2"),
    "yi": ("yi", "effect", "te"),
    "vi": ("vi", "var", "variance"),
    "sei": ("sei", "se", "sete"),
}


def _resolve(header: Sequence[str]) -> dict[str, str]:
    lower = {h.strip().lower(): h for h in header}
    found: dict[str, str] = {}
    for key, names in ALIASES.items():
        for name in names:
            if name in lower:
                found[key] = lower[name]
                break
    return found


def _column(rows: list[dict[str, str]], col: str, path: str) -> list[float]:
    out = []
    for line, row in enumerate(rows, start=2):
        raw = (row.get(col) or "").strip()
        try:
            value = float(raw)
        except ValueError:
            raise InputError(
                f"{raw!r} is not a number",
                path=path,
                line=line,
                field=col,
                hint="fill every data cell with a number",
            ) from None
        if not math.isfinite(value):
            raise InputError(f"{raw!r} is not a finite number", path=path, line=line, field=col)
        out.append(value)
    return out


def effects_from_csv(
    text: str, measure: str, *, path: str = "<csv>", by: str | None = None, vtype: str = "LS"
) -> EffectSizes:
    """Parse CSV ``text`` and compute ``measure`` (RR, OR, RD, PETO, MD, SMD or GEN).

    Binary: ai, ci plus bi, di or n1i, n2i (aliases events1/total1/events2/total2);
    continuous: m1i, sd1i, n1i, m2i, sd2i, n2i (mean1/sd1/n1 ...); generic: yi with vi or sei.
    """
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = reader.fieldnames or []
    rows = []
    for i, row in enumerate(reader):
        if i >= MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS} rows", path=path, hint="split the file")
        if any((v or "").strip() for v in row.values()):
            rows.append(row)
    if not rows:
        raise InputError("no data rows", path=path, hint="the first line is the header")
    known = (*BINARY_MEASURES, *CONTINUOUS_MEASURES, "GEN")
    if measure.upper() not in known:
        raise InputError(
            f"unknown measure {measure!r}", field="measure", hint=f"use one of {', '.join(known)}"
        )
    cols = _resolve(header)
    labels = _labels(rows, header)
    es = _effects(rows, cols, measure.upper(), path, labels, vtype)
    if by is not None:
        match = {h.strip().lower(): h for h in header}.get(by.strip().lower())
        if match is None:
            raise InputError(
                f"no column {by!r} for subgroups",
                path=path,
                line=1,
                field=by,
                hint=f"columns are: {', '.join(header)}",
            )
        es = replace(es, groups=tuple((r.get(match) or "").strip() or "(missing)" for r in rows))
    return es


def _labels(rows: list[dict[str, str]], header: Sequence[str]) -> list[str]:
    lower = {h.strip().lower(): h for h in header}
    for name in LABEL_COLUMNS:
        if name in lower:
            return [
                (r.get(lower[name]) or "").strip() or f"Study {i + 1}" for i, r in enumerate(rows)
            ]
    return [f"Study {i + 1}" for i in range(len(rows))]


def _effects(
    rows: list[dict[str, str]],
    cols: dict[str, str],
    measure: str,
    path: str,
    labels: list[str],
    vtype: str,
) -> EffectSizes:
    def col(key: str) -> list[float]:
        return _column(rows, cols[key], path)

    if measure in BINARY_MEASURES:
        if not {"ai", "ci"} <= cols.keys():
            raise InputError(
                f"{measure} needs event counts: columns ai and ci (or events1 and events2)",
                path=path,
                line=1,
            )
        if {"bi", "di"} <= cols.keys():
            b, d = col("bi"), col("di")
        elif {"n1i", "n2i"} <= cols.keys():
            b = [n - a for n, a in zip(col("n1i"), col("ai"), strict=True)]
            d = [n - c for n, c in zip(col("n2i"), col("ci"), strict=True)]
        else:
            raise InputError(
                "binary data needs bi and di, or totals n1i and n2i (total1, total2)",
                path=path,
                line=1,
            )
        _no_negative(b + d, labels * 2, path)
        return binary_effects(
            measure,
            ai=col("ai"),
            bi=b,
            ci=col("ci"),
            di=d,
            labels=labels,
            add=0.0 if measure == "PETO" else 0.5,
            to="none" if measure == "PETO" else "only0",
            drop00=measure != "RD",
        )
    if measure in CONTINUOUS_MEASURES:
        need = ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")
        missing = [k for k in need if k not in cols]
        if missing:
            raise InputError(
                f"{measure} needs columns {', '.join(need)} (or mean1, sd1, n1 ...);"
                f" missing {', '.join(missing)}",
                path=path,
                line=1,
            )
        c = {k: col(k) for k in need}
        return continuous_effects(
            measure,
            m1i=c["m1i"],
            sd1i=c["sd1i"],
            n1i=c["n1i"],
            m2i=c["m2i"],
            sd2i=c["sd2i"],
            n2i=c["n2i"],
            labels=labels,
            vtype="UB" if vtype == "UB" else "LS",
        )
    if "yi" not in cols or not ({"vi", "sei"} & cols.keys()):
        raise InputError("generic data needs yi and vi (or sei)", path=path, line=1)
    vi = col("vi") if "vi" in cols else [s * s for s in col("sei")]
    return generic_effects(col("yi"), vi, labels=labels, measure=measure)


def _no_negative(values: list[float], labels: list[str], path: str) -> None:
    for value, label in zip(values, labels, strict=True):
        if value < 0:
            raise ValidationError(
                f"{label}: more events than participants",
                path=path,
                hint="check the events and total columns",
            )
