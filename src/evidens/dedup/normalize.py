"""Field normalisation for matching: the forms vendors write the same fact in are mapped to one.

Every function here is pure and total: junk input gives an empty or ``None`` result, never an
exception, because one odd record in an export of thousands must not stop de-duplication.
"""

from __future__ import annotations

import html
import re
import unicodedata

_TAG = re.compile(r"<[^>]{0,200}>")
_BRACKETED = re.compile(r"\[[^\[\]]*\]")
_NON_ALNUM = re.compile(r"[^0-9a-z\u0400-\u04ff\u0370-\u03ff\u4e00-\u9fff]+")
_SPACES = re.compile(r"\s+")
_OVID_LANGUAGE = re.compile(r"\s+la:\s*\w{2,4}\s*$")
_PARENTHESES = re.compile(r"\(.*?\)")
_DOTTED_PAGE = re.compile(r"\.(?=[a-z])")
_PAGE_SPLIT = re.compile(r"[-‐–,;+]")
_RANGE_SPLIT = re.compile(r"[,;+]")
_VOLUME_WORD = re.compile(r"^(?:vol|volume|no|issue)\.?\s*")
_DIGITS = re.compile(r"\d+")
# Letters that NFKD does not decompose into a base letter plus a combining mark.
_FOLD = str.maketrans(
    {"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "đ": "d",
     "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "þ": "th", "ð": "d", "‐": "-", "–": "-", "—": "-"}
)  # fmt: skip

GENERIC_TITLES = frozenset(
    {
        "editorial", "guest editorial", "editorial comment", "editors note", "editor s note",
        "reply", "author reply", "authors reply", "the authors reply", "in reply", "response",
        "reply to letter", "letter", "letter to the editor", "to the editor", "correspondence",
        "comment", "commentary", "erratum", "errata", "correction", "corrigendum", "retraction",
        "introduction", "preface", "foreword", "in this issue", "abstracts", "news",
        "book review", "announcement", "acknowledgement", "acknowledgements", "acknowledgment",
        "conclusion", "conclusions", "discussion", "editorial board", "index", "notes",
        "research highlights", "highlights", "contents", "table of contents", "obituary",
        "untitled", "no title", "title", "abstract", "poster", "poster session", "reviewers",
    }
)  # fmt: skip
"""Titles shared by many different articles: a title match between them proves nothing."""

_GENERIC_WORDS = re.compile(
    r"\b(?:editor|editors|editorial|introduction|reply|response|comment|comments|commentary|"
    r"preface|foreword|erratum|correction|corrigendum|letter|letters|issue|note|notes)\b"
)
CITED_IN_TITLE = re.compile(r"\(\s*vol\.? \d+|\(\d{4}\)\s*\d+\s*\(\d+")
"""How an erratum's title cites the article it corrects: "(vol 360, pg 542, 2009)"."""
_NOTICE_START = re.compile(r"\s*(?:erratum|correction|corrigendum)\b", re.IGNORECASE)
_TRAILING_GROUP = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)\s*$")
_UNCLOSED_BRACKET = re.compile(r"\[[^\]]*$")
_JOURNAL_STOP = frozenset({"of", "the", "and", "in", "for", "on", "la", "de", "der", "und", "et"})


def fold(text: str) -> str:
    """Lowercase ASCII-ish form: accents dropped, HTML entities and tags removed.

    MEDLINE writes "Léna", Embase "Lena"; Crossref titles carry ``<i>`` and MathML.
    """
    text = html.unescape(html.unescape(text)) if "&" in text else text
    text = _TAG.sub(" ", text) if "<" in text else text
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower()


def _words(text: str) -> str:
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", text)).strip()


def normalize_title(title: str | None) -> str:
    """Title as space-separated lowercase words, decorations and translations removed.

    MEDLINE wraps translated titles in brackets ("[A study of ...]"); Ovid appends
    "[Review] [45 refs]", "[Erratum appears in ...]" or "[Chinese]"; Scopus appends the
    original-language title in brackets. A bracketed part is dropped when text is left
    outside the brackets, and unwrapped when it is the whole title.
    """
    if not title:
        return ""
    text = fold(_drop_cited_article(title))
    if "[" in text:
        text = _drop_unclosed_bracket(text)
        stripped = _BRACKETED.sub(" ", _BRACKETED.sub(" ", text))  # "[... Note: X [added]]"
        stripped = _OVID_LANGUAGE.sub(" ", stripped)
        kept = _words(stripped)
        if len(kept) >= 8 or (kept and not text.lstrip().startswith("[")):
            text = stripped
        text = text.replace("[", " ").replace("]", " ")
    return _words(text)


def _drop_unclosed_bracket(text: str) -> str:
    """A decoration cut at a field's length limit ("... syndrome.[Erratum") is dropped, so
    its words ("erratum") do not make an article look like a notice."""
    cut = _UNCLOSED_BRACKET.search(text)
    return text[: cut.start()] if cut and _words(text[: cut.start()]) else text


