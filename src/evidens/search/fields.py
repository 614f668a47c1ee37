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
    "au1": "first author",
    "aulast": "last author",
    "aufull": "full author name",
    "auid": "author identifier",
    "cn": "corporate author",
    "ed": "editor",
    "ir": "investigator",
    "ad": "affiliation",
    "jn": "journal",
    "jid": "NLM journal identifier",
    "issn": "ISSN",
    "isbn": "ISBN",
    "vi": "volume",
    "ip": "issue",
    "pg": "pages",
    "pl": "place of publication",
    "pubn": "publisher",
    "book": "book",
    "la": "language",
    "pt": "publication type",
    "nm": "substance name",
    "rn": "registry (EC/RN) number",
    "pa": "pharmacological action",
    "ps": "personal name as subject",
    "gr": "grant",
    "si": "secondary source identifier",
    "pmid": "PubMed identifier",
    "doi": "article identifier (DOI)",
    "lid": "location identifier",
    "tt": "original (transliterated) title",
    "cm": "comments",
    "cois": "conflict of interest statement",
    "sb": "subset (filter)",
    "hw": "words in subject headings",
    "dp": "publication date",
    "edat": "entry date",
    "crdt": "create date",
    "mhda": "MeSH date",
    "lr": "modification date",
    "dcom": "completion date",
    "sh": "subheading (qualifier, with narrower ones)",
    "fs": "subheading (qualifier, this one only)",
    "md": "methodology",
    "po": "population group",
    "ag": "age group",
    "tm": "tests and measures",
    "cc": "classification code",
    "dv": "device name",
}

_PARENTS: dict[str, tuple[str, ...]] = {
    "ti": ("tiab",),
    "ab": ("tiab",),
    "kw": ("tiabkw",),
    "tiab": ("tiabkw",),
    "tiabkw": ("tw",),
    "tw": ("all",),
    "fs": ("sh",),
    "au1": ("au",),
    "aulast": ("au",),
    "aufull": ("au",),
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
    "AK": "kw",
    "AD": "ad",
    "OG": "ad",
    "DO": "doi",
    "PMID": "pmid",
    "DOI": "doi",
    "AFFIL": "ad",
    "ISSN": "issn",
    "ISBN": "isbn",
    "VOLUME": "vi",
    "ISSUE": "ip",
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
    "ebsco": "all",
}


def wider_fields(field: str) -> list[str]:
    """The fields that contain ``field``, nearest first (``ab`` -> ``tiab``, ``tiabkw``...);
    ``all`` is left out: that is what an engine's default field is for."""
    found: list[str] = []
    frontier = list(_PARENTS.get(field, ()))
    while frontier:
        current = frontier.pop(0)
        if current not in found and current != "all":
            found.append(current)
            frontier.extend(_PARENTS.get(current, ()))
    return found


def covers(wide: str, narrow: str) -> bool:
    """True when searching ``wide`` finds everything searching ``narrow`` finds."""
    if wide in (narrow, "all"):
        return True
    return any(covers(wide, parent) for parent in _PARENTS.get(narrow, ()))


def suffix_key(codes: str) -> str:
    """Order-free key for a comma list of vendor codes (``ti,ab`` == ``ab,ti``)."""
    return ",".join(sorted(code.strip().lower() for code in codes.split(",") if code.strip()))
