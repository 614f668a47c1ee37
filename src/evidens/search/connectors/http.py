"""One polite HTTP client for every database API: rate-limited, retrying, bounded.

Databases throttle (PubMed allows 3 requests/s without a key, Crossref and OpenAlex answer 429
when a budget runs out) and fail transiently (5xx). A search that dies on the 40th page of a
10,000-record export wastes everyone's quota, so every connector goes through this client:
it spaces requests, retries 429 and 5xx with exponential backoff, honours ``Retry-After``, and
refuses bodies larger than a bound so that a broken server cannot exhaust memory.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from evidens.errors import RemoteServiceError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BODY_BYTES = 64 * 1024 * 1024


SearchServiceError = RemoteServiceError
"""The connectors' name for :class:`evidens.errors.RemoteServiceError`."""


@dataclass
class HttpClient:
    """Rate-limited GET/POST with retries; ``sleep`` and ``clock`` are injectable for tests.

    ``min_interval`` is the least time between two requests (1/3 s is PubMed's limit without
    a key). A 429 or 5xx is retried up to ``max_retries`` times, waiting ``Retry-After`` when the
    server sends it (capped at ``max_wait``) and ``backoff * 2**attempt`` otherwise.
    """

    min_interval: float = 0.34
    max_retries: int = 4
    backoff: float = 1.0
    max_wait: float = 120.0
    timeout: float = 60.0
    max_body_bytes: int = MAX_BODY_BYTES
    user_agent: str = "evidens (systematic review software; https://github.com/evidens)"
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    waits: list[float] = field(default_factory=list)
    _last: float | None = field(default=None, repr=False)
    _client: httpx.Client | None = field(default=None, repr=False)

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout, follow_redirects=True, headers={"User-Agent": self.user_agent}
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return self.request("GET", url, params=params)

    def post(self, url: str, data: Mapping[str, Any]) -> httpx.Response:
        return self.request("POST", url, data=data)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Send with spacing and retries; return a 2xx response or raise SearchServiceError."""
        for attempt in range(self.max_retries + 1):
            self._space()
            try:
                response = self._http().request(method, url, params=params, data=data)
            except httpx.TransportError as exc:
                if attempt == self.max_retries:
                    raise SearchServiceError(
                        f"cannot reach {url}: {exc}",
                        url=url,
                        hint="check the network and the base URL",
                    ) from exc
                self._wait(self.backoff * 2**attempt)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                after = self._retry_after(response)
                self._wait(self.backoff * 2**attempt if after is None else after)
                continue
            return self._checked(response, url)
        raise AssertionError("unreachable")  # pragma: no cover

    def _checked(self, response: httpx.Response, url: str) -> httpx.Response:
        if len(response.content) > self.max_body_bytes:
            raise SearchServiceError(
                f"{url} sent {len(response.content)} bytes", url=url, hint="ask for smaller pages"
            )
        if response.is_success:
            return response
        status = response.status_code
        hint = (
            "the service is throttling: wait and resume the search"
            if status == 429
            else "check the query and parameters"
            if status < 500
            else "the service is failing: retry later and resume"
        )
        raise SearchServiceError(
            f"{response.request.method} {url} answered HTTP {status}: {response.text[:300]}",
            status=status,
            url=url,
            hint=hint,
        )

    def _space(self) -> None:
        now = self.clock()
        if self._last is not None:
            gap = self.min_interval - (now - self._last)
            if gap > 0:
                self.sleep(gap)
                now = self.clock()
        self._last = now

    def _wait(self, seconds: float) -> None:
        seconds = min(max(seconds, 0.0), self.max_wait)
        self.waits.append(seconds)
        self.sleep(seconds)

    @staticmethod
    def _retry_after(response: httpx.Response) -> float | None:
        """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
        value = response.headers.get("Retry-After")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
