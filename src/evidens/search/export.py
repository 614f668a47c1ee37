"""Translations as files: one strategy per database plus a warnings report (PRISMA-S item 8:
the full strategy for every source, and where each differs from the strategy as designed).

Pure: returns file names and contents; the caller writes them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from evidens.search.translate import Translation

REPORT = "warnings.md"
DATA = "translations.json"


def translation_files(
    translations: Mapping[str, Translation], *, query: str, source: str
) -> dict[str, str]:
    """``{file name: text}``: ``<target>.txt`` per database, ``warnings.md`` and
    ``translations.json`` (the same content as data, for logging with the search)."""
    files = {f"{name}.txt": result.text + "\n" for name, result in translations.items()}
    files[REPORT] = warnings_report(translations, query=query, source=source)
    payload = {
        "source": source,
        "query": query,
        "translations": [result.to_dict() for result in translations.values()],
    }
    files[DATA] = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return files


def warnings_report(translations: Mapping[str, Translation], *, query: str, source: str) -> str:
    """A Markdown report: the source query, then per database its strategy and every
    approximation with the line and part of the query it concerns."""
    total = sum(len(t.notes) for t in translations.values())
    out = [
        "# Search translations and their warnings",
        "",
        f"Source syntax: {source}. Databases: {len(translations)}. Warnings: {total}.",
        "",
        "## Source strategy",
        "",
        "```",
        query.strip(),
        "```",
        "",
    ]
    for name, result in translations.items():
        out += [f"## {result.label} (`{name}.txt`)", "", "```", result.text, "```", ""]
        if not result.notes:
            out += ["No approximations: the strategy is equivalent as translated.", ""]
            continue
        for note in result.notes:
            where = " — ".join(
                part for part in (f"line {note.line}" if note.line else None, note.part) if part
            )
            out.append(f"- {note.message}" + (f" ({where})" if where else ""))
        out.append("")
    return "\n".join(out)
