"""Parsing TOML a person wrote: the one TOML loader every reader of review files uses.

``tomllib`` raises an error whose message carries the line; this turns it into evidens's
error (by default :class:`~evidens.errors.ConfigError`; a reader of a format passes
:class:`~evidens.errors.FormatError`) naming the file and line, with a hint, so every
TOML file - review.toml, an extraction form, an assessment, GRADE judgments - fails the
same way.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import PurePath
from typing import Any

from evidens.errors import ConfigError, InputError

_LINE = re.compile(r"at line (\d+)")


def parse_toml(
    text: str,
    *,
    path: str | PurePath | None = None,
    what: str = "TOML",
    error: type[InputError] = ConfigError,
) -> dict[str, Any]:
    """The mapping ``text`` holds, or ``error`` naming ``path`` and the line at fault."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _LINE.search(str(exc))
        raise error(
            f"not valid {what}: {exc}",
            path=path,
            line=int(found.group(1)) if found else None,
            hint="fix the syntax",
        ) from None
