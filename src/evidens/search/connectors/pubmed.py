"""PubMed through the NCBI E-utilities: esearch on the history server, then efetch in batches.

esearch with ``usehistory=y`` leaves the result set on NCBI's server (WebEnv + query_key), so
the records are fetched in batches without sending thousands of PMIDs back; the cursor keeps
WebEnv, query_key and the next offset, so a run can resume. PubMed serves at most 10,000
records of one query; past that the run says so and asks for a split by date.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from evidens.errors import InputError
from evidens.search.connectors.http import HttpClient, SearchServiceError
from evidens.search.connectors.pubmed_xml import parse_xml, read_pubmed_articles
from evidens.search.connectors.runlog import Page, SearchResult, SearchRun, gather, now

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
PUBMED_WINDOW = 10_000


@dataclass
class PubMedConnector:
    """Search PubMed; ``base_url`` points at E-utilities (or a local replay server in tests)."""

    base_url: str = EUTILS
    api_key: str | None = None
    email: str | None = None
    tool: str = "evidens"
    batch_size: int = 200
    http: HttpClient = field(default_factory=HttpClient)

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= PUBMED_WINDOW:
            raise InputError(
                f"batch size {self.batch_size} is out of range",
                field="batch_size",
                hint="use 200-500 records per efetch call",
            )
        # 3 requests/s without a key, 10/s with one (NCBI's published limits).
        self.http.min_interval = max(self.http.min_interval, 0.1 if self.api_key else 0.34)

    def _url(self, name: str) -> str:
        return self.base_url.rstrip("/") + "/" + name

    def _common(self) -> dict[str, str]:
        params = {"db": "pubmed", "tool": self.tool}
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        return params

    def search(
        self,
        query: str,
        *,
        max_records: int | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        resume: SearchRun | None = None,
    ) -> SearchResult:
        """Run ``query`` and fetch its records (all, or the first ``max_records``)."""
        return gather(
            self.pages(
                query, max_records=max_records, mindate=mindate, maxdate=maxdate, resume=resume
            )
        )

    def pages(
        self,
        query: str,
        *,
        max_records: int | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        resume: SearchRun | None = None,
    ) -> Iterator[Page]:
        """One :class:`Page` per efetch batch; persist ``page.run`` to resume later."""
        run = resume if resume is not None else self._esearch(query, max_records, mindate, maxdate)
        if resume is None:
            yield Page((), run)
        webenv, query_key = run.cursor_value("WebEnv"), run.cursor_value("query_key")
        target = _target(run.hits or 0, max_records)
        start = int(run.cursor_value("retstart") or 0)
        while webenv and query_key and start < target:
            size = min(self.batch_size, target - start)
            params = {
                **self._common(),
                "query_key": query_key,
                "WebEnv": webenv,
                "retstart": str(start),
                "retmax": str(size),
                "retmode": "xml",
            }
            records = tuple(
                read_pubmed_articles(self.http.get(self._url("efetch.fcgi"), params).content)
            )
            start += size
            cursor = (("WebEnv", webenv), ("query_key", query_key), ("retstart", str(start)))
            run = run.advanced(
                retrieved=run.retrieved + len(records), cursor=cursor, complete=start >= target
            )
            yield Page(records, run)

    def _esearch(
        self, query: str, max_records: int | None, mindate: str | None, maxdate: str | None
    ) -> SearchRun:
        params = {**self._common(), "term": query, "usehistory": "y", "retmax": "0"}
        limits = []
        if mindate or maxdate:
            params.update(
                {"datetype": "pdat", "mindate": mindate or "1800", "maxdate": maxdate or "3000"}
            )
            limits.append(f"publication date {mindate or '...'} to {maxdate or '...'}")
        if max_records is not None:
            limits.append(f"first {max_records} records")
        date_run = now()
        root = parse_xml(
            self.http.get(self._url("esearch.fcgi"), params).content, what="PubMed esearch response"
        )
        error = root.findtext("ERROR")
        if error:
            raise SearchServiceError(
                f"PubMed refused the query: {error}", hint="check the query syntax"
            )
        hits = int(root.findtext("Count") or 0)
        warnings = [
            f"PubMed found no match for: {p.text}"
            for p in root.iterfind("ErrorList/PhraseNotFound")
            if p.text
        ]
        if hits > PUBMED_WINDOW and (max_records is None or max_records > PUBMED_WINDOW):
            warnings.append(
                f"PubMed serves only the first {PUBMED_WINDOW} of {hits} records: "
                "split the search by publication date and run each part"
            )
        cursor = (
            ("WebEnv", root.findtext("WebEnv") or ""),
            ("query_key", root.findtext("QueryKey") or ""),
            ("retstart", "0"),
        )
        return SearchRun(
            source="pubmed",
            platform="PubMed (NCBI E-utilities)",
            query=query,
            date_run=date_run,
            hits=hits,
            limits="; ".join(limits),
            executed_query=root.findtext("QueryTranslation"),
            parameters=tuple(sorted((k, v) for k, v in params.items() if k != "api_key")),
            warnings=tuple(warnings),
            complete=hits == 0,
            cursor=cursor,
        )


def _target(hits: int, max_records: int | None) -> int:
    limit = min(hits, PUBMED_WINDOW)
    return limit if max_records is None else min(limit, max_records)
