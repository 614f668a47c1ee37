"""Connectors to databases with an API: PubMed, ClinicalTrials.gov, Europe PMC, Crossref,
OpenAlex. Each returns records plus a :class:`SearchRun` log; base URLs are parameters."""

from evidens.search.connectors.crossref import CrossrefConnector
from evidens.search.connectors.ctgov import ClinicalTrialsGovConnector, ctgov_params
from evidens.search.connectors.europepmc import EuropePmcConnector
from evidens.search.connectors.http import HttpClient, SearchServiceError
from evidens.search.connectors.openalex import OpenAlexConnector
from evidens.search.connectors.pubmed import PubMedConnector
from evidens.search.connectors.pubmed_xml import read_pubmed_articles
from evidens.search.connectors.run import SOURCES, run_search, search_pages
from evidens.search.connectors.runlog import Page, SearchResult, SearchRun

__all__ = [
    "SOURCES",
    "ClinicalTrialsGovConnector",
    "CrossrefConnector",
    "EuropePmcConnector",
    "HttpClient",
    "OpenAlexConnector",
    "Page",
    "PubMedConnector",
    "SearchResult",
    "SearchRun",
    "SearchServiceError",
    "ctgov_params",
    "read_pubmed_articles",
    "run_search",
    "search_pages",
]
