"""Bytes to text: encoding detection, BOM removal and line splitting for every reader.

Exports arrive as UTF-8 (often with a BOM), UTF-16 from some Windows tools, cp1252 from
EndNote on Windows and GBK from Chinese databases. We try UTF-8 first because it almost
never decodes text that is not UTF-8; only then do we guess, and say so in a warning.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from evidens.errors import FormatError
from evidens.formats._base import MAX_INPUT_BYTES

_FALLBACKS = ["cp1252", "gb18030", "big5", "shift_jis", "cp1251", "mac_roman"]
"""Legacy encodings bibliographic tools are known to write, in order of likelihood."""

_BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode(data: bytes, *, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decoded text without a BOM, and the name of the encoding that was used."""
    if len(data) > MAX_INPUT_BYTES:
        raise FormatError(
            f"file is {len(data)} bytes, more than the {MAX_INPUT_BYTES} evidens reads at once",
            path=name,
            hint="split the export into smaller files",
        )
    if encoding is not None:
        return _decode_as(data, encoding, name), encoding
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if data.startswith(bom) or (codec == "utf-16" and data.startswith(codecs.BOM_UTF16_BE)):
            return _decode_as(data, codec, name), codec
    _reject_binary(data, name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        return _guess(data, name, exc)


def _decode_as(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FormatError(
            f"cannot decode the file as {encoding}: {exc}",
            path=name,
            hint="save the export as UTF-8 or name its encoding",
        ) from None
    return text.removeprefix("\ufeff")


def _reject_binary(data: bytes, name: str) -> None:
    """NUL and other control bytes mean a binary file (PDF, zip, .enl library), not an export."""
    head = data[:65536]
    if b"\x00" in head or len(_BINARY.findall(head.decode("latin-1"))) > 8:
        raise FormatError(
            "file looks binary, not a text export",
            path=name,
            line=1,
            hint="export the records as RIS, MEDLINE, CSV or XML text instead",
        )


def _guess(data: bytes, name: str, error: UnicodeDecodeError) -> tuple[str, str]:
    match = from_bytes(data, cp_isolation=_FALLBACKS).best()
    if match is None or match.chaos > 0.3:
        line = data[: error.start].count(b"\n") + 1
        raise FormatError(
            f"file is not UTF-8 (byte {error.start}) and its encoding could not be recognised",
            path=name,
            line=line,
            hint="save the export as UTF-8, or pass the encoding explicitly",
        )
    return str(match).removeprefix("\ufeff"), match.encoding


def split_lines(text: str) -> list[str]:
    """Lines split on LF, CRLF or bare CR only (not on U+2028 or form feeds, as splitlines does)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def head_lines(text: str, count: int = 60) -> list[str]:
    """The first non-blank lines of a text, for sniffers (cheap on huge files)."""
    lines = [line for line in split_lines(text[:20000]) if line.strip()]
    return lines[:count]
