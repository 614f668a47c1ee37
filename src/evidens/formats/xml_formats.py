"""XML exports: PubMed (efetch), EndNote XML (EndNote, Bookends, Mendeley) and WHO ICTRP.

Untrusted XML is parsed with entity expansion, DTD loading and network access all off. Titles
are mixed content (``<i>``, ``<sup>``, MathML), so text is always gathered with ``itertext``.
Raw fields are (element path, text) pairs in document order, so nothing the file said is lost.
"""

from __future__ import annotations

import re

from lxml import etree

from evidens.core import Record
from evidens.core.records import RawField
from evidens.errors import FormatError
from evidens.formats._base import FormatPlugin, ParseWarning, RecordBuilder

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_PUBMED_ROOTS = ("PubmedArticleSet", "PubmedBookArticleSet", "PubmedArticle", "PubmedBookArticle")
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.S)
_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*)[\s>/]")
_ENDNOTE_START = re.compile(r"<xml>\s*<records[\s>]")
_INLINE = {"i", "b", "u", "sup", "sub", "math", "mml:math", "style"}


def parse(text: str, name: str) -> etree._Element:
    """The document root; the XML declaration is blanked (not removed) to keep line numbers."""
    text = _DECLARATION.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, count=1)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise FormatError(
            f"XML is not well-formed: {exc.msg}",
            path=name,
            line=exc.lineno,
            hint="the export is damaged or cut off; export it again",
        ) from None


def _after_prolog(text: str) -> str:
    """The start of the document from its root element on (declaration, comments, DOCTYPE
    skipped); sniffers look only here, so a tag quoted inside another format's value (a URL,
    a title) never makes that file look like XML."""
    head, position = text[:20000], 0
    while (match := _PROLOG.match(head, position)) is not None and match.end() > position:
        position = match.end()
    return head[position:].lstrip()


def _root_tag(text: str) -> str:
    match = _ROOT.match(_after_prolog(text))
    return match.group(1) if match else ""


def _all_text(element: etree._Element) -> str:
    return "".join(str(part) for part in element.itertext())


def _text(element: etree._Element | None) -> str | None:
    """Whitespace-normalised text of an element and all its inline children."""
    if element is None:
        return None
    return " ".join(_all_text(element).split()) or None


def _local(tag: object) -> str:
    return tag.split("}")[-1] if isinstance(tag, str) else ""


def raw_fields(record: etree._Element) -> list[RawField]:
    """(path, text) for every leaf or mixed-content element, and every attribute."""
    fields: list[RawField] = []

    def walk(element: etree._Element, path: str) -> None:
        for attribute, value in element.attrib.items():
            fields.append((f"{path}/@{_local(attribute)}", str(value)))
        children = [c for c in element if isinstance(c.tag, str)]
        mixed = bool((element.text or "").strip()) and children
        if not children or mixed or any(_local(c.tag) in _INLINE for c in children):
            value = _all_text(element)
            if value.strip():
                fields.append((path, value))
            return
        for child in children:
            walk(child, f"{path}/{_local(child.tag)}")

    for child in record:
        if isinstance(child.tag, str):
            walk(child, _local(child.tag))
    return fields


def _line(element: etree._Element) -> int | None:
    return element.sourceline if isinstance(element.sourceline, int) else None


# --- PubMed ---------------------------------------------------------------------------------


def sniff_pubmed(text: str) -> int:
    return 95 if _root_tag(text) in _PUBMED_ROOTS else 0


