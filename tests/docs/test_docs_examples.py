"""Every ``sh`` and ``python`` example of the guides runs, page by page, in the order a reader
meets them (a page's shell blocks share one shell, as a reader's terminal does); a block
that cannot run is marked ``<!-- not-run: reason -->`` and the reason must be given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .examples import GUIDES, REPO, RUNNABLE, examples

PAGES = [page for page in GUIDES if page.exists()]
RUNNING = [p for p in PAGES if any(e.lang in RUNNABLE and e.not_run is None for e in examples(p))]
"""The pages with examples to run (the clinician guide shows screenshots, methods cites)."""


def test_the_guides_exist_and_hold_examples() -> None:
    assert {p.name for p in PAGES} >= {
        "getting-started.md",
        "clinician.md",
        "information-specialist.md",
        "statistician.md",
        "administrator.md",
    }
    assert sum(len(examples(p)) for p in PAGES) > 20
    assert {p.name for p in RUNNING} >= {
        "getting-started.md",
        "information-specialist.md",
        "statistician.md",
        "administrator.md",
    }


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_block_is_runnable_or_says_why_not(page: Path) -> None:
    for example in examples(page):
        if example.lang in RUNNABLE and example.not_run is not None:
            assert example.not_run.strip(), f"{page.name}:{example.line}: not-run needs a reason"
        if example.lang in ("", "bash", "shell", "console"):
            pytest.fail(f"{page.name}:{example.line}: name the block's language (sh or python)")


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVIDENS_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "120"
    env["MPLBACKEND"] = "Agg"
    env["HOME"] = str(tmp_path)
    return env


def _workspace(tmp_path: Path) -> Path:
    """A scratch clone: the examples beside the reader's working folder, as in the repo."""
    (tmp_path / "examples").symlink_to(REPO / "examples")
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("page", RUNNING, ids=lambda p: p.name)
def test_the_examples_of_a_guide_run(page: Path, tmp_path: Path) -> None:
    runnable = [e for e in examples(page) if e.lang in RUNNABLE and e.not_run is None]
    work = _workspace(tmp_path)
    shell = "set -euo pipefail\n" + "\n".join(e.code for e in runnable if e.lang == "sh")
    env = _environment(tmp_path)
    if any(e.lang == "sh" for e in runnable):
        done = subprocess.run(
            ["bash", "-c", shell],
            check=False,
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"{page.name}: a shell example failed:\n{done.stderr[-3000:]}"
    for example in (e for e in runnable if e.lang == "python"):
        done = subprocess.run(
            [sys.executable, "-c", example.code],
            check=False,
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (
            f"{page.name}:{example.line}: a Python example failed:\n{done.stderr[-3000:]}"
        )
