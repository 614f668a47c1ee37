"""Words of a corpus as integer ids, exactly as scikit-learn's default tokeniser finds them.

The definition is ``re.findall(r"(?u)\\b\\w\\w+\\b", text.lower())`` per text. Why not that
regex: over a corpus of a few million characters the regex, and a dict of a million Python
strings to number the words, cost several times more than the rest of the TF-IDF features.
Here the corpus is joined, split at ASCII non-word bytes in one ``bytes.translate``, and the
fragments numbered with numpy (:func:`_fragment_ids`); only the distinct fragments - tens of
thousands - are then tokenised with the regex. Any case this cannot number exactly (a
fingerprint collision, a lone surrogate, the document break word inside a text) falls back
to tokenising text by text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
# Same tokens as scikit-learn's (?u)\b\w\w+\b: a greedy run of 2+ word characters can only
# start and end at word boundaries, and \w{2,} skips the boundary checks.
TOKEN = re.compile(r"\w{2,}")
DOC_BREAK = "zqxevidensdocbreakzqx"
CAPITAL_SIGMA = "\u03a3"
PADDING = " " * 8
SPACE = ord(" ")
BLOCK = 1 << 20  # bytes scanned at a time for fragment edges


def _ascii_table() -> bytes:
    """Byte map for ``bytes.translate``: ASCII letters lower-cased, other ASCII non-word
    characters made spaces, the bytes of multi-byte UTF-8 characters (all >= 0x80) kept."""
    table = bytearray(range(256))
    for byte in range(128):
        char = chr(byte)
        table[byte] = ord(char.lower()) if char.isalnum() or char == "_" else ord(" ")
    return bytes(table)


ASCII_TABLE = _ascii_table()


def tokenise(
    texts: Sequence[str], stop_words: frozenset[str]
) -> tuple[IntArray, IntArray, list[str]]:
    """Word ids of all texts in order and the document of each word.

    The texts are joined with a break word between documents, split at ASCII non-word bytes
    and the fragments numbered with numpy (:func:`_fragment_ids`): a regex, or a dict of a
    million Python strings, cost several times more. Only the distinct fragments (tens of
    thousands) are then tokenised exactly as scikit-learn does.
    """
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
    # lower() maps each character on its own, except a capital sigma, which depends on its
    # neighbours (within its text: the break word is set off by spaces). So the texts with
    # one are lower-cased up front; lower-casing again, per fragment, changes nothing. Not
    # the whole corpus: str.lower() of non-ASCII text takes a buffer of 3 x 4 bytes a
    # character, and those pages cost more than the lower-casing.
    if any(CAPITAL_SIGMA in text for text in texts):
        texts = [text.lower() if CAPITAL_SIGMA in text else text for text in texts]
    # Eight spaces after the last text let every fragment be read 8 bytes at a time; added
    # to the last text only, they cost no copy of the whole corpus.
    joined = f" {DOC_BREAK} ".join([*texts[:-1], texts[-1] + PADDING])
    try:
        encoded = joined.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return _tokenise_each(texts, stop_words)
    del joined  # each copy of the corpus freed as soon as the next exists
    numbered = _fragment_ids(encoded.translate(ASCII_TABLE))
    del encoded
    if numbered is None:  # two fragments had the same fingerprint
        return _tokenise_each(texts, stop_words)
    ids, fragments = numbered
    breaks = ids == (fragments.index(DOC_BREAK) if DOC_BREAK in fragments else -1)
    vocabulary, words, ends = _fragment_words(fragments, stop_words)
    if DOC_BREAK in vocabulary or np.count_nonzero(breaks) != len(texts) - 1:
        return _tokenise_each(texts, stop_words)  # the break word occurs in a text itself
    docs = np.cumsum(breaks)
    del breaks
    flat, docs = _spread(ids, docs, words, ends)
    return flat, docs, list(vocabulary)


def _fragment_ids(data: bytes, position_bits: int = 0) -> tuple[IntArray, list[str]] | None:
    """Ids of the space-separated fragments of ``data`` (numbered in order of first
    occurrence) and the distinct fragments, or None if two fingerprints collide.

    ``data`` ends with 8 spaces, so every fragment can be read 8 bytes at a time. Each
    fragment gets a fingerprint from those bytes; sorting fingerprint and position packed in
    one integer groups equal fragments with the first occurrence first. Every fragment is
    then compared byte for byte with the first of its group, so the ids are exact; a
    collision (odds about 3e-4 for 100,000 distinct fragments in a million) only returns
    None. ``position_bits`` > 20 shortens the fingerprints (tests collide them).
    """
    if not data.endswith(b" " * 8):
        raise ValueError("data must end with 8 spaces")
    starts, lengths = _fragment_spans(np.frombuffer(data, dtype=np.uint8))
    if not len(starts):
        return np.zeros(0, dtype=np.int64), []
    # An integer at every byte offset: the (unaligned) 8 bytes from there, little-endian.
    wide = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    levels = _chunks(wide, starts, lengths)
    bits = np.uint64(max(position_bits, len(starts).bit_length()))  # the rest is fingerprint
    keys = _fingerprints(levels, lengths)
    keys >>= bits
    keys <<= bits
    keys |= np.arange(len(starts), dtype=np.uint64)
    ids, first = _first_occurrence_ids(keys, int(bits))
    del keys
    if not _same_bytes(wide, starts, lengths, levels, first[ids]):
        return None
    # The distinct fragments, each with the space after it, gathered and decoded at once.
    sizes = lengths[first] + 1
    offsets = np.repeat(starts[first] - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
    gathered = np.frombuffer(data, dtype=np.uint8)[offsets].tobytes()
    return ids, gathered.decode().split(" ")[:-1]


def _fragment_spans(raw: NDArray[np.uint8]) -> tuple[IntArray, IntArray]:
    """Start and length of each run of non-space bytes in ``raw`` (which ends with a space).

    Scanned a block at a time, twice (count, then fill): whole-corpus boolean masks and the
    positions of all edges at once were the tokeniser's largest temporaries, and fresh
    memory costs a page fault per 4 KiB.
    """
    word = np.empty(BLOCK + 1, dtype=bool)  # reused: is byte i-1 a word byte
    edge = np.empty(BLOCK, dtype=bool)
    blocks = [(lo, min(lo + BLOCK, len(raw))) for lo in range(0, len(raw), BLOCK)]
    counts = [int(np.count_nonzero(_edges(raw, lo, hi, word, edge))) for lo, hi in blocks]
    total = sum(counts) // 2
    starts = np.empty(total, dtype=np.int64)
    lengths = np.empty(total, dtype=np.int64)  # the ends, until the starts are subtracted
    done = 0
    for (lo, hi), count in zip(blocks, counts, strict=True):
        found = np.flatnonzero(_edges(raw, lo, hi, word, edge))
        found += lo
        odd = done % 2  # edges alternate start, end
        starts[(done + 1) // 2 : (done + count + 1) // 2] = found[odd::2]
        lengths[done // 2 : (done + count) // 2] = found[1 - odd :: 2]
        done += count
    lengths -= starts
    return starts, lengths


def _edges(
    raw: NDArray[np.uint8], lo: int, hi: int, word: NDArray[np.bool_], edge: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Whether each byte of ``raw[lo:hi]`` starts or ends a run of non-space bytes."""
    word[0] = lo > 0 and raw[lo - 1] != SPACE
    np.not_equal(raw[lo:hi], SPACE, out=word[1 : hi - lo + 1])
    np.not_equal(word[1 : hi - lo + 1], word[: hi - lo], out=edge[: hi - lo])
    return edge[: hi - lo]


