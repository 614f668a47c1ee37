"""Records that report on one study without being the same report, merged only on request.

PRISMA 2020 counts duplicates of one report; an erratum, a reply to a letter, or a meeting
abstract later published in full are other reports of the same study. By default they stay
apart (the erratum is linked to its article); a review team that screens studies rather than
reports may merge them with :class:`~evidens.dedup.compare.MatchOptions`. Each rule still
needs the title, journal and year to agree, so an option never joins unrelated articles.
"""

from __future__ import annotations

import re

from evidens.dedup.evidence import TITLE_CLOSE, TITLE_SAME, Evidence
from evidens.dedup.prepared import Prepared


def notice_of(ev: Evidence, a: Prepared, b: Prepared) -> str:
    """The rule merging an erratum or reply with the item it concerns, or "" if unrelated.

    The notice carries the item's title (with "Erratum:" or "- Reply" around it), is printed
    in the same journal within a year, and in the same volume where both give one. A reply's
    authors differ from the letter's; an erratum's must not contradict the article's.
    """
    if ev.title is None or ev.title < TITLE_CLOSE or not ev.journal:
        return ""
    if ev.year_gap is None or ev.year_gap > 1 or ev.volume is False:
        return ""
    if a.reply != b.reply:
        return "reply with the item it answers"
    if ev.authors is None or ev.authors >= 0.8 or ev.first_author:
        return "erratum with its article"
    return ""


def abstract_of(ev: Evidence, a: Prepared, b: Prepared) -> str:
    """The rule merging a meeting abstract with its full paper or another abstract, or "".

    The same title (numbers included: "part 1" is not "part 2") and authors within a year.
    In one journal, one record must be the full paper: two one-page abstracts of one
    supplement are two abstracts (a team's talks often share most of a title). Across
    journals both must be abstracts: the same full paper in two journals is a co-published
    guideline, which stays two reports.
    """
    if not (a.short_item or b.short_item) or a.generic or b.generic:
        return ""
    if ev.title is None or ev.title < TITLE_SAME or digits(a.title) != digits(b.title):
        return ""
    if not ev.first_author or (ev.authors or 0) < 0.8 or ev.year_gap is None or ev.year_gap > 1:
        return ""
    both_short = a.short_item and b.short_item
    if (ev.journal and not both_short) or (both_short and not ev.journal and ev.year_gap == 0):
        return "meeting abstract with its paper"
    return ""


def digits(title: str) -> list[str]:
    """The numbers of a normalised title, which tell parts and years apart."""
    return [w for w in title.split() if w.isdigit()]


def heading_added(a: Prepared, b: Prepared) -> bool:
    """One title is the other behind a magazine's heading ("How did it ... <title>").

    The other title must be long (six words or more) and the heading must not mark a reply
    or comment ("Response to <title>"), which is another item about the same title.
    """
    short, long_ = sorted((a.title, b.title), key=len)
    if short.count(" ") < 5 or not long_.endswith(" " + short):
        return False
    heading = long_[: -len(short)]
    return not _NOTICE_WORDS.search(heading)


_NOTICE_WORDS = re.compile(
    r"\b(?:reply|response|comment|comments|commentary|erratum|correction|corrigendum|"
    r"retraction|letter|editorial|review|re)\b"
)
