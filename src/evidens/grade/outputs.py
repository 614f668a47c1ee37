"""One entry point per output format, and the set of files `evidens run` writes.

Pure: returns names and bytes; the caller (services / CLI) writes them where it likes.
"""

from __future__ import annotations

from collections.abc import Callable

from evidens.errors import ValidationError
from evidens.grade.render_docx import sof_docx
from evidens.grade.render_html import profile_html, sof_html
from evidens.grade.render_text import sof_csv, sof_json, sof_markdown
from evidens.grade.sof import SofTable

_TEXT: dict[str, Callable[[SofTable], str]] = {
    "html": sof_html,
    "md": sof_markdown,
    "csv": sof_csv,
    "json": sof_json,
    "profile": profile_html,
}
FORMATS = (*_TEXT, "docx")


def render(table: SofTable, fmt: str) -> bytes:
    """The table in one format (html, md, csv, json, docx, or profile = evidence-profile
    HTML) as bytes, UTF-8 for the text formats."""
    if fmt == "docx":
        return sof_docx(table)
    if fmt not in _TEXT:
        raise ValidationError(
            f"unknown SoF format {fmt!r}", field="format", hint=f"use one of: {', '.join(FORMATS)}"
        )
    return _TEXT[fmt](table).encode("utf-8")


def run_outputs(table: SofTable) -> dict[str, bytes]:
    """The files `evidens run` writes into OUT/: SoF as JSON, HTML, DOCX, and the profile."""
    return {
        "sof.json": render(table, "json"),
        "sof.html": render(table, "html"),
        "sof.docx": render(table, "docx"),
        "evidence-profile.html": render(table, "profile"),
    }
