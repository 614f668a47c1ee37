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
    carries everything a person needs. ``code`` names the kind of error in the web app's
    one JSON error body.
    """

    code = "error"

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

    code = "invalid_input"

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

    code = "invalid_file"


class ValidationError(InputError):
    """A value is well-formed but not allowed (events > total, SD <= 0, unknown reason...)."""

    code = "invalid_value"


class ConfigError(InputError):
    """A review kept as files (review.toml, searches.toml, decision logs) is inconsistent."""

    code = "invalid_review_files"


class ReviewStateError(EvidensError):
    """The store is not in a state that allows the requested step."""

    code = "wrong_state"


class NotFoundError(EvidensError):
    """A record, study, reviewer or review that was named does not exist."""

    code = "not_found"


class ConflictError(EvidensError):
    """A concurrent or contradictory change was refused; nothing was written (e.g. a
    decision on a record whose decisions are locked)."""

    code = "conflict"


class ConfirmationNeededError(ConflictError):
    """A change with consequences a person must see first (e.g. lowering the reviewers
    required makes records final at once); sent again with confirmation, it is applied."""

    code = "confirmation_needed"


class PermissionDeniedError(EvidensError):
    """The acting person may not do this to this resource."""

    code = "permission_denied"


class CountsDoNotAddUpError(EvidensError):
    """PRISMA counts are arithmetically inconsistent; ``box`` names the box that fails."""

    code = "counts_do_not_add_up"

    def __init__(self, message: str, *, box: str, hint: str | None = None) -> None:
        self.box = box
        super().__init__(f"{box}: {message}", hint=hint)


class EstimationError(EvidensError):
    """A statistical quantity cannot be estimated from the data given (says why)."""

    code = "not_estimable"


class RemoteServiceError(EvidensError):
    """A database or register API could not be reached, or answered with an error after the
    retries; ``status`` is the last HTTP status and ``url`` the request that failed."""

    code = "remote_service"

    def __init__(
        self, message: str, *, status: int | None = None, url: str = "", hint: str | None = None
    ) -> None:
        self.status = status
        self.url = url
        super().__init__(message, hint=hint)
