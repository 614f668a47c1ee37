"""The method notes the code cites are in this repository: a docstring or comment that names
a note outside it (the project's private ``specs/``, or a bare ``methods.md §n``) sends a
reader nowhere, so each citation points at docs/reference/methods.md, which exists."""

from __future__ import annotations

import re

from .examples import DOCS, REPO

OUTSIDE = re.compile(r"(?<![\w/])(specs/[\w.-]+|methods\.md §)")


def test_the_code_cites_no_method_note_outside_the_repository() -> None:
    cited = []
    for path in sorted((REPO / "src").rglob("*")):
        if path.suffix in {".py", ".toml", ".md"} and path.is_file():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if OUTSIDE.search(line):
                    cited.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert cited == [], "cite docs/reference/methods.md instead:\n" + "\n".join(cited)


def test_the_methods_page_the_code_cites_exists_with_its_sections() -> None:
    methods = (DOCS / "reference" / "methods.md").read_text(encoding="utf-8")
    for section in ("Agreement", "Simulated screening and its metrics", "Risk of bias"):
        assert section in methods, section
