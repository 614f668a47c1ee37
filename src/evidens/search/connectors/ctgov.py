"""ClinicalTrials.gov API v2: ``GET /studies`` paged with ``nextPageToken``.

The register searches conditions and interventions in separate boxes (``query.cond``,
``query.intr``), which is what :func:`evidens.search.translate` writes for target ``ctgov``;
:func:`ctgov_params` reads that text back into the API's parameters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from evidens.core import Record
from evidens.errors import FormatError
from evidens.formats.ctgov import read as read_ctgov_json
from evidens.search.connectors.http import HttpClient
from evidens.search.connectors.runlog import Page, SearchResult, SearchRun, gather, now

CTGOV = "https://clinicaltrials.gov/api/v2"
_BOXES = {
    "condition/disease": "query.cond",
    "condition": "query.cond",
    "intervention/treatment": "query.intr",
    "intervention": "query.intr",
    "other terms": "query.term",
}


def ctgov_params(query: str) -> dict[str, str]:
    """``Condition/disease: x`` / ``Intervention/treatment: y`` lines to API parameters; any
    other text is sent as ``query.term``."""
    params: dict[str, str] = {}
    for line in query.splitlines():
        label, colon, rest = line.partition(":")
        key = _BOXES.get(label.strip().lower()) if colon else None
        if key:
            params[key] = rest.strip()
        elif line.strip():
            params["query.term"] = " ".join(filter(None, (params.get("query.term"), line.strip())))
    return params


def load_json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(
            f"{what} is not JSON: {exc}",
            path=what,
            hint="the service may have sent an error page; retry",
        ) from exc


@dataclass
class ClinicalTrialsGovConnector:
    """Search the register; about one request per second, as its robots.txt asks."""

    base_url: str = CTGOV
    page_size: int = 100
    http: HttpClient = field(default_factory=lambda: HttpClient(min_interval=1.0))

    def search(
        self, query: str, *, max_records: int | None = None, resume: SearchRun | None = None
    ) -> SearchResult:
        return gather(self.pages(query, max_records=max_records, resume=resume))

    def pages(
        self, query: str, *, max_records: int | None = None, resume: SearchRun | None = None
    ) -> Iterator[Page]:
        params = {**ctgov_params(query), "format": "json", "pageSize": str(self.page_size)}
        run = resume or SearchRun(
            source="ctgov",
            platform="ClinicalTrials.gov API v2",
            query=query,
            date_run=now(),
            limits=f"first {max_records} records" if max_records is not None else "",
            parameters=tuple(sorted(params.items())),
        )
        token = run.cursor_value("pageToken")
        first = resume is None
        while True:
            request = dict(params)
            if first:
                request["countTotal"] = "true"
            if token:
                request["pageToken"] = token
            content = self.http.get(self.base_url.rstrip("/") + "/studies", request).content
            body = load_json(content, "ClinicalTrials.gov response")
            has_studies = isinstance(body.get("studies"), list) and body["studies"]
            studies = (
                read_studies(content.decode("utf-8"), "ClinicalTrials.gov response")
                if (has_studies)
                else []
            )
            room = None if max_records is None else max(0, max_records - run.retrieved)
            records = tuple(studies if room is None else studies[:room])
            token = body.get("nextPageToken")
            retrieved = run.retrieved + len(records)
            done = not token or (max_records is not None and retrieved >= max_records)
            if first:
                run = replace(run, hits=body.get("totalCount"))
                first = False
            run = run.advanced(
                retrieved=retrieved,
                complete=not token,
                cursor=(("pageToken", token),) if token else (),
            )
            yield Page(records, run)
            if done:
                return

    def study(self, nct_id: str) -> Record:
        """One registration by NCT number (``GET /studies/{nctId}``)."""
        content = self.http.get(f"{self.base_url.rstrip('/')}/studies/{nct_id}").content
        load_json(content, "ClinicalTrials.gov study")  # a clear error for a non-JSON answer
        return read_studies(content.decode("utf-8"), "ClinicalTrials.gov study")[0]


def read_studies(text: str, what: str) -> list[Record]:
    """The studies of an API answer (a page or one study), mapped by the same reader as a
    ClinicalTrials.gov JSON download, so a record fetched by API and the same study in a file
    are identical (one mapping per format)."""
    records, _warnings = read_ctgov_json(text, what)
    return records
