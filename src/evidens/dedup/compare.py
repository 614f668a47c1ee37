"""Pairwise comparison: is this pair one article, two, or a question for a person?

Rules rather than one weighted score, because the costly errors are specific situations a
score averages away: an erratum that shares its article's title, conference abstracts that
share a supplement's DOI, a guideline co-published under one title in several journals.
Each rule states the evidence it needs; anything short of it is "uncertain" or "distinct".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from evidens.dedup.normalize import journals_compatible
from evidens.dedup.prepared import Prepared
from evidens.dedup.types import Outcome, PairVerdict

_NUMBER = re.compile(r"\d+")
TITLE_SAME = 0.95
"""Title similarity above which two titles are the same title written differently."""
TITLE_CLOSE = 0.85
"""Title similarity above which agreeing bibliographic details may confirm a duplicate."""


@dataclass(frozen=True)
class MatchOptions:
    """Choices a review team makes about what counts as "the same record"."""

    preprints_same: bool = False
    """Merge a preprint with its published version (Cochrane keeps them apart by default)."""


@dataclass(frozen=True, slots=True)
class _Evidence:
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
        elif self.issue is False:
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


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _doi_same(a: str | None, b: str | None) -> bool | None:
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


def _best_title(a: Prepared, b: Prepared) -> float | None:
    """Title similarity, also trying a bracketed other-language title of either record."""
    best = title_similarity(a.title, b.title)
    if best is None or not (a.title_alt or b.title_alt):
        return best
    for x, y in ((a.title_alt, b.title), (a.title, b.title_alt)):
        other = title_similarity(x, y)
        if other is not None and other > best:
            best = other
    return best


def _clearly_different(a: Prepared, b: Prepared) -> float | None:
    """The title similarity when it alone settles the pair as distinct, else ``None``.

    Most compared pairs (neighbours in a large block) have unrelated titles; no rule
    merges those without a shared identifier or a translated title, so the other fields
    need not be compared. Keeps the cost per pair low on 100,000 records.
    """
    if a.generic or b.generic or a.translated or b.translated:
        return None
    if (a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid):
        return None
    if a.doi and b.doi and _doi_same(a.doi, b.doi):
        return None
    title = _best_title(a, b)
    return title if title is not None and title < 0.6 else None


def _evidence(a: Prepared, b: Prepared) -> _Evidence:
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
    return _Evidence(
        title=_best_title(a, b),
        authors=authors,
        first_author=first,
        year_gap=gap,
        journal=_journals(a.journal, b.journal),
        volume=_numbers_same(a.volume, b.volume),
        issue=_same(a.issue, b.issue) if a.issue.isdigit() and b.issue.isdigit() else None,
        page=_page_same(a, b, last),
        last_page=last,
        doi=_doi_same(a.doi, b.doi),
        pmid=_same(a.pmid, b.pmid),
    )


def _score(ev: _Evidence) -> float:
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


def _reasons(ev: _Evidence) -> tuple[str, ...]:
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


def _kind_verdict(a: Prepared, b: Prepared, options: MatchOptions) -> PairVerdict | None:
    """Pairs of different kinds of record are never one article, whatever they share."""
    if a.registry != b.registry:
        return PairVerdict("distinct", 0.0, "registry entry vs publication")
    if a.erratum != b.erratum:
        return PairVerdict("distinct", 0.0, "erratum vs article")
    if a.preprint != b.preprint and not options.preprints_same:
        return PairVerdict("distinct", 0.0, "preprint vs published")
    return None


def compare(a: Prepared, b: Prepared, options: MatchOptions | None = None) -> PairVerdict:
    """Decide whether two prepared records are one article (symmetric in ``a`` and ``b``)."""
    options = options or MatchOptions()
    kind = _kind_verdict(a, b, options)
    if kind is not None:
        return kind
    quick = _clearly_different(a, b)
    if quick is not None:
        return PairVerdict("distinct", round(0.5 * quick, 4), "different titles")
    ev = _evidence(a, b)
    score = _score(ev)
    reasons = _reasons(ev)
    if ev.pmid is False:
        return PairVerdict("distinct", score, "different PMIDs", reasons)
    ruling = _identifier_rule(ev, a) or _bibliographic_rule(ev, a, b)
    if ruling[1] == "duplicate":
        score = max(score, 0.9)
    return PairVerdict(ruling[1], score, ruling[0], reasons)


Ruling = tuple[str, Outcome]


def _identifier_rule(ev: _Evidence, a: Prepared) -> Ruling | None:
    """DOI or PMID equality decides, unless titles or pages show two articles under one DOI.

    Conference abstracts in a journal supplement often carry the supplement's DOI, and
    publishers occasionally reuse a DOI by mistake; a different title or first page then
    outweighs the shared identifier.
    """
    rule = "pmid" if ev.pmid else "doi" if ev.doi and not a.doi_shared else ""
    if not rule or (ev.year_gap is not None and ev.year_gap > 1):
        return None
    if ev.title is not None and ev.title >= TITLE_SAME:  # pages: article number vs page
        return (rule, "duplicate")
    if ev.page is False:
        return None
    if ev.title is None or ev.title >= 0.8:
        return (rule, "duplicate")
    if ev.page and (ev.first_author or ev.authors is None):
        return (rule + "+pages", "duplicate")
    return None


def _bibliographic_rule(ev: _Evidence, a: Prepared, b: Prepared) -> Ruling:
    """Title, authors, year, journal, volume and pages, without a shared identifier."""
    conflicts = ev.hard_conflicts()
    preprint_pair = a.preprint != b.preprint
    if preprint_pair:  # a preprint's venue, DOI and pages never match its journal version
        conflicts = [c for c in conflicts if c not in ("different DOIs", "different first pages")]
    if ev.title is None or a.generic or b.generic:
        return _without_title(ev, conflicts)
    if ev.title >= TITLE_SAME and ev.page and ev.year_gap == 0 and _one_slip(ev, conflicts):
        return ("title+volume+pages", "duplicate")
    if conflicts:
        return _with_conflicts(ev, conflicts)
    return _by_title(ev, a, b, preprint_pair)


def _by_title(ev: _Evidence, a: Prepared, b: Prepared, preprint_pair: bool) -> Ruling:
    """No conflicting detail: how alike the titles are decides what else must agree."""
    assert ev.title is not None
    authors_ok = ev.authors is None or ev.authors >= 0.75 or bool(ev.first_author)
    if ev.title >= TITLE_SAME and authors_ok:
        return _same_title(ev, a, b, preprint_pair)
    if ev.title >= TITLE_CLOSE and authors_ok:
        if _details_agree(ev) or ev.doi:
            return ("similar title+authors+volume+pages", "duplicate")
        if ev.journal and ev.year_gap == 0:
            return ("similar title", "uncertain")
    if (ev.title >= 0.6 or a.translated or b.translated) and _same_citation(ev, a):
        return ("authors+volume+pages", "duplicate")
    return ("different titles", "distinct")


def _one_slip(ev: _Evidence, conflicts: list[str]) -> bool:
    """Same title on the same page of one journal in one year, with at most one slip.

    A mistyped DOI, volume or issue, or an author field naming the trial group instead of
    its authors, does not make two articles - but two such differences together do
    (recurring columns such as "Editorial Introduction" share title, journal and page).
    """
    if not conflicts:
        return True
    allowed = {"different DOIs"}
    if ev.journal:
        allowed |= {"different authors", "different volumes", "different issues"}
    return len(conflicts) == 1 and conflicts[0] in allowed


def _with_conflicts(ev: _Evidence, conflicts: list[str]) -> Ruling:
    """One conflict beside an identical title is a question for a person; more are an answer.

    A different volume or issue of the same journal without a matching page is a recurring
    column ("Editor's Comments"), which is distinct.
    """
    assert ev.title is not None
    recurring = ev.journal and not ev.page and conflicts[0] in _RECURRING
    same_source = ev.first_author or (ev.journal and ev.year_gap == 0)
    if ev.title >= TITLE_SAME and len(conflicts) == 1 and not recurring and same_source:
        return ("same title, " + conflicts[0], "uncertain")
    return ("; ".join(conflicts), "distinct")


_RECURRING = ("different volumes", "different issues")


def _same_title(ev: _Evidence, a: Prepared, b: Prepared, preprint_pair: bool) -> Ruling:
    """Same title and authors: the venue and year must not contradict.

    The same guideline co-published in several journals has one title and one author list;
    only the journal tells the copies apart, so a journal mismatch is never merged
    automatically unless the page or the conference (whose names vary) confirms it.
    """
    details = _details_agree(ev)
    if ev.year_gap != 0 and not (ev.journal or details or ev.doi):
        return ("same title, year or journal unconfirmed", "uncertain")
    if ev.journal is not False or preprint_pair:
        return ("title+authors+year", "duplicate")
    if details:
        return ("title+authors+volume+pages", "duplicate")
    if a.proceedings and b.proceedings and ev.year_gap == 0 and (ev.authors or 0) >= 0.9:
        return ("title+authors+year (proceedings)", "duplicate")
    return ("same title, different journal", "uncertain")


def _same_citation(ev: _Evidence, a: Prepared) -> bool:
    """Same authors, year, volume and full page range: one article whatever its title says.

    Used when one title is a translation of the other or a heading was added. A page range
    (not a single page) is required because several conference abstracts share one page.
    """
    authors_ok = ev.first_author and (ev.authors or 0) >= 0.8
    return bool(
        (authors_ok or (ev.authors is None and ev.journal))
        and ev.year_gap == 0
        and ev.volume
        and ev.page
        and ev.last_page
        and a.last_page != a.first_page
    )


def _details_agree(ev: _Evidence) -> bool:
    """Same first page (and volume where both have one) within a year: one printed article."""
    return bool(ev.page and ev.volume is not False and (ev.year_gap or 0) <= 1)


def _without_title(ev: _Evidence, conflicts: list[str]) -> Ruling:
    """A missing or generic title ("Editorial") proves nothing: the citation must match."""
    if conflicts:
        return ("; ".join(conflicts), "distinct")
    citation = ev.journal and ev.volume and ev.page and ev.year_gap == 0
    authors_ok = ev.first_author is not False
    if citation and authors_ok and ev.title is not None and ev.title >= TITLE_SAME:
        return ("authors+journal+volume+pages", "duplicate")
    if citation and authors_ok:
        return ("generic title, same citation", "uncertain")
    return ("generic or missing title", "distinct")
