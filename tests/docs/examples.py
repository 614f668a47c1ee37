"""Reading the code examples out of the guides: fenced ``sh`` and ``python`` blocks, each
with the ``<!-- not-run: reason -->`` mark that may stand on the line before it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
GUIDES = (
    DOCS / "getting-started.md",
    *sorted((DOCS / "guides").glob("*.md")),
    DOCS / "reference" / "methods.md",
)
"""The pages written as guides; their examples must run (the older pages are notes)."""

_FENCE = re.compile(
    r"(?:<!-- not-run: (?P<reason>[^>]*?) -->\n)?^```(?P<lang>[\w-]*)\n(?P<code>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)
RUNNABLE = ("sh", "python")


@dataclass(frozen=True)
class Example:
    """One fenced block: its page, language, code and, if marked, why it is not run."""

    page: Path
    lang: str
    code: str
    not_run: str | None
    line: int


def examples(page: Path) -> list[Example]:
    text = page.read_text(encoding="utf-8")
    return [
        Example(
            page,
            match["lang"],
            match["code"],
            match["reason"],
            text.count("\n", 0, match.start()) + 1,
        )
        for match in _FENCE.finditer(text)
    ]