def _first_occurrence_ids(keys: NDArray[np.uint64], bits: int) -> tuple[IntArray, IntArray]:
    """Ids of the fingerprints in ``keys`` (each fingerprint above the low ``bits``, which
    hold its position), in order of first occurrence, and the first position of each id.

    One vectorised sort of ``keys`` (in place) groups equal fingerprints, the first
    occurrence first; an argsort of the fingerprints is about ten times slower. ``keys``
    then becomes the positions (no copy of a million integers)."""
    keys.sort()
    fingerprint = keys >> np.uint64(bits)
    group_start = np.empty(len(keys), dtype=bool)
    group_start[0] = True
    np.not_equal(fingerprint[1:], fingerprint[:-1], out=group_start[1:])
    del fingerprint
    keys &= np.uint64((1 << bits) - 1)
    position = keys.view(np.int64)
    first = position[group_start]  # each group's first occurrence
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    group = np.cumsum(group_start, dtype=np.int64)
    del group_start
    group -= 1
    ids = np.empty(len(keys), dtype=np.int64)
    ids[position] = rank[group]
    first.sort()
    return ids, first


Chunks = list[tuple[IntArray | slice, NDArray[np.uint64]]]


def _chunks(wide: NDArray[np.uint64], starts: IntArray, lengths: IntArray) -> Chunks:
    """The bytes of each fragment as integers: for k = 0, 1, ... the fragments longer than 8k
    bytes and their bytes 8k to 8k+7 (zero past the end), a few numpy passes for all."""
    levels: Chunks = [(slice(None), _chunk(wide, starts, lengths))]
    which = np.flatnonzero(lengths > 8)
    offset = 8
    while len(which):
        left = lengths[which] - offset
        levels.append((which, _chunk(wide, starts[which] + offset, left)))
        which = which[left > 8]
        offset += 8
    return levels


