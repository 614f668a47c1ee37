"""The source syntaxes' own tags and codes, each mapped to a field intent of
:mod:`evidens.search.fields`: PubMed's field tags (NLM, PubMed Help, "Search Field Descriptions
and Tags", long and short forms), Ovid's field codes (the Ovid MEDLINE, Embase and APA PsycInfo
field guides) and the ``:xx`` codes of Embase.com and the Cochrane Library.
"""

from __future__ import annotations

# Every documented PubMed search field tag, long and short forms (lower-cased, spaces
# collapsed). NLM, PubMed Help, "Search Field Descriptions and Tags".
PUBMED_TAGS: dict[str, str] = {
    "ad": "ad",
    "affiliation": "ad",
    "all": "all",
    "all fields": "all",
    "aid": "doi",
    "article identifier": "doi",
    "au": "au",
    "author": "au",
    "auid": "auid",
    "author identifier": "auid",
    "book": "book",
    "cois": "cois",
    "conflict of interest statement": "cois",
    "cn": "cn",
    "corporate author": "cn",
    "crdt": "crdt",
    "create date": "crdt",
    "dcom": "dcom",
    "completion date": "dcom",
    "rn": "rn",
    "ec/rn number": "rn",
    "ed": "ed",
    "editor": "ed",
    "edat": "edat",
    "entry date": "edat",
    "filter": "sb",
    "sb": "sb",
    "subset": "sb",
    "1au": "au1",
    "first author": "au1",
    "first author name": "au1",
    "fau": "aufull",
    "full author name": "aufull",
    "fir": "ir",
    "full investigator name": "ir",
    "gr": "gr",
    "grants and funding": "gr",
    "grant number": "gr",
    "ir": "ir",
    "investigator": "ir",
    "isbn": "isbn",
    "ip": "ip",
    "issue": "ip",
    "ta": "jn",
    "journal": "jn",
    "jour": "jn",
    "is": "issn",
    "issn": "issn",
    "la": "la",
    "language": "la",
    "lastau": "aulast",
    "last author": "aulast",
    "last author name": "aulast",
    "lid": "lid",
    "location id": "lid",
    "mhda": "mhda",
    "mesh date": "mhda",
    "lr": "lr",
    "modification date": "lr",
    "jid": "jid",
    "nlm unique id": "jid",
    "ot": "kw",
    "other term": "kw",
    "pg": "pg",
    "pagination": "pg",
    "ps": "ps",
    "personal name as subject": "ps",
    "pa": "pa",
    "pharmacological action": "pa",
    "pl": "pl",
    "place of publication": "pl",
    "pmid": "pmid",
    "uid": "pmid",
    "dp": "dp",
    "pdat": "dp",
    "publication date": "dp",
    "epdat": "dp",
    "electronic publication date": "dp",
    "ppdat": "dp",
    "print publication date": "dp",
    "pt": "pt",
    "publication type": "pt",
    "pubn": "pubn",
    "publisher": "pubn",
    "si": "si",
    "secondary source id": "si",
    "nm": "nm",
    "supplementary concept": "nm",
    "substance name": "nm",
    "tw": "tw",
    "text word": "tw",
    "text words": "tw",
    "ti": "ti",
    "title": "ti",
    "tiab": "tiabkw",
    "title/abstract": "tiabkw",
    "tt": "tt",
    "transliterated title": "tt",
    "vi": "vi",
    "volume": "vi",
    "sh": "sh",
    "subheading": "sh",
    "mesh subheading": "sh",
    "mesh subheadings": "sh",
    "sh:noexp": "fs",
    "subheading:noexp": "fs",
    "mesh subheading:noexp": "fs",
    "mesh subheadings:noexp": "fs",
    # The long forms PubMed's Advanced Search Builder writes.
    "author - first": "au1",
    "author - last": "aulast",
    "author - full": "aufull",
    "author - corporate": "cn",
    "author - identifier": "auid",
    "date - publication": "dp",
    "date - create": "crdt",
    "date - entry": "edat",
    "date - completion": "dcom",
    "date - mesh": "mhda",
    "date - modification": "lr",
    "conflict of interest statements": "cois",
    # Short synonyms PubMed also accepts.
    "lang": "la",
    "ptyp": "pt",
    "doi": "doi",
    # Not documented by NLM but common in strategies.
    "ab": "ab",
    "abstract": "ab",
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
    "mesh major topic:noexp": (False, True),
}

