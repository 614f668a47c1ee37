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


def test_every_services_module_is_named_in_its_concept() -> None:
    section = DOC.split("## Services by concept", 1)[1].split("\n## ", 1)[0]
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `(\w+)` \|[^|]*\| ([^|]*) \|$", section, re.M)
    }
    services = ROOT / "src" / "evidens" / "services"
    packages = sorted(p.name for p in services.iterdir() if (p / "__init__.py").is_file())
    assert sorted(rows) == packages
    unnamed = [
        f"{package}.{module.stem}"
        for package in packages
        for module in sorted((services / package).glob("*.py"))
        if module.stem != "__init__" and not re.search(rf"\b{module.stem}\b", rows[package])
    ]
    assert unnamed == []
    flat = sorted(p.stem for p in services.glob("*.py") if p.stem not in ("__init__", "store"))
    assert flat == []  # a step belongs in its concept's subpackage
