"""A review folder's log of de-duplication verdicts: ``dedup/decisions.csv``.

Each line is a person's verdict on a pair of records - the same article (a merge) or
different ones (a keep-apart) - as ``evidens dedup --merge/--keep-apart`` or the web app's
pair queue records it in a store. Records are named by their stable keys
(:mod:`evidens.core.keys`), never by store ids, so the verdicts survive the store being
rebuilt from the folder; ``evidens run`` applies them right after automatic
de-duplication, through :func:`evidens.services.identification.dedup.decide_pair`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from evidens.errors import ConfigError
from evidens.formats.csv_formats import SEMICOLON_HINT, semicolon_delimited

PAIR_LOG = "dedup/decisions.csv"
PAIR_COLUMNS = ("record_a", "record_b", "same", "person")
_YES = {"yes", "true", "1"}
_NO = {"no", "false", "0"}


@dataclass(frozen=True)
class PairLine:
    """One verdict, still naming its two records by key."""

    path: Path
    line: int
    record_a: str
    record_b: str
    same: bool
    person: str


def read_pair_log(path: Path) -> tuple[PairLine, ...]:
    """Every verdict of ``path`` (none when it is absent); the first bad line raises a
    ConfigError naming it."""
    problems, lines = _read(path)
    if problems:
        raise problems[0]
    return lines


def pair_problems(path: Path) -> list[ConfigError]:
    """Every bad line of ``path`` (the reader stops at the first)."""
    return _read(path)[0]


def _read(path: Path) -> tuple[list[ConfigError], tuple[PairLine, ...]]:
    if not path.is_file():
        return [], ()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in PAIR_COLUMNS if c not in header]
        if missing:
            semicolons = semicolon_delimited(",".join(header))
            return [
                ConfigError(
                    "the columns are separated by semicolons, not commas"
                    if semicolons
                    else f"missing column {missing[0]!r}",
                    path=path,
                    line=1,
                    hint=SEMICOLON_HINT
                    if semicolons
                    else "the header needs: record_a,record_b,same,person",
                )
            ], ()
        problems: list[ConfigError] = []
        lines: list[PairLine] = []
        for row in reader:
            cells = {k: (v or "").strip() for k, v in row.items() if k}
            try:
                lines.append(_line(path, reader.line_num, cells))
            except ConfigError as exc:
                problems.append(exc)
    return problems, tuple(lines)


def _line(path: Path, line: int, row: dict[str, str]) -> PairLine:
    for column in PAIR_COLUMNS:
        if not row.get(column):
            raise ConfigError("empty value", path=path, line=line, field=column)
    same = row["same"].lower()
    if same not in _YES | _NO:
        raise ConfigError(
            f"same must be yes (one article: merge) or no (different: keep apart), "
            f"not {row['same']!r}",
            path=path,
            line=line,
            field="same",
        )
    if row["record_a"] == row["record_b"]:
        raise ConfigError("a record is paired with itself", path=path, line=line, field="record_b")
    return PairLine(path, line, row["record_a"], row["record_b"], same in _YES, row["person"])
