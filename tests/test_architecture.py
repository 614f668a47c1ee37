"""docs/architecture.md stays true: every file or folder its "where things go" table names
exists, and every services module is named in its package table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_place_the_table_names_exists() -> None:
    table = DOC.split("## Where things go", 1)[1]
    named = set(re.findall(r"`((?:src|tests|benchmarks|docs)/[^`]+|pyproject\.toml)`", table))
    assert len(named) > 15
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []


def test_every_services_module_is_named() -> None:
    row = next(line for line in DOC.splitlines() if line.startswith("| `evidens.services`"))
    modules = {
        p.stem
        for p in (ROOT / "src" / "evidens" / "services").glob("*.py")
        if p.stem != "__init__" and not p.stem.startswith("web_")
    }
    unnamed = sorted(m for m in modules if not re.search(rf"\b{m}\b", row))
    assert unnamed == []
