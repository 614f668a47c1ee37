"""The site builds with ``mkdocs build --strict`` (which fails on any link or image to a page,
file or anchor that does not exist) from the generated reference and real screenshots, and
the built CLI reference holds every command path."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .examples import DOCS, REPO
from .scripts import load

CHROMIUM = Path("/usr/bin/chromium")
reference = load("docs_reference")
screenshots = load("docs_screenshots")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(the docs' screenshots need it; scripts/setup-system.sh installs it)",
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built as `make docs` builds it, from a copy of docs/ (the repo is untouched)."""
    work = tmp_path_factory.mktemp("site")
    shutil.copytree(DOCS, work / "docs")
    shutil.copy(REPO / "mkdocs.yml", work / "mkdocs.yml")
    reference.write_reference(work / "docs")
    assert screenshots.main(["--out", str(work / "docs" / "img" / "web")]) == 0
    mkdocs = Path(sys.executable).parent / "mkdocs"
    done = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(work / "site")],
        cwd=work,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr[-4000:]}"
    return work / "site"


def test_every_command_path_is_in_the_built_reference(site: Path) -> None:
    page = html.unescape((site / "reference" / "cli" / "index.html").read_text(encoding="utf-8"))
    missing = [p for p in reference.runnable_paths() if f"evidens {p}" not in page]
    assert missing == []


def test_every_page_of_the_nav_is_built_with_its_screenshots(site: Path) -> None:
    for page in ("getting-started", "guides/clinician", "guides/administrator", "deployment"):
        assert (site / page / "index.html").is_file(), page
    shown_by = {
        "clinician": (
            "login",
            *(n for n, _ in screenshots.SCREENING_PAGES + screenshots.LATER_PAGES),
        ),
        "information-specialist": tuple(n for n, _ in screenshots.SEARCH_PAGES),
    }
    for name, shots in shown_by.items():
        guide = (DOCS / "guides" / f"{name}.md").read_text(encoding="utf-8")
        for shot in shots:
            image = site / "img" / "web" / f"{shot}.png"
            assert image.stat().st_size > 5000, f"{shot}.png looks empty"
            assert f"../img/web/{shot}.png" in guide, f"the {name} guide does not show {shot}.png"
