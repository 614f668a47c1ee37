"""Links: internal ones (pages, anchors, images) are checked by the strict build
(test_docs_build.py); external ones are not fetched (CI must not depend on other sites) but
listed in external-links.txt, so each new one is a choice someone made and can review."""

from __future__ import annotations

import re
from pathlib import Path

from .examples import DOCS

LISTED = Path(__file__).with_name("external-links.txt")
_LINK = re.compile(r"https?://[^\s)>\]\"'`]+")
_LOCAL = ("http://127.0.0.1", "http://localhost", "http://HOST")


def _external(text: str) -> set[str]:
    return {url.rstrip(".,;") for url in _LINK.findall(text) if not url.startswith(_LOCAL)}


def test_every_external_link_of_the_docs_is_listed() -> None:
    found: dict[str, str] = {}
    for page in sorted(DOCS.rglob("*.md")):
        for url in _external(page.read_text(encoding="utf-8")):
            found.setdefault(url, str(page.relative_to(DOCS)))
    listed = {line.strip() for line in LISTED.read_text(encoding="utf-8").splitlines()}
    listed.discard("")
    unlisted = {url: page for url, page in found.items() if url not in listed}
    assert unlisted == {}, "add these to tests/docs/external-links.txt after checking them"
    assert listed <= set(found), f"no longer linked: {sorted(listed - set(found))}"


def test_the_link_finder_finds_links_and_skips_the_local_server() -> None:
    text = "see <https://example.org/a>, [x](http://example.com/b). and http://127.0.0.1:8000/"
    assert _external(text) == {"https://example.org/a", "http://example.com/b"}
