"""The review report as a format-neutral document: sections, tables, figures, checklist.

:func:`evidens.report.document.build_report` fills these once; the HTML and DOCX renderers
only draw them, so both formats always carry the same numbers, wording and table layout
(the seed's Tables 1-4). Table cells may span rows and columns because the seed's RoB table
names each study once beside all of its domains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TO_COMPLETE = "to be completed by the authors"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (NUL and other C0 controls, lone
    surrogates): imported files carry them, and they would make a DOCX unreadable and an
    HTML page invalid."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class Cell:
    """One table cell; ``notes`` are footnote letters shown as a superscript, and ``\\n`` in
    ``text`` is a line break."""

    text: str
    notes: str = ""
    colspan: int = 1
    rowspan: int = 1
    bold: bool = False
    muted: bool = False
    """Placeholder text (a checklist item left to the authors), shown grey and italic."""


@dataclass(frozen=True)
class Table:
    """A numbered table. ``widths`` are relative column widths (they also fix the number of
    columns); ``landscape`` asks the DOCX renderer for a landscape section."""

    key: str
    number: int
    caption: str
    header: tuple[tuple[Cell, ...], ...]
    body: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]
    notes: tuple[str, ...] = ()
    landscape: bool = False

    @property
    def label(self) -> str:
        return f"Table {self.number}"


@dataclass(frozen=True)
class Figure:
    """A numbered figure. ``svg`` drawn by evidens itself may be inlined in HTML
    (``inline``); supplied SVG is embedded as an image so that nothing in it can run.
    ``png`` is what the DOCX shows; without it the DOCX says where to find the figure."""

    key: str
    number: int
    caption: str
    svg: bytes | None
    png: bytes | None
    inline: bool = False
    alt: str = ""
    """A text version for screen readers (HTML alt, DOCX image description)."""

    @property
    def label(self) -> str:
        return f"Figure {self.number}"


@dataclass(frozen=True)
class Section:
    """A heading of the methods summary and its paragraphs."""

    key: str
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class ChecklistItem:
    """One PRISMA 2020 item or sub-item and where this report answers it (blank: not known
    to evidens)."""

    item: str
    section: str
    topic: str
    location: str

    @property
    def filled(self) -> bool:
        return bool(self.location)

    @property
    def shown_location(self) -> str:
        return self.location or TO_COMPLETE


@dataclass(frozen=True)
class ReviewReport:
    """The whole document in reading order: title, methods summary, tables and figures,
    then the PRISMA 2020 checklist."""

    title: str
    methods: tuple[Section, ...]
    blocks: tuple[Table | Figure, ...]
    checklist: tuple[ChecklistItem, ...]
    checklist_table: Table
    colophon: str
    appendix: tuple[Table, ...] = ()
    """Tables after the checklist: the searches as translated, with their warnings."""

    def table(self, key: str) -> Table:
        """The table with ``key`` (KeyError names it when the report has none)."""
        for block in self.blocks:
            if isinstance(block, Table) and block.key == key:
                return block
        raise KeyError(key)

    def figures(self, key_prefix: str = "") -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure) and b.key.startswith(key_prefix)]
