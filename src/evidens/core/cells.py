"""Text bound for a spreadsheet cell. Titles, abstracts and notes come from untrusted exports
and people; a CSV cell that starts with = + - @ (or a tab or carriage return) is run as a
formula by Excel and LibreOffice (CSV injection), so such text gets a leading apostrophe,
which spreadsheets show as nothing. Numbers ("-1.5") stay numbers."""

from __future__ import annotations

FORMULA_STARTS = frozenset("=+-@\t\r")


def spreadsheet_safe(text: str) -> str:
    """``text``, with a leading ``'`` when a spreadsheet would read it as a formula."""
    if text[:1] not in FORMULA_STARTS:
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text
