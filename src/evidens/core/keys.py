"""Record keys: how a review folder names a record, so that a decision stays attached to the
same record whatever order the searches, files or store ids come in.

A key is taken from the record's own identifiers, most specific first: its PubMed id, its
DOI, a trial registry id (NCT, ISRCTN, EudraCT, CTRI, ChiCTR, DRKS, ANZCTR, jRCT/JPRN, ...),
a database accession number, and, for a record with none of these, a fingerprint of its own
title, year and first author. ``FILE#N`` (the N-th record of a named export, stable as long
as the file is) is read too; ``id:N``, a store's row number, is not a folder key: it changes
when the searches are loaded in another order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from evidens.core.records import Record, doi_key
from evidens.errors import ValidationError

KINDS = ("pmid", "doi", "trial", "an", "fp")
_WORD = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"[\s\-_/]+")


@dataclass(frozen=True)
class RecordKey:
    kind: str  # one of KINDS, or "file" for FILE#N
    value: str

    def __str__(self) -> str:
        return self.value if self.kind == "file" else f"{self.kind}:{self.value}"


def _plain(text: str) -> str:
    """Lower case, accents and punctuation dropped, words joined by single spaces."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(_WORD.findall("".join(c for c in folded if not unicodedata.combining(c))))


def registry_key(value: str) -> str:
    """A trial registry id as a key: upper case, no spaces or dashes inside
    (``nct 0123-4567`` and ``NCT01234567`` are the same trial)."""
    return _SPACE.sub("", value.strip()).upper()


def fingerprint(record: Record) -> str:
    """Twelve hex digits of a hash of the record's title, year and first author's family
    name, each normalised (case, accents, punctuation): the key of a record with no
    identifier, the same in every export that carries those three fields."""
    first = record.first_author or ""
    family = first.split(",")[0] if "," in first else (first.split() or [""])[-1]
    text = "|".join((_plain(record.title or ""), str(record.year or ""), _plain(family)))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def keys_of(record: Record) -> tuple[RecordKey, ...]:
    """Every key a record answers to, the one :func:`record_key` writes first."""
    keys: list[RecordKey] = []
    if record.pmid and record.pmid.strip():
        keys.append(RecordKey("pmid", record.pmid.strip()))
    if (doi := doi_key(record.doi)) is not None:
        keys.append(RecordKey("doi", doi))
    keys += [RecordKey("trial", registry_key(r)) for r in record.registry_ids if r.strip()]
    keys += [
        RecordKey("an", f"{db.lower()}:{value.strip()}")
        for db, value in record.accessions
        if value.strip()
    ]
    keys.append(RecordKey("fp", fingerprint(record)))
    return tuple(keys)


def record_key(record: Record) -> RecordKey:
    """The key a review folder writes for ``record``."""
    return keys_of(record)[0]


def parse_key(text: str) -> RecordKey:
    """A key as written in a folder, normalised the way :func:`keys_of` makes them."""
    raw = text.strip()
    kind, sep, value = raw.partition(":")
    kind = kind.strip().lower()
    if sep and kind in KINDS and value.strip():
        value = value.strip()
        if kind == "doi":
            normalised = doi_key(value)
            if normalised is None:
                raise ValidationError(f"{raw!r} is not a DOI", hint="write doi:10.xxxx/yyyy")
            value = normalised
        elif kind == "trial":
            value = registry_key(value)
        elif kind == "an":
            database, _, number = value.partition(":")
            value = f"{database.strip().lower()}:{number.strip()}"
        elif kind == "fp":
            value = value.lower()
        return RecordKey(kind, value)
    if "#" in raw and not sep:
        name, _, ordinal = raw.rpartition("#")
        if name and ordinal.isdigit():
            return RecordKey("file", raw)
    if kind == "id":
        raise ValidationError(
            f"{raw!r} names a store's row number, which changes when searches are loaded in "
            "another order",
            hint="name the record by pmid:, doi:, trial:, an: or fp: (the `key` column of "
            "`evidens export records.csv` gives each record's)",
        )
    raise ValidationError(
        f"record key {raw!r} is not understood",
        hint="use pmid:N, doi:10.x/y, trial:NCT..., an:DATABASE:N, fp:HEX or FILE#N",
    )
