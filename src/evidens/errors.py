"""One exception hierarchy for all of evidens.

Every error a person can cause says *what* is wrong, *where* (file, line, field) and *how to
fix it*, so that the CLI can print one line and the web app one message without a traceback.
Code that catches errors catches :class:`EvidensError`; anything else is a bug.
"""

from __future__ import annotations

from pathlib import PurePath


class EvidensError(Exception):
    """Base of every error evidens raises on purpose.

    ``hint`` says how to fix the problem; it is appended to the message so that one line
    carries everything a person needs.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class InputError(EvidensError):
    """Bad input from a file or a person: names the path, line and field where known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | PurePath | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(message, hint=hint)

    @property
    def location(self) -> str:
        """``file:line:field`` with the parts that are known."""
        parts = [p for p in (self.path, _str_or_none(self.line), self.field) if p]
        return ":".join(parts)

    def __str__(self) -> str:
        body = super().__str__()
        return f"{self.location}: {body}" if self.location else body


def _str_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)


class FormatError(InputError):
    """A file could not be read as the bibliographic format it claims or appears to be."""


class ValidationError(InputError):
    """A value is well-formed but not allowed (events > total, SD <= 0, unknown reason...)."""


class ConfigError(InputError):
    """A review kept as files (review.toml, searches.toml, decision logs) is inconsistent."""


class ReviewStateError(EvidensError):
    """The store is not in a state that allows the requested step."""


class NotFoundError(EvidensError):
    """A record, study, reviewer or review that was named does not exist."""


class ConflictError(EvidensError):
    """A concurrent or contradictory change was refused; nothing was written."""


class PermissionDeniedError(EvidensError):
    """The acting person may not do this to this resource."""


class CountsDoNotAddUpError(EvidensError):
    """PRISMA counts are arithmetically inconsistent; ``box`` names the box that fails."""

    def __init__(self, message: str, *, box: str, hint: str | None = None) -> None:
        self.box = box
        super().__init__(f"{box}: {message}", hint=hint)


class EstimationError(EvidensError):
    """A statistical quantity cannot be estimated from the data given (says why)."""


class RemoteServiceError(EvidensError):
    """A database or register API could not be reached, or answered with an error after the
    retries; ``status`` is the last HTTP status and ``url`` the request that failed."""

    def __init__(
        self, message: str, *, status: int | None = None, url: str = "", hint: str | None = None
    ) -> None:
        self.status = status
        self.url = url
        super().__init__(message, hint=hint)