# PubMed fields that take proximity ``"a b"[field:~N]``.
PUBMED_PROXIMITY_TAGS = {"ti", "title", "tiab", "title/abstract", "ad", "affiliation"}

# Ovid field codes (MEDLINE, Embase, PsycInfo field guides). ``HEADING_CODES`` search the
# thesaurus itself and become headings.
OVID_CODES: dict[str, str] = {
    "ti": "ti",
    "ab": "ab",
    "tw": "tiab",
    "kf": "kw",
    "kw": "kw",
    "id": "kw",
    "mp": "tw",
    "af": "all",
    "tx": "all",
    "au": "au",
    "fa": "aufull",
    "ai": "auid",
    "cn": "cn",
    "in": "ad",
    "jn": "jn",
    "jw": "jn",
    "jx": "jn",
    "so": "jn",
    "jc": "jid",
    "is": "issn",
    "ib": "isbn",
    "vo": "vi",
    "ip": "ip",
    "pg": "pg",
    "pb": "pubn",
    "cp": "pl",
    "lg": "la",
    "pt": "pt",
    "nm": "nm",
    "tn": "nm",
    "rn": "rn",
    "ps": "ps",
    "gr": "gr",
    "ui": "pmid",
    "an": "pmid",
    "do": "doi",
    "ot": "tt",
    "ci": "cm",
    "cm": "cm",
    "sb": "sb",
    "hw": "hw",
    "dp": "dp",
    "yr": "dp",
    "ep": "dp",
    "ed": "edat",
    "dc": "dcom",
    "up": "lr",
    "fs": "fs",
    "xs": "sh",
    "md": "md",
    "po": "po",
    "ag": "ag",
    "tm": "tm",
    "cc": "cc",
    "dv": "dv",
    # Parts of MEDLINE's .mp. (Ovid lists them in its [mp=...] note): supplementary concept
    # words (organism, protocol, rare disease) and their synonyms are substance-like names;
    # fx is a word of a floating subheading (searched like heading words).
    "ox": "nm",
    "px": "nm",
    "rx": "nm",
    "sy": "nm",
    "fx": "hw",
}
# Ovid codes that search subject headings: (explode).
HEADING_CODES: dict[str, bool] = {"sh": False, "xm": True}

# Embase.com and Cochrane Library ``:xx`` codes (read for comparisons with their strategies).
COLON_CODES: dict[str, str] = {
    "ti": "ti",
    "ab": "ab",
    "kw": "kw",
    "au": "au",
    "so": "jn",
    "jt": "jn",
    "la": "la",
    "it": "pt",
    "pt": "pt",
    "tn": "nm",
    "dn": "dv",
    "lnk": "sh",
    "ad": "ad",
    "af": "ad",
    "py": "dp",
    "an": "pmid",
}

# Unions of fields that are one field of their own.
_COMPOSITES: dict[frozenset[str], str] = {
    frozenset({"ti", "ab"}): "tiab",
    frozenset({"ti", "ab", "kw"}): "tiabkw",
    frozenset({"tiab", "kw"}): "tiabkw",
    frozenset({"ti", "ab", "tiab"}): "tiab",
    frozenset({"ti", "ab", "tiab", "kw"}): "tiabkw",
    frozenset({"ti", "tiab"}): "tiab",
    frozenset({"ab", "tiab"}): "tiab",
}


def combined_fields(intents: list[str]) -> list[str]:
    """The field(s) a comma list of codes searches: one field where the union is one
    (``ti,ab`` is title+abstract), else every field to be OR-ed (``ti,ab,hw``)."""
    unique = list(dict.fromkeys(intents))
    if len(unique) == 1:
        return unique
    composite = _COMPOSITES.get(frozenset(unique))
    if composite:
        return [composite]
    parts = [i for i in unique if i in ("ti", "ab", "kw", "tiab")]
    rest = [i for i in unique if i not in parts]
    merged = _COMPOSITES.get(frozenset(parts)) if len(parts) > 1 else None
    return ([merged] if merged else parts) + rest
