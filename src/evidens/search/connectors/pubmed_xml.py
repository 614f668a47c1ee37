"""PubMed efetch XML (``db=pubmed&retmode=xml``) to :class:`~evidens.core.Record`.

The connector parses what it fetched itself, so a search run does not depend on the file
importers; the mapping follows formats.md section 3. The XML is untrusted: no DTD is loaded, no
entity is expanded and nothing is fetched from the network.
"""

from __future__ import annotations

from lxml import etree

from evidens.core import Record
from evidens.errors import FormatError

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_blank_text": False,
}


def parse_xml(body: bytes, *, what: str) -> etree._Element:
    """Parse untrusted XML bytes safely; a :class:`FormatError` names ``what`` on failure."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)  # type: ignore[arg-type]
    try:
        return etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise FormatError(
            f"{what} is not well-formed XML: {exc}",
            path=what,
            hint="the service may have sent an error page; retry",
        ) from exc


def read_pubmed_articles(body: bytes) -> list[Record]:
    """Every ``PubmedArticle`` of an efetch answer, in order."""
    root = parse_xml(body, what="PubMed efetch response")
    return [_record(article) for article in root.iter("PubmedArticle")]


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = " ".join("".join(str(t) for t in element.itertext()).split())
    return text or None


def _record(article: etree._Element) -> Record:
    citation = article.find("MedlineCitation")
    art = citation.find("Article") if citation is not None else None
    if citation is None or art is None:
        pmid = _text(article.find(".//PMID"))
        return Record(pmid=pmid, source_database="pubmed")
    pmid = _text(citation.find("PMID"))
    issue = art.find("Journal/JournalIssue")
    return Record(
        title=_text(art.find("ArticleTitle")),
        authors=tuple(a for a in (_author(x) for x in art.findall("AuthorList/Author")) if a),
        year=_year(issue),
        journal=_text(art.find("Journal/Title")) or _text(art.find("Journal/ISOAbbreviation")),
        volume=_text(issue.find("Volume")) if issue is not None else None,
        issue=_text(issue.find("Issue")) if issue is not None else None,
        pages=_pages(art),
        doi=_doi(article, art),
        pmid=pmid,
        pmcid=_text(article.find("PubmedData/ArticleIdList/ArticleId[@IdType='pmc']")),
        accessions=(("pubmed", pmid),) if pmid else (),
        registry_ids=tuple(
            t
            for x in citation.findall(
                "Article/DataBankList/DataBank/AccessionNumberList/AccessionNumber"
            )
            if (t := _text(x))
        ),
        abstract=_abstract(art.find("Abstract")),
        keywords=tuple(t for x in citation.findall("KeywordList/Keyword") if (t := _text(x))),
        subject_headings=tuple(
            t for x in citation.findall("MeshHeadingList/MeshHeading") if (t := _mesh(x))
        ),
        language=_text(art.find("Language")),
        publication_types=tuple(
            t for x in art.findall("PublicationTypeList/PublicationType") if (t := _text(x))
        ),
        issn=_text(art.find("Journal/ISSN")),
        source_database="pubmed",
    )


def _author(author: etree._Element) -> str | None:
    collective = _text(author.find("CollectiveName"))
    if collective:
        return collective
    last = _text(author.find("LastName"))
    first = _text(author.find("ForeName")) or _text(author.find("Initials"))
    if last and first:
        return f"{last}, {first}"
    return last


def _year(issue: etree._Element | None) -> int | None:
    if issue is None:
        return None
    text = _text(issue.find("PubDate/Year")) or _text(issue.find("PubDate/MedlineDate")) or ""
    digits = text[:4]
    return int(digits) if digits.isdigit() else None


def _pages(art: etree._Element) -> str | None:
    pages = _text(art.find("Pagination/MedlinePgn"))
    if pages:
        return pages
    start, end = _text(art.find("Pagination/StartPage")), _text(art.find("Pagination/EndPage"))
    if start and end:
        return f"{start}-{end}"
    return start


def _doi(article: etree._Element, art: etree._Element) -> str | None:
    return _text(article.find("PubmedData/ArticleIdList/ArticleId[@IdType='doi']")) or _text(
        art.find("ELocationID[@EIdType='doi']")
    )


def _abstract(abstract: etree._Element | None) -> str | None:
    """Structured abstracts joined as "LABEL: text" paragraphs."""
    if abstract is None:
        return None
    parts = []
    for section in abstract.findall("AbstractText"):
        text = _text(section)
        if not text:
            continue
        label = section.get("Label")
        parts.append(f"{label}: {text}" if label else text)
    return "\n".join(parts) or None


def _mesh(heading: etree._Element) -> str | None:
    """``Descriptor/qualifier`` with ``*`` marking a major topic, as MEDLINE prints it."""
    descriptor = heading.find("DescriptorName")
    name = _text(descriptor)
    if descriptor is None or not name:
        return None
    star = "*" if descriptor.get("MajorTopicYN") == "Y" else ""
    qualifiers = [
        ("*" if q.get("MajorTopicYN") == "Y" else "") + (_text(q) or "")
        for q in heading.findall("QualifierName")
    ]
    return "/".join([star + name, *qualifiers])
