"""The format registry: detection from content, reading, and the plugin conformance check.

Formats are found through the ``evidens.formats`` entry-point group, built-ins included, so a
plugin package adds a format by declaring an entry point to a :class:`FormatPlugin`. When the
package metadata is missing (running from a source tree) the built-ins are used directly.
"""

from __future__ import annotations

import csv
import gc
import json
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points

from lxml import etree

from evidens.core import Record
from evidens.errors import EvidensError, FormatError
from evidens.formats._base import FormatPlugin, ParseResult
from evidens.formats._text import decode

ENTRY_POINT_GROUP = "evidens.formats"
BUILTINS = {
    "ris": "evidens.formats.ris",
    "medline": "evidens.formats.medline",
    "ovid_tagged": "evidens.formats.medline:OVID_PLUGIN",
    "pubmed_xml": "evidens.formats.xml_formats:PUBMED_PLUGIN",
    "endnote_xml": "evidens.formats.xml_formats:ENDNOTE_PLUGIN",
    "ictrp_xml": "evidens.formats.xml_formats:ICTRP_PLUGIN",
    "wos_plaintext": "evidens.formats.wos",
    "wos_tabdelimited": "evidens.formats.wos:TAB_PLUGIN",
    "pubmed_csv": "evidens.formats.csv_formats:PUBMED_PLUGIN",
    "scopus_csv": "evidens.formats.csv_formats:SCOPUS_PLUGIN",
    "vendor_csv": "evidens.formats.csv_formats:VENDOR_PLUGIN",
    "ctgov_csv": "evidens.formats.csv_formats:CTGOV_PLUGIN",
    "ctgov_json": "evidens.formats.ctgov",
    "bibtex": "evidens.formats.bibtex",
}
"""Format id -> ``module[:attribute]`` (attribute defaults to ``PLUGIN``); mirrors pyproject."""

_PARSER_ERRORS = (
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    RecursionError,
    UnicodeError,
    csv.Error,
    json.JSONDecodeError,
    etree.Error,
)


def _load(target: str) -> FormatPlugin:
    module_name, _, attribute = target.partition(":")
    plugin = getattr(import_module(module_name), attribute or "PLUGIN")
    if not isinstance(plugin, FormatPlugin):
        raise TypeError(f"{target} is not a FormatPlugin")
    return plugin


@cache
def formats() -> dict[str, FormatPlugin]:
    """Every registered format by id: entry points first, built-ins as the fallback."""
    found: dict[str, FormatPlugin] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            plugin = entry.load()
        except (ImportError, AttributeError):
            continue  # a broken third-party plugin must not stop every import
        if isinstance(plugin, FormatPlugin):
            found[plugin.id] = plugin
    for format_id, target in BUILTINS.items():
        if format_id not in found:
            found[format_id] = _load(target)
    return found


def _detect_text(text: str, name: str) -> str:
    scores = [(plugin.sniff(text), format_id) for format_id, plugin in formats().items()]
    score, format_id = max(scores)
    if score <= 0:
        raise FormatError(
            "the file is not in any export format evidens knows",
            path=name,
            line=1,
            hint="export RIS, MEDLINE, PubMed XML, WoS, Scopus/vendor CSV, EndNote XML, BibTeX "
            "or a trial-register download; `evidens formats list` names them",
        )
    return format_id


def detect_format(data: bytes, *, name: str = "<input>", encoding: str | None = None) -> str:
    """The id of the format ``data`` is in, judged from its content, never its name."""
    text, _ = decode(data, name=name, encoding=encoding)
    return _detect_text(text, name)


def read_records(
    data: bytes,
    *,
    name: str = "<input>",
    format: str | None = None,
    encoding: str | None = None,
) -> ParseResult:
    """Every record in ``data``, or :class:`FormatError`: never a partial result."""
    text, used = decode(data, name=name, encoding=encoding)
    format_id = format or _detect_text(text, name)
    plugin = formats().get(format_id)
    if plugin is None:
        raise FormatError(
            f"unknown format {format_id!r}",
            path=name,
            hint=f"use one of: {', '.join(sorted(formats()))}",
        )
    collecting = gc.isenabled()
    gc.disable()  # millions of small tuples, no cycles: cyclic GC passes only cost time
    try:
        records, warnings = plugin.read(text, name)
    except EvidensError:
        raise
    except _PARSER_ERRORS as exc:
        raise FormatError(
            f"cannot read the file as {plugin.label}: {exc}",
            path=name,
            hint="the file is damaged or not this format; export it again",
        ) from exc
    finally:
        if collecting:
            _promote_young_objects()
            gc.enable()
    if not records:
        raise FormatError(
            f"no records found in this {plugin.label} file",
            path=name,
            hint="check that the export is not empty and that it holds records",
        )
    return ParseResult(
        format=format_id,
        encoding=used,
        records=tuple(records),
        warnings=tuple(warnings),
        name=name,
    )


def _promote_young_objects() -> None:
    """Move the objects a reader just made into the collector's oldest generation.

    They are all still alive (they are the result), but with the collector paused they pile
    up in the youngest generation, whose first collection after ``gc.enable()`` would walk
    every one of them: about a fifth of a 100,000-record parse. ``freeze()`` then
    ``unfreeze()`` moves them without a walk; they are still collected like any long-lived
    object. Skipped when the application itself keeps frozen objects (pre-fork servers).
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def check_plugin(plugin: FormatPlugin, samples: list[bytes]) -> list[str]:
    """Problems that would make ``plugin`` misbehave in evidens (empty list = conformant).

    Checks the contract every format keeps: it recognises its own samples, they read into
    records whose fields have the right types, each record has raw fields and a source line,
    a cut-off copy of each sample gives a FormatError or a full result (never another
    exception), and the writers' RIS of its records reads back into the same records.
    """
    from evidens.formats.writers import write_ris

    problems: list[str] = []
    if not plugin.id.isidentifier():
        problems.append(f"id {plugin.id!r} must be a Python identifier")
    for index, sample in enumerate(samples):
        label = f"{plugin.id} sample {index}"
        text, _ = decode(sample, name=label)
        if plugin.sniff(text) <= 0:
            problems.append(f"{label}: sniff() does not recognise the sample")
        try:
            result = read_records(sample, name=label, format=plugin.id)
        except FormatError as exc:
            problems.append(f"{label}: cannot be read: {exc}")
            continue
        problems.extend(_record_problems(label, result.records))
        again = read_records(write_ris(result.records).encode(), name=label, format="ris")
        if again.records != result.records:
            problems.append(f"{label}: records change on a RIS round trip")
        problems.extend(_truncation_problems(plugin, sample, label))
    return problems


def _record_problems(label: str, records: tuple[Record, ...]) -> list[str]:
    problems = []
    for number, record in enumerate(records):
        if not isinstance(record, Record):
            problems.append(f"{label}: record {number} is not a Record")
        elif not record.raw or record.source_line is None or record.source_line < 1:
            problems.append(f"{label}: record {number} lacks raw fields or a source line")
        elif record.year is not None and not isinstance(record.year, int):
            problems.append(f"{label}: record {number} year is not an int")
    return problems


def _truncation_problems(plugin: FormatPlugin, sample: bytes, label: str) -> list[str]:
    for cut in (len(sample) // 3, len(sample) // 2, len(sample) - 7):
        try:
            read_records(sample[: max(cut, 0)], name=label, format=plugin.id)
        except EvidensError:
            continue
        except Exception as exc:  # noqa: BLE001 - the check reports any stray exception
            return [f"{label}: cut at byte {cut} raised {type(exc).__name__}, not FormatError"]
    return []
