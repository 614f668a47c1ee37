"""`evidens status` and `evidens prisma` read the same counts: on a review with duplicates,
both say how many were removed (status showed "-" for the three boxes PRISMA nests)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from evidens.cli import app


def _ris(path: Path, numbers: range) -> Path:
    lines = []
    for i in numbers:
        lines += [
            "TY  - JOUR",
            f"TI  - Feathered dinosaur number {i} from the Yixian Formation",
            "AU  - Xu, Xing",
            "PY  - 2020",
            f"DO  - 10.4000/dino.{i}",
            "ER  - ",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ok(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_status_and_prisma_agree_on_the_duplicates_removed(tmp_path: Path) -> None:
    db = str(tmp_path / "review.db")
    _ok("init", "Dinosaurs", "--db", db)
    for source, numbers in (("PubMed", range(10)), ("Embase", range(6, 14))):
        export = _ris(tmp_path / f"{source}.ris", numbers)
        _ok("import", str(export), "--source", source, "--db", db)
    _ok("dedup", "--db", db)
    counts = json.loads(_ok("prisma", "--db", db))
    removed = counts["records_removed_before_screening"]["duplicate_records_removed"]
    assert removed == 4  # records 6-9 are in both exports
    status = _ok("status", "--db", db)
    shown = re.search(r"duplicate records removed\s*\S\s*(\S+)", status)
    assert shown is not None, status
    assert shown.group(1) == str(removed)
    identified = re.search(r"records identified\s*\S\s*(\S+)", status)
    assert identified is not None
    assert identified.group(1) == str(counts["records_identified"]["total"]) == "18"
