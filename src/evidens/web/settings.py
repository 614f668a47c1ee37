"""How one deployment of the web app is set up: the address people reach it by, the
proxies it sits behind, and how large a request may be.

One typed model, read once when the app is built (from ``evidens serve`` options, or from
the environment for extra worker processes), so no route reads a header or a variable of
its own to decide these things.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, replace

from evidens.errors import ValidationError

MIB = 1024 * 1024


@dataclass(frozen=True)
class ServerSettings:
    """``public_url``: the base of links evidens writes (invitations), never taken from a
    request's Host header. ``trusted_proxies``: addresses of reverse proxies whose
    ``X-Forwarded-For`` names the client (none by default: the peer address is the client).
    ``max_upload_bytes`` bounds an upload request, ``max_form_bytes`` every other one."""

    public_url: str = "http://127.0.0.1:8000"
    trusted_proxies: tuple[str, ...] = ()
    max_upload_bytes: int = 64 * MIB
    max_form_bytes: int = 1 * MIB

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
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))

    def link(self, path: str) -> str:
        """An absolute link to ``path`` on this deployment."""
        return self.public_url + path


ENVIRONMENT = {
    "public_url": "EVIDENS_PUBLIC_URL",
    "trusted_proxies": "EVIDENS_TRUSTED_PROXIES",
    "max_upload_bytes": "EVIDENS_MAX_UPLOAD_BYTES",
    "max_form_bytes": "EVIDENS_MAX_FORM_BYTES",
}


def to_environment(settings: ServerSettings) -> dict[str, str]:
    """The settings as variables, for worker processes started by uvicorn."""
    return {
        ENVIRONMENT["public_url"]: settings.public_url,
        ENVIRONMENT["trusted_proxies"]: ",".join(settings.trusted_proxies),
        ENVIRONMENT["max_upload_bytes"]: str(settings.max_upload_bytes),
        ENVIRONMENT["max_form_bytes"]: str(settings.max_form_bytes),
    }


def from_environment(base: ServerSettings | None = None) -> ServerSettings:
    """The settings named in the environment (see :data:`ENVIRONMENT`), others default."""
    settings = base or ServerSettings()
    changes: dict[str, object] = {}
    if url := os.environ.get(ENVIRONMENT["public_url"]):
        changes["public_url"] = url
    if proxies := os.environ.get(ENVIRONMENT["trusted_proxies"]):
        changes["trusted_proxies"] = tuple(p.strip() for p in proxies.split(",") if p.strip())
    for name in ("max_upload_bytes", "max_form_bytes"):
        value = os.environ.get(ENVIRONMENT[name])
        if value:
            if not value.isdigit():
                message = f"${ENVIRONMENT[name]} is not a number of bytes"
                raise ValidationError(message, field=name, hint="e.g. 1048576")
            changes[name] = int(value)
    return replace(settings, **changes)  # type: ignore[arg-type]
