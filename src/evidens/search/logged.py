"""A translated strategy as logged with its search (PRISMA-S item 8: the full strategy for
every source, and where the run differs from the strategy as designed).

A search row keeps the strategy exactly as run; :class:`LoggedTranslation` keeps what it was
translated from (the source syntax and the query as designed), the target engine, and every
warning with the part of the query it concerns. One plain shape (:meth:`to_dict`) is stored
in the ``searches.translation`` column and written as a ``[search.translation]`` table of a
review folder's searches.toml, so a logged translation survives store -> folder -> run::

    [search.translation]
    from = "pubmed"                       # the syntax the query was written in
    to = "embase"                         # the engine it was translated for
    query = "asthma[mh] AND ..."          # the strategy as designed
    [[search.translation.warnings]]
    message = "no Emtree heading for ..." # what is approximated
    part = "Asthma[mh]"                   # optional: the part of the query concerned
    line = 2                              # optional: the strategy line

Pure: no store, no files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from evidens.errors import ConfigError
from evidens.search.engines import engine
from evidens.search.notes import Approximation
from evidens.search.parser import DIALECTS
from evidens.search.translate import TARGETS, Translation


@dataclass(frozen=True)
class LoggedTranslation:
    """Where a logged strategy came from: ``syntax`` (pubmed, ovid...) and ``query`` as
    designed, ``target`` the engine id it was rendered for, ``warnings`` every approximation."""

    syntax: str
    query: str
    target: str
    warnings: tuple[Approximation, ...] = ()

    @classmethod
    def of(cls, translation: Translation, query: str) -> LoggedTranslation:
        """The log of ``translation``, made from ``query`` (the text as the person wrote it)."""
        return cls(translation.source, query.strip(), translation.target, translation.notes)

    @property
    def database(self) -> str:
        """The engine's label (e.g. "Embase.com (Elsevier)"), shown to readers."""
        return engine(self.target).label

    def to_dict(self) -> dict[str, Any]:
        """The stored and TOML shape; absent parts and lines are left out (TOML has no null)."""
        return {
            "from": self.syntax,
            "to": self.target,
            "query": self.query,
            "warnings": [_warning_dict(w) for w in self.warnings],
        }


def _warning_dict(note: Approximation) -> dict[str, Any]:
    data: dict[str, Any] = {"message": note.message}
    if note.part:
        data["part"] = note.part
    if note.line is not None:
        data["line"] = note.line
    return data


def read_translation(
    data: object, *, path: str | PurePath | None = None, field: str = "translation"
) -> LoggedTranslation:
    """A :class:`LoggedTranslation` from :meth:`~LoggedTranslation.to_dict`'s shape; a wrong
    or missing value is a :class:`ConfigError` naming the file and field."""
    if not isinstance(data, Mapping):
        raise ConfigError("must be a table", path=path, field=field)
    syntax = _text(data, "from", path, field, choices=DIALECTS)
    target = _text(data, "to", path, field, choices=TARGETS)
    query = _text(data, "query", path, field)
    items = data.get("warnings", [])
    if not isinstance(items, list) or not all(isinstance(w, Mapping) for w in items):
        raise ConfigError("must be a list of tables", path=path, field=f"{field}.warnings")
    label = engine(target).label
    warnings = tuple(
        _warning(item, target, label, path, f"{field}.warnings[{i}]")
        for i, item in enumerate(items)
    )
    return LoggedTranslation(syntax, query, target, warnings)


def _warning(
    item: Mapping[str, Any], target: str, label: str, path: str | PurePath | None, field: str
) -> Approximation:
    message = _text(item, "message", path, field)
    part = item.get("part")
    line = item.get("line")
    if part is not None and not isinstance(part, str):
        raise ConfigError("part must be text", path=path, field=f"{field}.part")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
        raise ConfigError("line must be a whole number from 1", path=path, field=f"{field}.line")
    return Approximation(target, label, message, part or None, line)


def _text(
    data: Mapping[str, Any],
    key: str,
    path: str | PurePath | None,
    field: str,
    *,
    choices: tuple[str, ...] = (),
) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} must be non-empty text", path=path, field=f"{field}.{key}")
    if choices and value not in choices:
        raise ConfigError(
            f"{value!r} is not allowed",
            path=path,
            field=f"{field}.{key}",
            hint="use one of " + ", ".join(choices),
        )
    return value