def _drop_cited_article(title: str) -> str:
    """An erratum's title without the citation of the article it corrects.

    Web of Science writes "Title (vol 360, pg 542, 2009)", Embase "Title (New England
    Journal of Medicine (2009) 360 (542-544))"; two notices of one correction then carry
    the same title; a notice's citation cut at the field's length limit ("Erratum: Title
    (Proceeding of the Nat") is dropped too. The erratum itself is recognised from the raw
    title (:func:`evidens.dedup.kinds.is_erratum`).
    """
    group = _TRAILING_GROUP.search(title)
    if group and CITED_IN_TITLE.search(group.group(0)) and group.start() > 0:
        return title[: group.start()]
    if _NOTICE_START.match(title):  # the citation cut short: drop from its first open "("
        unclosed = _unclosed_parentheses(title)
        if unclosed and unclosed[0] > 0:
            return title[: unclosed[0]]
    return title


def _unclosed_parentheses(text: str) -> list[int]:
    """Positions of the "(" that no ")" closes, in order."""
    open_at: list[int] = []
    for position, ch in enumerate(text):
        if ch == "(":
            open_at.append(position)
        elif ch == ")" and open_at:
            open_at.pop()
    return open_at


def is_translated_title(title: str | None) -> bool:
    """Whether a title is a translation (MEDLINE brackets) or carries its original beside it."""
    if not title:
        return False
    text = title.strip()
    return text.startswith("[") or "<original>" in text.lower() or bool(alternative_title(text))


def alternative_title(title: str | None) -> str:
    """The other-language title some databases append in brackets, normalised ("" if none).

    Scopus writes "Crowdwork: ... [Arbeiten in der Crowd: ...]" where another database has
    only the German title; matching needs both.
    """
    if not title or "[" not in title:
        return ""
    parts = sorted((_words(p.strip("[]")) for p in _BRACKETED.findall(fold(title))), key=len)
    best = parts[-1] if parts else ""
    return best if best.count(" ") >= 3 and "refs" not in best else ""


def is_generic_title(title: str) -> bool:
    """Whether a normalised title is one many different articles carry ("Editorial")."""
    if not title:
        return True
    if title in GENERIC_TITLES or len(title) < 12:
        return True
    return title.count(" ") < 4 and bool(_GENERIC_WORDS.search(title))


def normalize_journal(journal: str | None) -> tuple[str, ...]:
    """Journal title as content words (stop words dropped) for abbreviation-aware matching.

    "Curr Opin Lipidol", "Current Opinion in Lipidology" and "CURRENT OPINION IN LIPIDOLOGY."
    give ("curr", "opin", "lipidol") and ("current", "opinion", "lipidology"), which
    :func:`journals_compatible` matches word by word as prefixes.
    """
    if not journal:
        return ()
    text = fold(journal)
    text = _PARENTHESES.sub(" ", text)  # "(Amsterdam, Netherlands)", "(Print)"
    text = text.split(" = ")[0]
    text = text.replace("&", " ")
    return tuple(w for w in _words(text).split() if w not in _JOURNAL_STOP)


