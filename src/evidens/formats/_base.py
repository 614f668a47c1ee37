"""Result types shared by every reader, and the builder readers fill in.

Readers never return half a file: they collect records and warnings into a
:class:`ParseResult` only once the whole input has been read, so an import is all-or-nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from evidens.core import Record
from evidens.core.records import RawField, normalize_doi

MAX_INPUT_BYTES = 512 * 1024 * 1024
"""Largest export we read at once (a 100,000-record RIS file is about 200 MB)."""


@dataclass(frozen=True)
class ParseWarning:
    """Something a reader skipped or guessed, with the 1-based line it happened on."""

    line: int | None
    message: str


@dataclass(frozen=True)
class ParseResult:
    """Every record of one export file, read completely, with the reader's warnings."""

    format: str
    encoding: str
    records: tuple[Record, ...]
    warnings: tuple[ParseWarning, ...] = ()
    name: str = "<input>"

    def report(self) -> ImportReport:
        """The per-file import report (counts of missing fields, fill rates, warnings)."""
        from evidens.formats.report import import_report

        return import_report(self)


@dataclass(frozen=True)
class ImportReport:
    """What a person checks after an import: how many records, and how complete they are."""

    name: str
    format: str
    encoding: str
    records: int
    missing_title: int
    missing_abstract: int
    missing_year: int
    missing_doi: int
    fill_rates: tuple[tuple[str, float], ...]
    warnings: tuple[ParseWarning, ...]


Reader = Callable[[str, str], tuple[list[Record], list[ParseWarning]]]
"""A reader takes decoded text and the file name and returns records and warnings."""

Sniffer = Callable[[str], int]
"""A sniffer scores how surely decoded text is its format: 0 = not it, 100 = certain."""


@dataclass(frozen=True)
class FormatPlugin:
    """One importable format: an id, a content sniffer and a reader.

    Plugins are registered through the ``evidens.formats`` entry-point group; the built-in
    formats use the same mechanism, so a third-party format is a first-class citizen.
    """

    id: str
    label: str
    sniff: Sniffer
    read: Reader


@dataclass(slots=True)
class RecordBuilder:
    """Mutable scratch space a reader fills while walking one record's fields."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    start_page: str | None = None
    end_page: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    accessions: list[tuple[str, str]] = field(default_factory=list)
    registry_ids: list[str] = field(default_factory=list)
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    subject_headings: list[str] = field(default_factory=list)
    language: str | None = None
    publication_types: list[str] = field(default_factory=list)
    issn: str | None = None
    urls: list[str] = field(default_factory=list)
    source_database: str | None = None

    def first(self, attr: str, value: str | None) -> None:
        """Set a single-valued field unless an earlier (preferred) tag already set it."""
        text = value.strip() if value is not None else None
        if text and getattr(self, attr) is None:
            setattr(self, attr, text)

    def add(self, attr: str, value: str | None) -> None:
        """Append to a repeated field, skipping blanks and exact repeats."""
        if value is None or not (text := value.strip()):
            return
        items: list[str] = getattr(self, attr)
        if text not in items:
            items.append(text)

    def set_doi(self, value: str | None) -> None:
        if self.doi is None:
            self.doi = normalize_doi(value)

    def set_year(self, value: str | None) -> None:
        if self.year is None:
            self.year = parse_year(value)

    def accession(self, database: str, value: str | None) -> None:
        """Add (database, id); a repeated database label ("EMBASE 6435...") is dropped."""
        text = clean(value)
        if text and text.upper().startswith(database.upper() + " "):
            text = text[len(database) + 1 :].strip()
        if text and (database, text) not in self.accessions:
            self.accessions.append((database, text))

    def build(
        self, raw: list[RawField], source_line: int | None, *, registry_ids: bool = True
    ) -> Record:
        """Freeze into a :class:`Record`; registry ids are also mined from the raw text.

        ``registry_ids=False`` skips that search when the reader knows the whole file has no
        registry id in it (:func:`mentions_registry`), which saves a scan of every record.
        """
        if registry_ids:
            for trial_id in find_registry_ids("\n".join([value for _, value in raw])):
                self.add("registry_ids", trial_id)
        pmid = _DIGITS.search(self.pmid) if self.pmid else None
        issn = _ISSN.search(self.issn) if self.issn else None
        return Record(
            title=self.title,
            authors=tuple(self.authors),
            year=self.year,
            journal=self.journal,
            volume=self.volume,
            issue=self.issue,
            pages=self.pages or join_pages(self.start_page, self.end_page),
            doi=self.doi,
            pmid=pmid.group(0) if pmid else None,
            pmcid=self.pmcid,
            accessions=tuple(self.accessions),
            registry_ids=tuple(self.registry_ids),
            abstract=self.abstract,
            keywords=tuple(self.keywords),
            subject_headings=tuple(self.subject_headings),
            language=self.language,
            publication_types=tuple(self.publication_types),
            issn=issn.group(0) if issn else self.issn,
            urls=tuple(self.urls),
            source_database=self.source_database,
            raw=tuple(raw),
            source_line=source_line,
        )


def clean(value: str | None) -> str | None:
    """Collapse a vendor value to one trimmed string; blank becomes ``None``."""
    if value is None:
        return None
    text = value.strip()
    return text or None


def parse_year(value: str | None) -> int | None:
    """First plausible 4-digit year in a vendor date ("2019//", "2020 Feb", "4/3/2024")."""
    if not value:
        return None
    for match in _YEAR.finditer(value):
        year = int(match.group(0))
        if 1000 <= year <= 2999:
            return year
    return None


def join_pages(start: str | None, end: str | None) -> str | None:
    """ "152-160" from start and end page; MEDLINE-style abbreviated ends are kept as given."""
    start, end = clean(start), clean(end)
    if start and end and end != start:
        return f"{start}-{end}"
    return start or end


def mentions_registry(text: str) -> bool:
    """Whether ``text`` could hold a trial registry id at all (a substring every id has).

    Readers ask this once for a whole file: no record's values can hold an id when the text
    they come from holds none of the hints (joining lines never forms one, as no hint holds
    a space or line break). Three scans stand for the six hints: all but ``DRKS`` and
    ``JPRN`` contain ``CT``, so a hit is a maybe, and a miss is certain.
    """
    return "CT" in text or "DRKS" in text or "JPRN" in text


def find_registry_ids(text: str) -> list[str]:
    """Trial registry ids (NCT, ISRCTN, CTRI, ...) mentioned anywhere in a value."""
    if not any(hint in text for hint in _REGISTRY_HINTS):
        return []
    return [m.group(0).upper().replace(" ", "") for m in _REGISTRY.finditer(text)]


_DIGITS = re.compile(r"\d+")
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_REGISTRY_HINTS = ("NCT", "CTR", "ISRCTN", "DRKS", "JPRN", "IRCT")
"""Substrings every registry id pattern below contains; plain ``in`` is far faster than a
regex alternation over every field of every record."""
_REGISTRY = re.compile(
    r"\b(?:NCT\d{8}|ISRCTN\d{8}|CTRI/\d{4}/\d{2,3}/\d{6}|ACTRN\d{14}|ChiCTR[-\w]*?\d{6,}"
    r"|DRKS\d{8}|EUCTR\d{4}-\d{6}-\d{2}(?:-[A-Z]{2})?|JPRN-[A-Za-z]+\d+|IRCT\d+N\d+"
    r"|PACTR\d{15})\b"
)
