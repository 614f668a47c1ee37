"""How one deployment of the web app is set up: the address people reach it by, the
proxies it sits behind, how large a request may be, when an upload is imported as a
background job, and where the database APIs are (never taken from a form).

One typed model, read once when the app is built (from ``evidens serve`` options, or from
the environment for extra worker processes), so no route reads a header or a variable of
its own to decide these things.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, replace

from evidens.errors import ValidationError
from evidens.search.connectors import SOURCES as API_SOURCES

MIB = 1024 * 1024


@dataclass(frozen=True)
class ServerSettings:
    """``public_url``: the base of links evidens writes (invitations), never taken from a
    request's Host header. ``trusted_proxies``: addresses of reverse proxies whose
    ``X-Forwarded-For`` names the client (none by default: the peer address is the client).
    ``max_upload_bytes`` bounds an upload request, ``max_form_bytes`` every other one.
    ``import_job_bytes``: an export larger than this is imported as a background job.
    ``api_urls``: (source, base URL) for the database APIs searched from the page, e.g. a
    mirror (or a local replay in tests); a source not named uses its public address."""

    public_url: str = "http://127.0.0.1:8000"
    trusted_proxies: tuple[str, ...] = ()
    max_upload_bytes: int = 64 * MIB
    max_form_bytes: int = 1 * MIB
    import_job_bytes: int = 2 * MIB
    api_urls: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.public_url.startswith(("http://", "https://")):
            raise ValidationError(
                f"{self.public_url!r} is not a web address",
                field="public_url",
                hint="give the address people open, e.g. https://reviews.example.org",
            )
        for address in self.trusted_proxies:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise ValidationError(
                    f"{address!r} is not an IP address",
                    field="trusted_proxies",
                    hint="name each reverse proxy by its address, e.g. 127.0.0.1",
                ) from None
        for name in ("max_upload_bytes", "max_form_bytes"):
            if getattr(self, name) < 1024:
                raise ValidationError(f"{name} is too small", field=name, hint="at least 1024")
        for source, url in self.api_urls:
            if source not in API_SOURCES or not url.startswith(("http://", "https://")):
                raise ValidationError(
                    f"{source}={url} is not a database API address",
                    field="api_urls",
                    hint="name it as SOURCE=URL, SOURCE one of " + ", ".join(API_SOURCES),
                )
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))

    def api_url(self, source: str) -> str | None:
        """The API address this deployment names for ``source`` (None: the public one)."""
        return dict(self.api_urls).get(source)

    def link(self, path: str) -> str:
        """An absolute link to ``path`` on this deployment."""
        return self.public_url + path


ENVIRONMENT = {
    "public_url": "EVIDENS_PUBLIC_URL",
    "trusted_proxies": "EVIDENS_TRUSTED_PROXIES",
    "max_upload_bytes": "EVIDENS_MAX_UPLOAD_BYTES",
    "max_form_bytes": "EVIDENS_MAX_FORM_BYTES",
    "import_job_bytes": "EVIDENS_IMPORT_JOB_BYTES",
    "api_urls": "EVIDENS_API_URLS",  # pubmed=https://mirror/eutils/,ctgov=...
}


def to_environment(settings: ServerSettings) -> dict[str, str]:
    """The settings as variables, for worker processes started by uvicorn."""
    return {
        ENVIRONMENT["public_url"]: settings.public_url,
        ENVIRONMENT["trusted_proxies"]: ",".join(settings.trusted_proxies),
        ENVIRONMENT["max_upload_bytes"]: str(settings.max_upload_bytes),
        ENVIRONMENT["max_form_bytes"]: str(settings.max_form_bytes),
        ENVIRONMENT["import_job_bytes"]: str(settings.import_job_bytes),
        ENVIRONMENT["api_urls"]: ",".join(f"{s}={u}" for s, u in settings.api_urls),
    }


def from_environment(base: ServerSettings | None = None) -> ServerSettings:
    """The settings named in the environment (see :data:`ENVIRONMENT`), others default."""
    settings = base or ServerSettings()
    changes: dict[str, object] = {}
    if url := os.environ.get(ENVIRONMENT["public_url"]):
        changes["public_url"] = url
    if proxies := os.environ.get(ENVIRONMENT["trusted_proxies"]):
        changes["trusted_proxies"] = tuple(p.strip() for p in proxies.split(",") if p.strip())
    if urls := os.environ.get(ENVIRONMENT["api_urls"]):
        pairs = (p.strip().partition("=") for p in urls.split(",") if p.strip())
        changes["api_urls"] = tuple((s.strip(), u.strip()) for s, _, u in pairs)
    for name in ("max_upload_bytes", "max_form_bytes", "import_job_bytes"):
        value = os.environ.get(ENVIRONMENT[name])
        if value:
            if not value.isdigit():
                message = f"${ENVIRONMENT[name]} is not a number of bytes"
                raise ValidationError(message, field=name, hint="e.g. 1048576")
            changes[name] = int(value)
    return replace(settings, **changes)  # type: ignore[arg-type]
