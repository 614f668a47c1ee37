"""Blocking: which pairs are worth comparing, so cost grows with n rather than n².

Each record gets several keys (DOI, PMID, title start, title end, first author and year,
year and first page, volume and first page, trial id); only records sharing a key are
compared. One key that differs between two versions of an article (a typo at the title's
start, a missing DOI) leaves the others to find the pair. Large blocks ("Editorial",
"Wang 2015") are not compared all-pairs but by a sorted window, which keeps the cost
linear while still meeting near-identical titles as neighbours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from evidens.dedup.prepared import Prepared

MAX_BLOCK = 40
"""Blocks up to this size are compared all-pairs; larger ones by a sorted window."""
WINDOW = 12
"""In a large block, each record is compared with this many neighbours in title order."""
KEY_CHARS = 30


def block_keys(p: Prepared) -> Iterator[str]:
    """The blocking keys of one prepared record (empty fields give no key)."""
    if p.doi:
        yield "d:" + p.doi[:24]  # a prefix, so truncated DOIs still meet the full form
    if p.pmid:
        yield "p:" + p.pmid
    if len(p.title_key) >= 6:
        yield "t:" + p.title_key[:KEY_CHARS]
        yield "e:" + p.title_key[-KEY_CHARS:]
    first = p.authors[0] if p.authors else ""
    if first and p.year is not None:
        yield f"a:{first}:{p.year}"
    if p.first_page:
        yield f"y:{p.year}:{p.first_page}"
        if p.volume:
            yield f"v:{p.volume}:{p.first_page}"
    if first and len(p.title_key) >= 6:
        yield f"f:{first}:{p.title_key[:8]}"
    for trial in p.trial_ids:
        yield "r:" + trial


def candidate_pairs(
    prepared: Sequence[Prepared], rank: Sequence[int], *, max_block: int = MAX_BLOCK
) -> set[tuple[int, int]]:
    """Index pairs (i < j) that share a blocking key.

    ``rank`` orders records by content, not by input position, so the pairs chosen inside a
    large block do not depend on the order the records were given in.
    """
    blocks: defaultdict[str, list[int]] = defaultdict(list)
    for index, p in enumerate(prepared):
        for key in block_keys(p):
            blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) <= max_block:
            _all_pairs(members, pairs)
        else:
            ordered = sorted(members, key=lambda i: (prepared[i].title_key, rank[i]))
            _window_pairs(ordered, pairs)
    return pairs


def _all_pairs(members: list[int], pairs: set[tuple[int, int]]) -> None:
    for pos, i in enumerate(members):
        for j in members[pos + 1 :]:
            pairs.add((i, j) if i < j else (j, i))


def _window_pairs(ordered: list[int], pairs: set[tuple[int, int]]) -> None:
    for pos, i in enumerate(ordered):
        for j in ordered[pos + 1 : pos + 1 + WINDOW]:
            pairs.add((i, j) if i < j else (j, i))
