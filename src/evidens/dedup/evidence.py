"""Field-by-field evidence about a pair of records: what agrees, what differs, what is unknown.

Each comparison returns ``True`` (agrees), ``False`` (differs in a way two records of one
article rarely do) or ``None`` (cannot be compared: missing, mangled or not comparable
forms), so the rules in :mod:`evidens.dedup.compare` never mistake a gap for a conflict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from evidens.dedup.normalize import journals_compatible
from evidens.dedup.prepared import Prepared

_NUMBER = re.compile(r"\d+")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
TITLE_SAME = 0.95
"""Title similarity above which two titles are the same title written differently."""
TITLE_CLOSE = 0.85
"""Title similarity above which agreeing bibliographic details may confirm a duplicate."""


@dataclass(frozen=True, slots=True)
class Evidence:
    title: float | None
    authors: float | None
    first_author: bool | None
    year_gap: int | None
    journal: bool | None
    volume: bool | None
    issue: bool | None
    page: bool | None
    last_page: bool | None
    doi: bool | None
    pmid: bool | None

    def hard_conflicts(self) -> list[str]:
        """Differences that two records of one article almost never show."""
        found = []
        if self.year_gap is not None and self.year_gap > 1:
            found.append(f"years {self.year_gap} apart")
        if self.page is False:
            found.append("different first pages")
        if self.volume is False:
            found.append("different volumes")
        elif self.issue is False and self.page is not True:
            # Issue fields are often junk (EndNote record numbers): the same first page
            # outweighs them.
            found.append("different issues")
        if self.doi is False:
            found.append("different DOIs")
        if self.authors is not None and self.authors < 0.5 and self.first_author is False:
            found.append("different authors")
        return found


def _same(a: str | None, b: str | None) -> bool | None:
    if not a or not b:
        return None
    return a == b


@lru_cache(maxsize=65536)
def _journals(a: tuple[str, ...], b: tuple[str, ...]) -> bool | None:
    """Journal compatibility, cached: a search returns a few hundred journals many times."""
    return journals_compatible(a, b)


def _issue_same(a: str, b: str) -> bool | None:
    """Issues match; only plain numbers up to 99 count, because EndNote exports often hold
    running record numbers (1112, 1113, ...) in the issue field."""
    if not (a.isdigit() and b.isdigit()) or len(a) > 2 or len(b) > 2:
        return None
    return a == b


def _numbers_same(a: str, b: str) -> bool | None:
    """Volumes match by their leading number ("174" = "174aisc"); words or a year ("2016",
    which magazines use instead of a volume) are not evidence."""
    number_a, number_b = _leading_number(a), _leading_number(b)
    if not number_a or not number_b:
        return None
    if number_a != number_b and (len(number_a) == 4 or len(number_b) == 4):
        return None
    return number_a == number_b


def _leading_number(text: str) -> str:
    match = _NUMBER.match(text)
    return match.group(0) if match else ""


def _page_same(a: Prepared, b: Prepared, last: bool | None) -> bool | None:
    """First pages match; ``None`` where the page fields cannot be compared.

    Vendors mangle pages: "Suppl-29" for "S417-S429", e-locators ("e12724", "a1754")
    beside print pages, article-relative "1-6", a typo in one page of a range. Only two
    comparable page numbers that differ count as a conflict.
    """
    first_a, first_b = a.first_page, b.first_page
    if not _has_digit(first_a) or not _has_digit(first_b):
        return None
    if first_a == first_b:
        return True
    if a.page_starts or b.page_starts:  # several ranges, listed in any order
        return True if (a.page_starts or {first_a}) & (b.page_starts or {first_b}) else None
    if first_a[0].isdigit() != first_b[0].isdigit():  # e-locator or supplement vs print
        return True if first_a.lstrip(_LETTERS) == first_b.lstrip(_LETTERS) else None
    if last or "1" in (first_a, first_b) or a.last_page == first_b or b.last_page == first_a:
        return None
    return False


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def doi_same(a: str | None, b: str | None) -> bool | None:
    """DOIs match; a truncated DOI (a prefix of the other, as in some R exports) matches too."""
    if not a or not b:
        return None
    if a == b:
        return True
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= 16 and long_.startswith(short)


def title_similarity(a: str, b: str) -> float | None:
    """0-1 similarity of two normalised titles; a title cut short at a limit still matches."""
    if not a or not b:
        return None
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if long_.endswith(" " + short) and len(short) >= 15 and short.count(" ") >= 2:
        return max(TITLE_CLOSE, float(fuzz.ratio(a, b)) / 100.0)  # a section heading added
    if long_.startswith(short + " "):
        if len(short) >= 60:  # cut at a length limit
            return 0.96
        if len(short) >= 15 and short.count(" ") >= 2:  # subtitle left out
            return max(TITLE_CLOSE, float(fuzz.ratio(a, b)) / 100.0)
    return float(fuzz.ratio(a, b)) / 100.0


def best_title(a: Prepared, b: Prepared) -> float | None:
    """Title similarity, also trying a bracketed other-language title of either record."""
    best = title_similarity(a.title, b.title)
    if best is None or not (a.title_alt or b.title_alt):
        return best
    for x, y in ((a.title_alt, b.title), (a.title, b.title_alt)):
        other = title_similarity(x, y)
        if other is not None and other > best:
            best = other
    return best


def clearly_different(a: Prepared, b: Prepared) -> float | None:
    """The title similarity when it alone settles the pair as distinct, else ``None``.

    Most compared pairs (neighbours in a large block) have unrelated titles; no rule
    merges those without a shared identifier or a translated title, so the other fields
    need not be compared. Keeps the cost per pair low on 100,000 records.
    """
    if a.generic or b.generic or a.translated or b.translated:
        return None
    if (a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid):
        return None
    if a.doi and b.doi and doi_same(a.doi, b.doi):
        return None
    title = best_title(a, b)
    return title if title is not None and title < 0.6 else None


def gather(a: Prepared, b: Prepared) -> Evidence:
    authors: float | None = None
    first: bool | None = None
    if a.authors and b.authors:
        authors = float(fuzz.token_set_ratio(a.author_text, b.author_text)) / 100.0
        first = a.authors[0] == b.authors[0] or fuzz.ratio(a.authors[0], b.authors[0]) >= 85
        if authors < 0.5 and not first:  # names inverted in one export?
            swapped = float(fuzz.token_set_ratio(a.author_names, b.author_names)) / 100.0
            if swapped >= 0.85:
                authors, first = swapped, None
    gap = abs(a.year - b.year) if a.year is not None and b.year is not None else None
    last = _same(a.last_page.lstrip(_LETTERS), b.last_page.lstrip(_LETTERS))
    shifted = _shifted(a, b) or _shifted(b, a)
    return Evidence(
        title=best_title(a, b),
        authors=authors,
        first_author=first,
        year_gap=gap,
        journal=_journals(a.journal, b.journal),
        volume=True if shifted else _numbers_same(a.volume, b.volume),
        issue=True if shifted else _issue_same(a.issue, b.issue),
        page=None if shifted else _page_same(a, b, last),
        last_page=None if shifted else last,
        doi=doi_same(a.doi, b.doi),
        pmid=_same(a.pmid, b.pmid),
    )


def _shifted(a: Prepared, b: Prepared) -> bool:
    """``a`` wrote its citation one field to the right: volume in the issue field, issue in
    the pages ("(26):9" for "26(9):1746", as some conference exports do). Its page is then
    unknown, not a conflict."""
    return (
        not a.volume
        and bool(a.issue)
        and a.issue == b.volume
        and bool(b.issue)
        and a.first_page == b.issue
        and not a.last_page
    )


def score(ev: Evidence) -> float:
    """Weighted agreement of the fields both records have, for ranking and display only."""
    parts: list[tuple[float, float]] = []
    if ev.title is not None:
        parts.append((0.5, ev.title))
    if ev.authors is not None:
        parts.append((0.2, ev.authors))
    if ev.year_gap is not None:
        parts.append((0.1, 1.0 if ev.year_gap == 0 else 0.5 if ev.year_gap == 1 else 0.0))
    for flag, weight in ((ev.journal, 0.05), (ev.volume, 0.05), (ev.page, 0.1)):
        if flag is not None:
            parts.append((weight, 1.0 if flag else 0.0))
    for flag in (ev.doi, ev.pmid):
        if flag is not None:
            parts.append((0.3, 1.0 if flag else 0.0))
    total = sum(w for w, _ in parts)
    return round(sum(w * v for w, v in parts) / total, 4) if total else 0.0


def reasons(ev: Evidence) -> tuple[str, ...]:
    out = []
    if ev.title is not None:
        out.append(f"title similarity {ev.title:.2f}")
    if ev.authors is not None:
        out.append(f"author similarity {ev.authors:.2f}")
    for name, flag in (
        ("year", None if ev.year_gap is None else ev.year_gap == 0),
        ("journal", ev.journal),
        ("volume", ev.volume),
        ("first page", ev.page),
        ("DOI", ev.doi),
        ("PMID", ev.pmid),
    ):
        if flag is not None:
            out.append(f"{name} {'same' if flag else 'differs'}")
    return tuple(out)
