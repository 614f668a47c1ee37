"""Column maps for the CSV exports: which vendor column feeds which Record field.

Vendors let users choose the columns, so every column is optional and each field lists the
columns to try in order. A flavour is recognised by a few columns only that vendor writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from evidens.formats._base import RecordBuilder

Row = dict[str, str]
_OUTSIDE_PARENS = r",\s*(?![^()]*\))"
_CITATION = re.compile(r";\s*(?P<volume>[^(:;]+)?(?:\((?P<issue>[^)]+)\))?:(?P<pages>[^.;\s]+)")
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s\((?P<year>\d{4})\)\s(?P<volume>[^:\s(]+)?(?::(?P<issue>[^\s(]+))?"
    r"(?:\s\((?P<pages>[^)]+)\))?"
)


@dataclass(frozen=True)
class Flavour:
    """How one vendor's CSV maps to Record fields."""

    name: str
    database: str | None
    required: frozenset[str]
    single: dict[str, tuple[str, ...]]
    lists: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    accessions: tuple[tuple[str, str], ...] = ()
    adjust: Callable[[RecordBuilder, Row], None] | None = None

    def matches(self, header: set[str]) -> bool:
        return self.required <= header


def _pubmed_citation(builder: RecordBuilder, row: Row) -> None:
    """Volume, issue and pages exist only inside PubMed's Citation string."""
    if builder.authors:
        builder.authors[-1] = builder.authors[-1].rstrip(".")
    match = _CITATION.search(row.get("Citation", ""))
    if match:
        builder.first("volume", match.group("volume"))
        builder.first("issue", match.group("issue"))
        builder.first("pages", match.group("pages"))


def _embase_source(builder: RecordBuilder, row: Row) -> None:
    """``Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014``."""
    match = _EMBASE_SOURCE.match(row.get("Source", ""))
    if match:
        builder.first("journal", match.group("journal"))
        builder.set_year(match.group("year"))
        builder.first("volume", match.group("volume"))
        builder.first("issue", match.group("issue"))
        builder.first("pages", match.group("pages"))
    pui = row.get("PUI", "").strip()
    if pui:
        builder.accession("embase", pui.removeprefix("L"))


def _openalex_ids(builder: RecordBuilder, row: Row) -> None:
    for column, database in (("id", "openalex"),):
        value = row.get(column, "").strip()
        if value:
            builder.accession(database, value.rsplit("/", 1)[-1])
    for column, attr in (("ids.pmid", "pmid"), ("ids.pmcid", "pmcid")):
        value = row.get(column, "").strip()
        if value:
            builder.first(attr, value.rstrip("/").rsplit("/", 1)[-1])


def _ctgov(builder: RecordBuilder, row: Row) -> None:
    nct = row.get("NCT Number", "").strip()
    if nct:
        builder.add("registry_ids", nct)
        builder.accession("ctgov", nct)
    builder.journal = "ClinicalTrials.gov"


def _scopus_eid(builder: RecordBuilder, row: Row) -> None:
    eid = re.search(r"eid=(2-s2\.0-\d+)", row.get("Link", ""))
    if eid:
        builder.accession("scopus", eid.group(1))


