"""A record as a reference a reader can find: the report's lists cite records this way.

Vancouver style as the ICMJE recommends it (and as the seed review's references read):
up to six authors as "Surname Initials", then "et al."; title; journal; year;volume(issue):
pages; then the DOI, else the PMID, so every listed report can be looked up. Imported fields
are used as they are (after trimming), never invented: a part missing from the record is
left out rather than guessed.
"""

from __future__ import annotations

import re

from evidens.core import Record

MAX_AUTHORS = 6
_INITIALS_SPLIT = re.compile(r"[\s.\-]+")


def vancouver_author(name: str) -> str:
    """'Sharma, Suvasini' or 'Sharma, S.' -> 'Sharma S'; a name without a comma (already
    'Sharma S', or an organisation) is kept as written."""
    surname, comma, given = name.strip().partition(",")
    if not comma:
        return " ".join(name.split())
    initials = "".join(part[0].upper() for part in _INITIALS_SPLIT.split(given) if part)
    surname = " ".join(surname.split())
    return f"{surname} {initials}" if initials else surname


def _authors(record: Record) -> str:
    names = [vancouver_author(a) for a in record.authors if a.strip()]
    if len(names) > MAX_AUTHORS:
        names = [*names[:MAX_AUTHORS], "et al"]
    return ", ".join(names)


def _sentence(text: str | None) -> str:
    text = " ".join((text or "").split()).rstrip(". ")
    return f"{text}." if text else ""


def _issue_details(record: Record) -> str:
    text = str(record.year) if record.year else ""
    if record.volume:
        text += f";{record.volume.strip()}"
        if record.issue:
            text += f"({record.issue.strip()})"
    if record.pages:
        text += f":{record.pages.strip()}"
    return _sentence(text.lstrip(";"))


def record_citation(record: Record) -> str:
    """The record as one reference line, e.g. ``Sharma S, Goel S. Title. J Child Neurol.
    2021;36(8):686-691. doi:10.1177/...``."""
    parts = [
        _sentence(_authors(record)),
        _sentence(record.title) or "(untitled record).",
        _sentence(record.journal),
        _issue_details(record),
    ]
    if record.doi:
        parts.append(f"doi:{record.doi}")
    elif record.pmid:
        parts.append(f"PMID: {record.pmid}")
    return " ".join(p for p in parts if p)