def _abbreviates(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether each word of ``short`` is a prefix of the next unmatched word of ``full``, in order.

    Words of ``full`` may be skipped (ISO 4 drops some), but every word of ``short`` must be
    used and at least the first words must line up.
    """
    if not short or not full or short[0][0] != full[0][0]:
        return False
    pos = 0
    for word in short:
        while pos < len(full) and not _abbreviates_word(word, full[pos]):
            pos += 1
        if pos == len(full):
            return False
        pos += 1
    return True


_VENUE_NOISE = frozenset({"proceedings", "annual", "th", "st", "nd", "rd", "conf", "conference"})


def _venue_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """Content words of a venue: numbers, ordinals ("50th") and "proceedings" dropped."""
    return tuple(w for w in words if not any(c.isdigit() for c in w) and w not in _VENUE_NOISE)


def _initials(words: tuple[str, ...]) -> str:
    return "".join(w[0] for w in words)


def _abbreviates_word(short: str, full: str) -> bool:
    """ISO 4 style: a prefix ("Curr" for "Current") or the same first letter followed by a
    subsequence ("Dtsch" for "Deutsche", "Natl" for "National")."""
    if full.startswith(short):
        return True
    if len(short) < 3 or short[0] != full[0]:
        return False
    rest = iter(full[1:])
    return all(ch in rest for ch in short[1:])


def journals_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool | None:
    """Whether two normalised journal titles can name the same journal (``None``: unknown).

    Accepts ISO 4 abbreviations ("Curr Opin Lipidol"), added subtitles or places ("Lung
    cancer (Amsterdam)"), proceedings named with or without edition and year ("50th Annual
    Hawaii International Conference on System Sciences") and acronyms ("ICIS").
    """
    if not a or not b:
        return None
    if a == b or "".join(a) == "".join(b):
        return True
    short, full = sorted((a, b), key=lambda words: (len("".join(words)), words))
    if _abbreviates(short, full):
        return True
    # Subtitles and sections: "Lung Cancer" vs "Lung cancer (Amsterdam, Netherlands)".
    if len(short) >= 2 and full[: len(short)] == short:
        return True
    return _venues_compatible(a, b)


def _venues_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    content_a, content_b = _venue_words(a), _venue_words(b)
    if not content_a or not content_b:
        return False
    short, full = sorted((content_a, content_b), key=lambda words: (len(words), words))
    if len(short) >= 3 and all(any(f.startswith(w) for f in full) for w in short):
        return True
    named_a, named_b = _no_numbers(a), _no_numbers(b)
    acronyms = {w for w in (*named_a, *named_b) if len(w) >= 3}
    return _initials(named_a) in acronyms or _initials(named_b) in acronyms


def _no_numbers(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in words if not any(c.isdigit() for c in w))


def normalize_pages(pages: str | None) -> tuple[str, str]:
    """(first page, last page) with the last page expanded: "1234-9" gives ("1234", "1239").

    Supplement pages keep their letter ("S12", "A111", "e1002"); leading zeros are dropped.
    """
    if not pages:
        return ("", "")
    text = fold(pages).replace("--", "-").replace(" ", "")
    text = _DOTTED_PAGE.sub("-", text)  # Elsevier abstracts: "A175.E1638"
    parts = [p for p in _PAGE_SPLIT.split(text) if p]
    if not parts:
        return ("", "")
    first = parts[0].lstrip("0") or "0"
    last = parts[1].lstrip("0") if len(parts) > 1 else ""
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return (first, last)


def page_starts(pages: str | None) -> frozenset[str]:
    """First pages of every range in a multi-range field ("230-5, 246-51, 233-8").

    Articles printed in two languages list several ranges, in a different order per database.
    """
    if not pages or not any(sep in pages for sep in ",;+"):
        return frozenset()
    ranges = _RANGE_SPLIT.split(pages.replace('"', ""))
    return frozenset(first for first, _ in map(normalize_pages, ranges) if first)


def normalize_volume(value: str | None) -> str:
    """Volume or issue: its leading number ("58 (1)" -> "58", "Vol. 12" -> "12"), else its
    words; "unknown" and broken exports ("1)" left of "SUPPL. 1)") give ""."""
    if not value:
        return ""
    text = fold(value).strip()
    if ")" in text and "(" not in text:
        return ""
    text = _VOLUME_WORD.sub("", text)
    number = _DIGITS.match(text)
    if number:
        return number.group(0).lstrip("0") or "0"
    words = _words(text).replace(" ", "")
    return "" if words in {"unknown", "na", "none", "nan"} else words


_NAME_SPLIT = re.compile(r"\s*;\s*|\s+and\s+|\s*&\s*")
_GLUED = re.compile(r"(?<=\.)(?=[A-Z][a-z])")  # ASySD's "Adeli K.Lewis G. F."


def normalize_authors(authors: tuple[str, ...]) -> tuple[str, ...]:
    """Surnames in order, folded: the part of an author name that every vendor writes.

    Accepts a tuple of names or one string holding them all ("A, B and C, D", "A B.;C D.",
    "Adeli K.Lewis G. F."). Initials vary between exports; surnames rarely do.
    """
    names: list[str] = []
    for entry in authors:
        text = entry.strip()
        if not text:
            continue
        parts = _NAME_SPLIT.split(text)
        if len(parts) == 1 and ";" not in text:
            parts = _GLUED.split(text)
        names.extend(p for p in parts if p.strip())
    return tuple(s for s in (_surname(n) for n in names) if s)


def author_name_words(authors: tuple[str, ...]) -> str:
    """Every name word of two letters or more, sorted: survives given and family names swapped.

    Some exports invert names ("Andrea, C." for Carignani, Andrea); comparing all name words
    still finds the two lists alike where surname lists do not.
    """
    words = {w for w in _words(fold(" ".join(authors))).split() if len(w) >= 2 and w != "and"}
    return " ".join(sorted(words))


def _surname(name: str) -> str:
    text = fold(name).strip()
    if "," in text:
        text = text.split(",")[0]
    else:
        words = [w for w in _SPACES.split(text) if w]
        # "Adeli K." / "Smith JA": drop trailing initials; "John Smith": keep the last word.
        initials = False
        while len(words) > 1 and (len(words[-1].strip(".-")) <= 2 or words[-1].endswith(".")):
            words.pop()
            initials = True
        text = " ".join(words) if initials else words[-1]
    return _NON_ALNUM.sub("", text)
