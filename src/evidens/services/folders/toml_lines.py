"""Where a key sits in a TOML text, so that a problem found in the parsed data can name its line.

``tomllib`` gives values without positions. This does not parse values (the project's one
TOML loader does that); it walks the lines once, following table headers, arrays of tables,
multi-line strings and brackets, and records the line of every header and every key. Keys
inside an inline table or array spanning several lines are found by name after the line of
their parent key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Trail = tuple[str | int, ...]
"""A path into parsed TOML: names and list indexes, as ``("analysis", 1, "measure")``."""

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_HEADER_NAME = re.compile(r"(?:\"[^\"]*\"|'[^']*'|[^\]\"'])*")


@dataclass
class _State:
    string: str | None = None  # the closing delimiter of an open multi-line string
    depth: int = 0  # open [ and { of a value spanning lines


@dataclass
class KeyLines:
    """Line numbers (from 1) of the headers and keys of one TOML text."""

    lines: list[str]
    found: dict[Trail, int] = field(default_factory=dict)

    def line_of(self, trail: Trail) -> int | None:
        """The line of ``trail``, else of its nearest ancestor, refined by the key's name."""
        for cut in range(len(trail), 0, -1):
            line = self.found.get(trail[:cut])
            if line is None:
                continue
            rest = trail[cut:]
            names = [p for p in rest if isinstance(p, str)]
            index = rest[0] if rest and isinstance(rest[0], int) else 0
            return self._inside(line, names[-1], index) if names else line
        return None

    def _inside(self, start: int, name: str, index: int) -> int:
        """The line of ``name =`` inside the inline value opened on line ``start``: its
        ``index``-th occurrence (one per element of an inline array), else its first."""
        end = min((n for n in self.found.values() if n > start), default=len(self.lines) + 1)
        pattern = re.compile(rf"(^|[\s{{,]){re.escape(name)}\s*=")
        hits = [n for n in range(start, end) if pattern.search(self.lines[n - 1])]
        if not hits:
            return start
        return hits[index] if index < len(hits) else hits[0]


def key_lines(text: str) -> KeyLines:
    """Every header and top-level key of ``text`` with its line."""
    result = KeyLines(text.splitlines())
    state = _State()
    header: Trail = ()
    arrays: dict[Trail, int] = {}
    for number, raw in enumerate(result.lines, start=1):
        clean = state.string is None and state.depth == 0
        stripped = raw.strip()
        if clean and stripped.startswith("["):
            header = _header(stripped, arrays)
            result.found.setdefault(header, number)
            if isinstance(header[-1], int):
                result.found.setdefault(header[:-1], number)
            continue
        if clean and stripped and not stripped.startswith("#"):
            key, rest = _key(stripped)
            if key:
                for cut in range(1, len(key) + 1):
                    result.found.setdefault(header + key[:cut], number)
                _scan(rest, state)
                continue
        _scan(raw, state)
    return result


def _names(text: str) -> tuple[str, ...]:
    """The parts of a dotted key (bare or quoted)."""
    parts = []
    for found in re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^.]+', text):
        part = found.strip()
        parts.append(part[1:-1] if part[:1] in "\"'" else part)
    return tuple(p for p in parts if p)


def _header(stripped: str, arrays: dict[Trail, int]) -> Trail:
    """The trail a ``[table]`` or ``[[array.of.tables]]`` header opens."""
    double = stripped.startswith("[[")
    inner = _HEADER_NAME.match(stripped[2:] if double else stripped[1:])
    names = _names(inner.group(0) if inner else "")
    trail: Trail = ()
    for i, name in enumerate(names):
        trail = (*trail, name)
        if i < len(names) - 1 and trail in arrays:
            trail = (*trail, arrays[trail])
    if double:
        arrays[trail] = arrays.get(trail, -1) + 1
        trail = (*trail, arrays[trail])
    return trail


def _key(stripped: str) -> tuple[tuple[str, ...], str]:
    """(dotted key, the text after ``=``) of a key line; ``((), "")`` if it is not one."""
    if "=" not in stripped:
        return (), ""
    if stripped[0] in "\"'":
        quote = stripped[0]
        end = stripped.find(quote, 1)
        head_end = stripped.find("=", end)
    else:
        head_end = stripped.find("=")
    head = stripped[:head_end].strip()
    if not head or not all(_BARE.fullmatch(p) or p[:1] in "\"'" for p in head.split(".")):
        return (), ""
    return _names(head), stripped[head_end + 1 :]


def _scan(text: str, state: _State) -> None:
    """Follow strings, comments and brackets through ``text``, updating ``state``."""
    i = 0
    while i < len(text):
        if state.string is not None:
            end = text.find(state.string, i)
            if end < 0:
                return
            i, state.string = end + 3, None
            continue
        char = text[i]
        if char == "#":
            return
        if text.startswith(('"""', "'''"), i):
            state.string = text[i : i + 3]
            i += 3
        elif char in "\"'":
            i = _string_end(text, i)
        else:
            state.depth += (char in "[{") - (char in "]}")
            i += 1


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text) and text[i] != quote:
        i += 2 if quote == '"' and text[i] == "\\" else 1
    return i + 1
