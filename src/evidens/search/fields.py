"""Field intents: what part of a record a term is searched in, independent of vendor codes.

Vendors slice records differently (PubMed ``[tiab]`` has included author keywords since 2022,
Ovid ``.tw.`` is title+abstract in MEDLINE, Web of Science ``TS=`` is title+abstract+keywords),
so the tree stores an *intent* and each renderer says how close it can get. The partial order
:func:`covers` lets a comparison merge ``x[tiab] OR x[tw]`` into ``x[tw]``: the wider field
already finds everything the narrower one does.
"""

from __future__ import annotations

INTENTS: dict[str, str] = {
    "ti": "title",
    "ab": "abstract",
    "kw": "author keywords",
    "tiab": "title and abstract",
    "tiabkw": "title, abstract and author keywords",
    "tw": "text words (title, abstract, keywords, headings, other terms)",
    "all": "all fields",
    "au": "author",
    "jn": "journal",
    "la": "language",
    "pt": "publication type",
    "nm": "substance name",
    "dp": "publication date",
    "sh": "subheading (qualifier)",
}

_PARENTS: dict[str, tuple[str, ...]] = {
    "ti": ("tiab",),
    "ab": ("tiab",),
    "kw": ("tiabkw",),
    "tiab": ("tiabkw",),
    "tiabkw": ("tw",),
    "tw": ("all",),
}

# Source tags and codes. PubMed tags are lower-cased with spaces collapsed.
PUBMED_TAGS: dict[str, str] = {
    "ti": "ti",
    "title": "ti",
    "ab": "ab",
    "tiab": "tiabkw",
    "title/abstract": "tiabkw",
    "tw": "tw",
    "text word": "tw",
    "all": "all",
    "all fields": "all",
    "au": "au",
    "author": "au",
    "ta": "jn",
    "journal": "jn",
    "la": "la",
    "language": "la",
    "pt": "pt",
    "publication type": "pt",
    "nm": "nm",
    "substance name": "nm",
    "dp": "dp",
    "pdat": "dp",
    "publication date": "dp",
    "sh": "sh",
    "subheading": "sh",
    "ot": "kw",
    "other term": "kw",
}

# PubMed tags that make a subject heading: (explode, major).
PUBMED_HEADING_TAGS: dict[str, tuple[bool, bool]] = {
    "mesh": (True, False),
    "mh": (True, False),
    "mesh terms": (True, False),
    "mesh:noexp": (False, False),
    "mh:noexp": (False, False),
    "mesh terms:noexp": (False, False),
    "majr": (True, True),
    "mesh major topic": (True, True),
    "majr:noexp": (False, True),
}

# Ovid ``.xx,yy.`` and Embase.com / Cochrane ``:xx,yy`` codes, sorted and comma-joined.
SUFFIX_CODES: dict[str, str] = {
    "ti": "ti",
    "ab": "ab",
    "ab,ti": "tiab",
    "tw": "tiab",
    "ab,kf,ti": "tiabkw",
    "kf,tw": "tiabkw",
    "ab,kw,ti": "tiabkw",
    "kf": "kw",
    "kw": "kw",
    "mp": "tw",
    "af": "all",
    "au": "au",
    "jn": "jn",
    "jn,jw": "jn",
    "jw": "jn",
    "jx": "jn",
    "jt": "jn",
    "so": "jn",
    "lg": "la",
    "la": "la",
    "pt": "pt",
    "it": "pt",
    "nm": "nm",
    "rn": "nm",
    "tn": "nm",
    "dp": "dp",
    "yr": "dp",
    "py": "dp",
    "fs": "sh",
    "lnk": "sh",
}

# Scopus ``CODE(`` and Web of Science ``CODE=(`` field functions.
FUNCTION_CODES: dict[str, str] = {
    "TITLE": "ti",
    "ABS": "ab",
    "KEY": "kw",
    "TITLE-ABS": "tiab",
    "TITLE-ABS-KEY": "tiabkw",
    "ALL": "all",
    "AUTH": "au",
    "SRCTITLE": "jn",
    "LANGUAGE": "la",
    "DOCTYPE": "pt",
    "CHEM": "nm",
    "PUBYEAR": "dp",
    "TS": "tiabkw",
    "TI": "ti",
    "AB": "ab",
    "AU": "au",
    "SO": "jn",
    "PY": "dp",
    "DT": "pt",
    "LA": "la",
}

# What an untagged term means in each dialect, for comparisons (never for rendering).
DEFAULT_FIELD: dict[str, str] = {
    "pubmed": "all",
    "ovid": "tw",
    "embase": "tw",
    "cochrane": "tw",
    "scopus": "all",
    "wos": "tiabkw",
    "cinahl": "all",
    "ictrp": "all",
    "ctgov": "all",
}


def covers(wide: str, narrow: str) -> bool:
    """True when searching ``wide`` finds everything searching ``narrow`` finds."""
    if wide in (narrow, "all"):
        return True
    return any(covers(wide, parent) for parent in _PARENTS.get(narrow, ()))


def suffix_key(codes: str) -> str:
    """Order-free key for a comma list of vendor codes (``ti,ab`` == ``ab,ti``)."""
    return ",".join(sorted(code.strip().lower() for code in codes.split(",") if code.strip()))
