"""Pairwise comparison: is this pair one article, two, or a question for a person?

Rules rather than one weighted score, because the costly errors are specific situations a
score averages away: an erratum that shares its article's title, conference abstracts that
share a supplement's DOI, a guideline co-published under one title in several journals.
Each rule states the evidence it needs; anything short of it is "uncertain" or "distinct".
"""

from __future__ import annotations

from dataclasses import dataclass

from evidens.dedup.evidence import (
    TITLE_CLOSE,
    TITLE_SAME,
    Evidence,
    clearly_different,
    gather,
    reasons,
    score,
)
from evidens.dedup.prepared import Prepared
from evidens.dedup.related import abstract_of, heading_added, notice_of
from evidens.dedup.types import Outcome, PairVerdict


@dataclass(frozen=True)
class MatchOptions:
    """Choices a review team makes about what counts as "the same record"."""

    preprints_same: bool = False
    """Merge a preprint with its journal version. Off by default: they are two reports of one
    study, which a review links rather than removing one as a duplicate."""
    notices_same: bool = False
    """Merge an erratum, correction or reply into the item it concerns. Off by default: the
    notice is another report (PRISMA counts duplicates of one report), and the article must
    stay the record screened; the pair is linked instead."""
    abstracts_same: bool = False
    """Merge a meeting abstract with its full paper (or the same abstract at two meetings).
    Off by default: they are two reports of one study."""


def _kind_verdict(a: Prepared, b: Prepared, options: MatchOptions) -> PairVerdict | None:
    """Pairs of different kinds of record are never one article, whatever they share."""
    if a.registry != b.registry:
        return PairVerdict("distinct", 0.0, "registry entry vs publication")
    if a.erratum != b.erratum or a.reply != b.reply:
        kind = "erratum vs article" if a.erratum != b.erratum else "reply vs article"
        if options.notices_same:
            ev = gather(a, b)
            rule = notice_of(ev, a, b)
            if rule:
                return PairVerdict("duplicate", max(score(ev), 0.9), rule, reasons(ev))
        return PairVerdict("distinct", 0.0, kind)
    if a.preprint != b.preprint and not options.preprints_same:
        return PairVerdict("distinct", 0.0, "preprint vs published")
    return None


def compare(a: Prepared, b: Prepared, options: MatchOptions | None = None) -> PairVerdict:
    """Decide whether two prepared records are one article (symmetric in ``a`` and ``b``)."""
    options = options or MatchOptions()
    kind = _kind_verdict(a, b, options)
    if kind is not None:
        return kind
    quick = clearly_different(a, b)
    if quick is not None:
        return PairVerdict("distinct", round(0.5 * quick, 4), "different titles")
    ev = gather(a, b)
    similarity = score(ev)
    why = reasons(ev)
    if ev.pmid is False:
        return PairVerdict("distinct", similarity, "different PMIDs", why)
    ruling = _identifier_rule(ev, a) or _bibliographic_rule(ev, a, b)
    if ruling[1] != "duplicate" and options.abstracts_same and abstract_of(ev, a, b):
        ruling = (abstract_of(ev, a, b), "duplicate")
    if ruling[1] == "duplicate":
        similarity = max(similarity, 0.9)
    return PairVerdict(ruling[1], similarity, ruling[0], why)


Ruling = tuple[str, Outcome]


def _identifier_rule(ev: Evidence, a: Prepared) -> Ruling | None:
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


def _bibliographic_rule(ev: Evidence, a: Prepared, b: Prepared) -> Ruling:
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


def _by_title(ev: Evidence, a: Prepared, b: Prepared, preprint_pair: bool) -> Ruling:
    """No conflicting detail: how alike the titles are decides what else must agree."""
    assert ev.title is not None
    authors_ok = ev.authors is None or ev.authors >= 0.75 or bool(ev.first_author)
    if ev.title >= TITLE_SAME and authors_ok:
        return _same_title(ev, a, b, preprint_pair)
    similar = _similar_title(ev, a, b) if ev.title >= TITLE_CLOSE and authors_ok else None
    if similar is not None:
        return similar
    if (ev.title >= 0.6 or a.translated or b.translated) and _same_citation(ev, a, b):
        return ("authors+volume+pages", "duplicate")
    if ev.title >= 0.7 and _retitled_online(ev, a, b):
        return ("other title, same team, journal and year; one not yet in print", "uncertain")
    return ("different titles", "distinct")


def _similar_title(ev: Evidence, a: Prepared, b: Prepared) -> Ruling | None:
    """Alike but not identical titles: the citation, or a magazine heading, must confirm."""
    if _details_agree(ev) or ev.doi:
        return ("similar title+authors+volume+pages", "duplicate")
    if ev.journal and ev.year_gap == 0 and _same_team(ev) and heading_added(a, b):
        return ("title with a heading+authors+journal+year", "duplicate")
    if ev.journal and ev.year_gap == 0:
        return ("similar title", "uncertain")
    return None


def _retitled_online(ev: Evidence, a: Prepared, b: Prepared) -> bool:
    """An online-first record (no volume, no page) whose title the print edition changed.

    Journals retitle letters between online and print ("Complement blockade in ..." became
    "Eculizumab in ..."); the whole team, journal and year agree. Companion papers of one
    team look the same, so a person decides.
    """
    unprinted = any(not p.volume and not p.first_page for p in (a, b))
    team = min(len(a.authors), len(b.authors)) >= 3 and _same_team(ev)
    return bool(unprinted and team and ev.journal and ev.year_gap == 0)


def _one_slip(ev: Evidence, conflicts: list[str]) -> bool:
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


def _same_team(ev: Evidence) -> bool:
    """The same first author and (nearly) the same author list."""
    return bool(ev.first_author) and (ev.authors or 0.0) >= 0.9


def _with_conflicts(ev: Evidence, conflicts: list[str]) -> Ruling:
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


def _same_title(ev: Evidence, a: Prepared, b: Prepared, preprint_pair: bool) -> Ruling:
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
    if ev.volume and ev.issue and ev.year_gap == 0 and _same_team(ev):
        return ("title+authors+volume+issue", "duplicate")  # the journal's name translated
    if a.proceedings and b.proceedings and ev.year_gap == 0 and (ev.authors or 0) >= 0.9:
        return ("title+authors+year (proceedings)", "duplicate")
    return ("same title, different journal", "uncertain")


def _same_citation(ev: Evidence, a: Prepared, b: Prepared) -> bool:
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
        and b.last_page != b.first_page
    )


def _details_agree(ev: Evidence) -> bool:
    """Same first page (and volume where both have one) within a year: one printed article."""
    return bool(ev.page and ev.volume is not False and (ev.year_gap or 0) <= 1)


def _without_title(ev: Evidence, conflicts: list[str]) -> Ruling:
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
