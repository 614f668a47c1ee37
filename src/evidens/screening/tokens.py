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


def _ascii_table() -> bytes:
    """Byte map for ``bytes.translate``: ASCII letters lower-cased, other ASCII non-word
    characters made spaces, the bytes of multi-byte UTF-8 characters (all >= 0x80) kept."""
    table = bytearray(range(256))
    for byte in range(128):
        char = chr(byte)
        table[byte] = ord(char.lower()) if char.isalnum() or char == "_" else ord(" ")
    return bytes(table)


ASCII_TABLE = _ascii_table()
# Masks keeping the first n bytes (n = 0 ... 8) of a little-endian 8-byte integer.
CHUNK_MASKS = np.array([(1 << 8 * n) - 1 for n in range(9)], dtype=np.uint64)


def tokenise(
    texts: Sequence[str], stop_words: frozenset[str]
) -> tuple[IntArray, IntArray, list[str]]:
    """Word ids of all texts in order and the document of each word.

    The texts are joined with a break word between documents, split at ASCII non-word bytes
    and the fragments numbered with numpy (:func:`_fragment_ids`): a regex, or a dict of a
    million Python strings, cost several times more. Only the distinct fragments (tens of
    thousands) are then tokenised exactly as scikit-learn does.
    """
    joined = f" {DOC_BREAK} ".join(texts)
    # lower() maps each character on its own, except a capital sigma, which depends on its
    # neighbours: only then is the whole text lower-cased up front (and fragments not again).
    whole = CAPITAL_SIGMA in joined
    try:
        data = (joined.lower() if whole else joined).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return _tokenise_each(texts, stop_words)
    numbered = _fragment_ids(data.translate(ASCII_TABLE))
    if numbered is None:  # two fragments had the same fingerprint
        return _tokenise_each(texts, stop_words)
    ids, fragments = numbered
    breaks = ids == (fragments.index(DOC_BREAK) if DOC_BREAK in fragments else -1)
    vocabulary, words, ends = _fragment_words(fragments, stop_words, lower=not whole)
    if DOC_BREAK in vocabulary or np.count_nonzero(breaks) != len(texts) - 1:
        return _tokenise_each(texts, stop_words)  # the break word occurs in a text itself
    flat, docs = _spread(ids, np.cumsum(breaks), words, ends)
    return flat, docs, list(vocabulary)


def _fragment_ids(data: bytes, position_bits: int = 0) -> tuple[IntArray, list[str]] | None:
    """Ids of the space-separated fragments of ``data`` (numbered in order of first
    occurrence) and the distinct fragments, or None if two fingerprints collide.

    Each fragment gets a fingerprint from its bytes read 8 at a time; sorting fingerprint and
    position packed in one integer groups equal fragments with the first occurrence first.
    Every fragment is then compared byte for byte with the first of its group, so the ids
    are exact; a collision (odds about 3e-4 for 100,000 distinct fragments in a million)
    only returns None. ``position_bits`` > 20 shortens the fingerprints (tests collide them).
    """
    padded = np.frombuffer(data + b" " * 8, dtype=np.uint8)
    is_word = np.zeros(len(data) + 2, dtype=bool)
    np.not_equal(padded[: len(data)], ord(" "), out=is_word[1:-1])
    edges = np.flatnonzero(is_word[1:] != is_word[:-1])
    starts = edges[::2].copy()  # contiguous: faster to index with
    lengths = edges[1::2] - starts
    if not len(starts):
        return np.zeros(0, dtype=np.int64), []
    # An integer at every byte offset: the (unaligned) 8 bytes from there, little-endian.
    wide = np.ndarray((len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))
    levels = _chunks(wide, starts, lengths)
    bits = max(position_bits, len(starts).bit_length())  # the rest is fingerprint
    keys = _fingerprints(levels, lengths) >> np.uint64(bits) << np.uint64(bits)
    keys |= np.arange(len(starts), dtype=np.uint64)
    ids, first = _first_occurrence_ids(keys, bits)
    if not _same_bytes(wide, starts, lengths, levels, first[ids]):
        return None
    # The distinct fragments, each with the space after it, gathered and decoded at once.
    sizes = lengths[first] + 1
    offsets = np.repeat(starts[first] - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
    return ids, padded[offsets].tobytes().decode().split(" ")[:-1]


def _first_occurrence_ids(keys: NDArray[np.uint64], bits: int) -> tuple[IntArray, IntArray]:
    """Ids of the fingerprints in ``keys`` (each fingerprint above the low ``bits``, which
    hold its position), in order of first occurrence, and the first position of each id.

    One vectorised sort of ``keys`` (in place) groups equal fingerprints, the first
    occurrence first; an argsort of the fingerprints is about ten times slower."""
    keys.sort()
    position = (keys & np.uint64((1 << bits) - 1)).astype(np.int64)
    group_start = np.empty(len(keys), dtype=bool)
    group_start[0] = True
    np.not_equal(keys[1:] >> np.uint64(bits), keys[:-1] >> np.uint64(bits), out=group_start[1:])
    first = position[group_start]  # each group's first occurrence
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    ids = np.empty(len(keys), dtype=np.int64)
    ids[position] = rank[np.cumsum(group_start) - 1]
    first.sort()
    return ids, first


Chunks = list[tuple[IntArray | slice, NDArray[np.uint64]]]


def _chunks(wide: NDArray[np.uint64], starts: IntArray, lengths: IntArray) -> Chunks:
    """The bytes of each fragment as integers: for k = 0, 1, ... the fragments longer than 8k
    bytes and their bytes 8k to 8k+7 (zero past the end), a few numpy passes for all."""
    levels: Chunks = []
    which: IntArray | slice = slice(None)
    offset = 0
    while True:
        left = lengths[which] - offset
        levels.append((which, _chunk(wide, starts[which] + offset, left)))
        longer = left > 8
        which = np.flatnonzero(longer) if isinstance(which, slice) else which[longer]
        if not len(which):
            return levels
        offset += 8


def _chunk(wide: NDArray[np.uint64], starts: IntArray, left: IntArray) -> NDArray[np.uint64]:
    """The 8 bytes at each of ``starts``, zero after the first ``left``."""
    chunk: NDArray[np.uint64] = wide[starts] & CHUNK_MASKS[np.minimum(left, 8)]
    return chunk


def _fingerprints(levels: Chunks, lengths: IntArray) -> NDArray[np.uint64]:
    """A 64-bit hash of each fragment's bytes (multiply-xor over its 8-byte chunks)."""
    hashes = lengths.astype(np.uint64)
    for which, chunk in levels:
        hashes[which] = hashes[which] * np.uint64(0x9E3779B97F4A7C15) ^ chunk
    hashes ^= hashes >> np.uint64(31)
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    return hashes ^ (hashes >> np.uint64(29))


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
    fragments: Iterable[str], stop_words: frozenset[str], *, lower: bool
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
            tokens = TOKEN.findall(fragment.lower() if lower else fragment)
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