def read_pubmed(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    root = parse(text, name)
    articles = [root] if root.tag in _PUBMED_ROOTS[2:] else list(root)
    records = [
        _pubmed_record(article)
        for article in articles
        if article.tag in ("PubmedArticle", "PubmedBookArticle")
    ]
    return records, []


def _pubmed_record(article: etree._Element) -> Record:
    builder = RecordBuilder(source_database="pubmed")
    doc = article.find("MedlineCitation")
    if doc is None:
        doc = article.find("BookDocument")
    doc = doc if doc is not None else article
    art = doc.find("Article")
    art = art if art is not None else doc
    builder.first("pmid", _text(doc.find("PMID")))
    builder.first("title", _text(art.find("ArticleTitle")) or _text(doc.find("Book/BookTitle")))
    for author in art.findall("AuthorList/Author"):
        builder.add("authors", _author(author))
    _pubmed_journal(builder, art.find("Journal"))
    builder.set_year(_text(doc.find("Book/PubDate/Year")))
    builder.first("pages", _text(art.find("Pagination/MedlinePgn")))
    abstract = art.find("Abstract")
    builder.first("abstract", _abstract(abstract if abstract is not None else doc.find("Abstract")))
    builder.first("language", _text(art.find("Language")) or _text(doc.find("Language")))
    for keyword in doc.iterfind("KeywordList/Keyword"):
        builder.add("keywords", _text(keyword))
    for heading in doc.iterfind("MeshHeadingList/MeshHeading"):
        builder.add("subject_headings", _mesh(heading))
    for kind in art.iterfind("PublicationTypeList/PublicationType"):
        builder.add("publication_types", _text(kind))
    _pubmed_ids(builder, article, art)
    return builder.build(raw_fields(article), _line(article))


def _pubmed_journal(builder: RecordBuilder, journal: etree._Element | None) -> None:
    if journal is None:
        return
    builder.first("journal", _text(journal.find("Title")))
    builder.first("issn", _text(journal.find("ISSN")))
    issue = journal.find("JournalIssue")
    if issue is not None:
        builder.first("volume", _text(issue.find("Volume")))
        builder.first("issue", _text(issue.find("Issue")))
        builder.set_year(_text(issue.find("PubDate/Year")))
        builder.set_year(_text(issue.find("PubDate/MedlineDate")))


def _pubmed_ids(builder: RecordBuilder, article: etree._Element, art: etree._Element) -> None:
    for ident in article.iterfind(".//ArticleIdList/ArticleId"):
        id_type = ident.get("IdType")
        if id_type == "doi":
            builder.set_doi(_text(ident))
        elif id_type == "pmc":
            builder.first("pmcid", _text(ident))
        elif id_type == "bookaccession":
            builder.accession("ncbi_bookshelf", _text(ident))
    for location in art.iterfind("ELocationID[@EIdType='doi']"):
        builder.set_doi(_text(location))
    for number in art.iterfind("DataBankList/DataBank/AccessionNumberList/AccessionNumber"):
        builder.add("registry_ids", _text(number))


def _author(author: etree._Element) -> str | None:
    collective = _text(author.find("CollectiveName"))
    if collective:
        return collective
    last, fore = _text(author.find("LastName")), _text(author.find("ForeName"))
    return f"{last}, {fore}" if last and fore else last


def _abstract(abstract: etree._Element | None) -> str | None:
    if abstract is None:
        return None
    parts = []
    for part in abstract.iterfind("AbstractText"):
        text = _text(part) or ""
        label = part.get("Label")
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(p for p in parts if p) or None


def _mesh(heading: etree._Element) -> str | None:
    descriptor = heading.find("DescriptorName")
    name = _text(descriptor)
    if descriptor is None or not name:
        return None
    star = "*" if descriptor.get("MajorTopicYN") == "Y" else ""
    # A major qualifier is starred too, as the MEDLINE text format writes it (Melanoma/*drug
    # therapy), so the XML and the .nbib export of one record give the same headings.
    qualifiers = [
        ("*" if q.get("MajorTopicYN") == "Y" else "") + (_text(q) or "")
        for q in heading.iterfind("QualifierName")
    ]
    return "/".join([star + name, *qualifiers])


# --- EndNote XML ----------------------------------------------------------------------------


def sniff_endnote(text: str) -> int:
    return 95 if _ENDNOTE_START.match(_after_prolog(text)) else 0


def read_endnote(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    root = parse(text, name)
    return [_endnote_record(r) for r in root.iterfind("records/record")], []


def _endnote_record(record: etree._Element) -> Record:
    builder = RecordBuilder()
    builder.first("title", _text(record.find("titles/title")))
    for author in record.iterfind("contributors/authors/author"):
        builder.add("authors", _text(author))
    builder.set_year(_text(record.find("dates/year")))
    builder.first(
        "journal",
        _text(record.find("periodical/full-title")) or _text(record.find("titles/secondary-title")),
    )
    for attr, path in (
        ("volume", "volume"),
        ("issue", "number"),
        ("pages", "pages"),
        ("abstract", "abstract"),
        ("language", "language"),
        ("issn", "isbn"),
    ):
        builder.first(attr, _text(record.find(path)))
    builder.set_doi(_text(record.find("electronic-resource-num")))
    for keyword in record.iterfind("keywords/keyword"):
        builder.add("keywords", _text(keyword))
    ref_type = record.find("ref-type")
    builder.add("publication_types", ref_type.get("name") if ref_type is not None else None)
    for url in record.iterfind("urls/related-urls/url"):
        builder.add("urls", _text(url))
    _endnote_accession(builder, record)
    return builder.build(raw_fields(record), _line(record))


def _endnote_accession(builder: RecordBuilder, record: etree._Element) -> None:
    """``accession-num`` is a PMID for PubMed records and ``ISI:...`` for Web of Science."""
    accession = _text(record.find("accession-num")) or ""
    remote = (_text(record.find("remote-database-name")) or "").lower()
    from_pubmed = "pubmed" in remote or any("pubmed" in url for url in builder.urls)
    if accession.isdigit() and from_pubmed:
        builder.first("pmid", accession)
        builder.source_database = "pubmed"
    elif accession.startswith(("ISI:", "WOS:")):
        builder.accession("wos", "WOS:" + accession[4:])
        builder.source_database = "wos"


# --- WHO ICTRP ------------------------------------------------------------------------------


def sniff_ictrp(text: str) -> int:
    return 95 if _root_tag(text) == "Trials_downloaded_from_ICTRP" else 0


def read_ictrp(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    root = parse(text, name)
    return [_ictrp_record(trial) for trial in root.iterfind("Trial")], []


def _ictrp_record(trial: etree._Element) -> Record:
    builder = RecordBuilder(source_database="ictrp", journal="WHO ICTRP")
    get = {_local(child.tag): _text(child) for child in trial if isinstance(child.tag, str)}
    builder.first("title", get.get("Scientific_title") or get.get("Public_title"))
    builder.add("authors", get.get("Primary_sponsor"))
    compact = get.get("Date_registration3") or ""
    builder.set_year(compact[:4] if compact.isdigit() else get.get("Date_registration"))
    trial_id = get.get("TrialID")
    builder.add("registry_ids", trial_id)
    builder.accession("ictrp", trial_id)
    for condition in re.split(r";\s*", get.get("Condition") or ""):
        builder.add("keywords", condition)
    builder.add("publication_types", get.get("Study_type"))
    builder.add("urls", get.get("web_address"))
    return builder.build(raw_fields(trial), _line(trial))


PUBMED_PLUGIN = FormatPlugin("pubmed_xml", "PubMed XML", sniff_pubmed, read_pubmed)
ENDNOTE_PLUGIN = FormatPlugin("endnote_xml", "EndNote XML", sniff_endnote, read_endnote)
ICTRP_PLUGIN = FormatPlugin("ictrp_xml", "WHO ICTRP XML", sniff_ictrp, read_ictrp)