FLAVOURS = (
    Flavour(
        "pubmed_csv",
        "pubmed",
        frozenset({"PMID", "Title", "Citation"}),
        {
            "pmid": ("PMID",),
            "title": ("Title",),
            "year": ("Publication Year",),
            "journal": ("Journal/Book",),
            "pmcid": ("PMCID",),
            "doi": ("DOI",),
        },
        {"authors": (("Authors", r",\s*"),)},
        adjust=_pubmed_citation,
    ),
    Flavour(
        "scopus_csv",
        "scopus",
        frozenset({"Authors", "Title", "Source title"}),
        {
            "title": ("Title",),
            "year": ("Year",),
            "journal": ("Source title",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "start_page": ("Page start",),
            "end_page": ("Page end",),
            "pages": ("Art. No.",),
            "doi": ("DOI",),
            "abstract": ("Abstract",),
            "issn": ("ISSN",),
            "pmid": ("PubMed ID",),
            "language": ("Language of Original Document",),
        },
        {
            "authors": (("Authors", r";\s*|,\s+(?=\S+\s\S\.)"),),
            "keywords": (("Author Keywords", r";\s*"),),
            "subject_headings": (("Index Keywords", r";\s*"),),
            "publication_types": (("Document Type", r";\s*"),),
            "urls": (("Link", r"\s+"),),
        },
        (("scopus", "EID"),),
        adjust=_scopus_eid,
    ),
    Flavour(
        "embase",
        "embase",
        frozenset({"Title", "Author Names", "Source"}),
        {
            "title": ("Title",),
            "journal": ("Source title",),
            "year": ("Publication Year",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "start_page": ("First Page",),
            "end_page": ("Last Page",),
            "abstract": ("Abstract",),
            "pmid": ("Medline PMID",),
            "doi": ("DOI",),
            "issn": ("ISSN",),
            "language": ("Article Language",),
        },
        {
            "authors": (("Author Names", r",\s*"),),
            "keywords": (("Author Keywords", _OUTSIDE_PARENS),),
            "subject_headings": (
                ("Emtree Medical Index Terms (Major Focus)", _OUTSIDE_PARENS),
                ("Emtree Medical Index Terms", _OUTSIDE_PARENS),
                ("Emtree Drug Index Terms (Major Focus)", _OUTSIDE_PARENS),
                ("Emtree Drug Index Terms", _OUTSIDE_PARENS),
            ),
            "publication_types": (("Publication Type", r";\s*"),),
            "urls": (("Embase Link", r"\s+"),),
        },
        (("embase", "Embase Accession ID"),),
        adjust=_embase_source,
    ),
    Flavour(
        "central",
        "central",
        frozenset({"CENTRAL ID", "Title"}),
        {
            "title": ("Title",),
            "journal": ("Source",),
            "year": ("Year",),
            "abstract": ("Abstract",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "pages": ("Pages",),
            "pmid": ("PubMed ID",),
            "doi": ("DOI",),
        },
        {
            "authors": (("Author(s)", r";\s*"),),
            "keywords": (("Keywords", r";\s*"),),
            "publication_types": (("Publication Type", r";\s*"),),
            "urls": (("URL", r"\s+"),),
        },
        (("central", "CENTRAL ID"), ("embase", "Embase ID"), ("cinahl", "CINAHL ID")),
    ),
    Flavour(
        "ebsco",
        "ebsco",
        frozenset({"Article Title", "Accession Number"}),
        {
            "title": ("Article Title",),
            "journal": ("Journal Title",),
            "issn": ("ISSN",),
            "year": ("Publication Date",),
            "volume": ("Volume",),
            "issue": ("Issue",),
            "start_page": ("First Page",),
            "doi": ("DOI",),
            "abstract": ("Abstract",),
        },
        {
            "authors": (("Author", r";\s*"),),
            "subject_headings": (("Subjects", r";\s*"),),
            "keywords": (("Keywords", r";\s*"),),
            "publication_types": (("Doctype", r";\s*"),),
            "urls": (("PLink", r"\s+"),),
        },
        (("ebsco", "Accession Number"),),
    ),
    Flavour(
        "lens",
        "lens",
        frozenset({"Lens ID", "Title"}),
        {
            "title": ("Title",),
            "year": ("Publication Year",),
            "journal": ("Source Title",),
            "issn": ("ISSNs",),
            "abstract": ("Abstract",),
            "volume": ("Volume",),
            "issue": ("Issue Number",),
            "start_page": ("Start Page",),
            "end_page": ("End Page",),
            "pmid": ("PMID",),
            "doi": ("DOI",),
            "pmcid": ("PMCID",),
        },
        {
            "authors": (("Author/s", r";\s*"),),
            "keywords": (("Keywords", r";\s*"),),
            "subject_headings": (("MeSH Terms", r";\s*"),),
            "publication_types": (("Publication Type", r";\s*"),),
        },
        (("lens", "Lens ID"),),
    ),
    Flavour(
        "openalex",
        "openalex",
        frozenset({"id", "display_name", "publication_year"}),
        {
            "title": ("title", "display_name"),
            "year": ("publication_year",),
            "doi": ("doi",),
            "language": ("language",),
            "journal": ("primary_location.source.display_name",),
            "volume": ("biblio.volume",),
            "issue": ("biblio.issue",),
            "start_page": ("biblio.first_page",),
            "end_page": ("biblio.last_page",),
            "abstract": ("abstract",),
            "issn": ("primary_location.source.issn_l",),
        },
        {
            "authors": (("authorships.author.display_name", r"\|"),),
            "keywords": (("keywords.display_name", r"\|"),),
            "publication_types": (("type", r"\|"),),
        },
        adjust=_openalex_ids,
    ),
    Flavour(
        "ctgov_csv",
        "ctgov",
        frozenset({"NCT Number"}),
        {
            "title": ("Study Title", "Title"),
            "abstract": ("Brief Summary",),
            "year": ("First Posted", "Start Date"),
        },
        {
            "authors": (("Sponsor", r"\|"), ("Sponsor/Collaborators", r"\|")),
            "keywords": (("Conditions", r"\|"),),
            "publication_types": (("Study Type", r"\|"),),
            "urls": (("Study URL", r"\s+"), ("URL", r"\s+")),
        },
        adjust=_ctgov,
    ),
)
