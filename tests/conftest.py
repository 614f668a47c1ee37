"""Fixtures shared by every test package.

``shared_dir`` is ../shared beside the clone (the project's read-only data: real exports,
labelled benchmarks, metafor reference values). Tests that need it skip with a clear message
where it is absent; CI has it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EVIDENS_SHARED", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: it holds the real data this test reads")
    return SHARED