def _chunk(wide: NDArray[np.uint64], starts: IntArray, left: IntArray) -> NDArray[np.uint64]:
    """The 8 bytes at each of ``starts``, zero after the first ``left`` (at least 1): shifted
    up and back down by 64 - 8 * min(left, 8) bits, in place."""
    chunk: NDArray[np.uint64] = wide[starts]
    shift = np.empty(len(left), dtype=np.uint64)
    np.minimum(left, 8, out=shift, casting="unsafe")
    np.multiply(shift, np.uint64(8), out=shift)
    np.subtract(np.uint64(64), shift, out=shift)
    chunk <<= shift
    chunk >>= shift
    return chunk


def _fingerprints(levels: Chunks, lengths: IntArray) -> NDArray[np.uint64]:
    """A 64-bit hash of each fragment's bytes (multiply-xor over its 8-byte chunks)."""
    hashes = lengths.astype(np.uint64)
    step = np.uint64(0x9E3779B97F4A7C15)
    for which, chunk in levels:
        if isinstance(which, slice):  # all fragments: in place
            hashes *= step
            hashes ^= chunk
        else:
            hashes[which] = hashes[which] * step ^ chunk
    shifted = hashes >> np.uint64(31)
    hashes ^= shifted
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(hashes, np.uint64(29), out=shifted)
    hashes ^= shifted
    return hashes


def _same_bytes(
    wide: NDArray[np.uint64], starts: IntArray, lengths: IntArray, levels: Chunks, others: IntArray
) -> bool:
    """Whether each fragment equals fragment ``others[i]`` byte for byte."""
    if not np.array_equal(lengths, lengths[others]):
        return False
    if not np.array_equal(levels[0][1], levels[0][1][others]):  # all fragments, in order
        return False
    other_starts = starts[others]
    for k, (which, chunk) in enumerate(levels[1:], start=1):
        theirs = _chunk(wide, other_starts[which] + 8 * k, lengths[which] - 8 * k)
        if not np.array_equal(chunk, theirs):
            return False
    return True


def _fragment_words(
    fragments: Iterable[str], stop_words: frozenset[str]
) -> tuple[dict[str, int], IntArray, IntArray]:
    """Word ids of each fragment (``words[ends[i-1]:ends[i]]`` for fragment ``i``).

    Fragments come in order of first occurrence, so numbering the words as they come here
    numbers them in order of first occurrence in the texts. An ASCII fragment is one word if
    it has two or more characters; one with other characters may lower-case to several
    characters or contain non-word ones and, like a length in characters, needs the regex.
    """
    vocabulary: dict[str, int] = {}
    words: list[int] = []
    ends: list[int] = []
    for fragment in fragments:
        if fragment.isascii():
            tokens = [fragment] if len(fragment) > 1 and fragment != DOC_BREAK else []
        else:
            tokens = TOKEN.findall(fragment.lower())
        for token in tokens:
            if token not in stop_words:
                words.append(vocabulary.setdefault(token, len(vocabulary)))
        ends.append(len(words))
    return vocabulary, np.array(words, dtype=np.int64), np.array(ends, dtype=np.int64)


def _spread(
    ids: IntArray, docs: IntArray, words: IntArray, ends: IntArray
) -> tuple[IntArray, IntArray]:
    """The word ids of a sequence of fragment ids, with the document of each."""
    counts = np.diff(ends, prepend=0)
    starts = ends - counts
    if counts.size and counts.max() > 1:  # some fragment has several words
        per_fragment = counts[ids]
        total = int(per_fragment.sum())
        offsets = np.arange(total) - np.repeat(np.cumsum(per_fragment) - per_fragment, per_fragment)
        return words[np.repeat(starts[ids], per_fragment) + offsets], np.repeat(docs, per_fragment)
    word_of = np.full(len(ends), -1, dtype=np.int64)
    word_of[counts == 1] = words
    flat = word_of[ids]
    kept = flat >= 0
    return flat[kept], docs[kept]


def _tokenise_each(
    texts: Sequence[str], stop_words: frozenset[str]
) -> tuple[IntArray, IntArray, list[str]]:
    vocabulary: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    for text in texts:
        tokens = TOKEN.findall(text.lower())
        if stop_words:
            tokens = [t for t in tokens if t not in stop_words]
        ids.extend(vocabulary.setdefault(t, len(vocabulary)) for t in tokens)
        lengths.append(len(tokens))
    flat = np.asarray(ids, dtype=np.int64)
    docs = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    return flat, docs, list(vocabulary)
