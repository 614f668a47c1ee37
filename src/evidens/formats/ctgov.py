"""ClinicalTrials.gov JSON: API v2 pages (``{"studies": [...]}``), single studies, and the
website's "Download > JSON" (a bare array of the same study objects).

A registration becomes a Record the way reviews cite one: the official title, the lead
sponsor as author, the first-posted year, the brief summary as abstract, the NCT id as
accession and registry id.
"""

from __future__ import annotations

import json
from typing import Any

from evidens.core import Record
from evidens.core.records import RawField
from evidens.errors import FormatError
from evidens.formats._base import FormatPlugin, ParseWarning, RecordBuilder


def sniff(text: str) -> int:
    head = text[:5000].lstrip()
    return 95 if head[:1] in "[{" and '"protocolSection"' in head else 0


def _studies(data: Any, name: str) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        return list(data["studies"])
    if isinstance(data, dict) and "protocolSection" in data:
        return [data]
    if isinstance(data, list):
        return data
    raise FormatError("JSON holds no ClinicalTrials.gov studies", path=name, line=1)


def _flatten(value: Any, path: str, out: list[RawField]) -> None:
    """Raw fields as (dotted path, value) in document order; list items get [i]."""
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", out)
    elif value is not None:
        out.append((path, value if isinstance(value, str) else json.dumps(value)))


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _record(study: Any, index: int, name: str, text: str) -> Record:
    protocol = _get(study, "protocolSection")
    if not isinstance(protocol, dict):
        raise FormatError(f"study {index + 1} has no protocolSection", path=name)
    ident = _get(protocol, "identificationModule") or {}
    builder = RecordBuilder(source_database="ctgov", journal="ClinicalTrials.gov")
    nct = _get(ident, "nctId")
    builder.first("title", _get(ident, "officialTitle") or _get(ident, "briefTitle"))
    builder.add("authors", _get(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name"))
    builder.set_year(
        _get(protocol, "statusModule", "studyFirstPostDateStruct", "date")
        or _get(protocol, "statusModule", "startDateStruct", "date")
    )
    builder.first("abstract", _get(protocol, "descriptionModule", "briefSummary"))
    if isinstance(nct, str):
        builder.add("registry_ids", nct)
        builder.accession("ctgov", nct)
        builder.add("urls", f"https://clinicaltrials.gov/study/{nct}")
    for condition in _get(protocol, "conditionsModule", "conditions") or []:
        builder.add("keywords", condition if isinstance(condition, str) else None)
    builder.add("publication_types", _get(protocol, "designModule", "studyType"))
    raw: list[RawField] = []
    _flatten(study, "", raw)
    position = text.find(f'"{nct}"') if isinstance(nct, str) else -1
    return builder.build(raw, text.count("\n", 0, max(position, 0)) + 1)


def read(text: str, name: str) -> tuple[list[Record], list[ParseWarning]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"JSON is not well-formed: {exc.msg}", path=name, line=exc.lineno
        ) from None
    studies = _studies(data, name)
    return [_record(study, index, name, text) for index, study in enumerate(studies)], []


PLUGIN = FormatPlugin(id="ctgov_json", label="ClinicalTrials.gov JSON", sniff=sniff, read=read)
