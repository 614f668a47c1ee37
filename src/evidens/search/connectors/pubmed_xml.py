"""PubMed efetch XML (``db=pubmed&retmode=xml``) to :class:`~evidens.core.Record`.

Records are mapped by :mod:`evidens.formats` (the PubMed XML reader), the one mapping per
format; this module only parses the other E-utilities answers (esearch) safely. The XML is
untrusted: no DTD is loaded, no entity is expanded and nothing is fetched from the network.
"""

from __future__ import annotations

from lxml import etree

from evidens.core import Record
from evidens.errors import FormatError
from evidens.formats.xml_formats import read_pubmed

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
    """Every ``PubmedArticle`` (and book article) of an efetch answer, in order, mapped by the
    same reader as a PubMed XML file export, so a record fetched by API and the same record
    exported to a file are identical (one mapping per format)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(
            "PubMed efetch response is not UTF-8", path="PubMed efetch response"
        ) from None
    records, _warnings = read_pubmed(text, "PubMed efetch response")
    return records
