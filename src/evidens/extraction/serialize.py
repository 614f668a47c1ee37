"""Extractions and consensus records as plain JSON-ready data (for files, the store, the web).

Values keep their form keys; arm data become rows ``{outcome id, name, kind, timepoint, unit,
arm, events, total, mean, sd, n}`` so the JSON reads like the Outcomes sheet.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from evidens.core import ArmData, Outcome, OutcomeKind
from evidens.errors import FormatError, ValidationError
from evidens.extraction.forms import Form
from evidens.extraction.model import Consensus, Derived, Extraction, OutcomeData, Value
from evidens.extraction.validate import check_extraction, read_value


def extraction_to_dict(extraction: Extraction) -> dict[str, Any]:
    return {
        "study": extraction.study,
        "extractor": extraction.extractor,
        "values": {key: _plain(value) for key, value in extraction.values},
        "outcomes": [_outcome(data) for data in extraction.arms],
        "derived": [asdict(d) for d in extraction.derived],
    }


def consensus_to_dict(consensus: Consensus) -> dict[str, Any]:
    return {
        "study": consensus.study,
        "extractors": list(consensus.extractors),
        "decided_by": consensus.decided_by,
        "values": {key: _plain(value) for key, value in consensus.values},
        "outcomes": [_outcome(data) for data in consensus.arms],
        "decisions": [
            {
                "field": d.key,
                "value": _plain(d.value),
                "decided_by": d.decided_by,
                "note": d.note,
                "proposals": {name: _plain(v) for name, v in d.proposals},
            }
            for d in consensus.decisions
        ],
        "derived": [asdict(d) for d in consensus.derived],
    }


def extraction_from_dict(data: dict[str, Any], form: Form, *, where: str = "json") -> Extraction:
    """Inverse of :func:`extraction_to_dict`, re-validated against ``form`` (a stored
    extraction is input like any other: the form may have changed since)."""
    try:
        values = []
        for key, raw in dict(data.get("values", {})).items():
            field = form.field(str(key))
            if field is None:
                raise ValidationError("not a field of the form", path=where, field=str(key))
            value = read_value(field, raw, where=where)
            if value is not None:
                values.append((field.key, value))
        arms = tuple(_outcome_from(item) for item in data.get("outcomes", []))
        derived = tuple(_derived_from(item) for item in data.get("derived", []))
        extraction = Extraction(
            str(data["study"]), str(data["extractor"]), tuple(values), arms, derived
        )
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise FormatError(f"not an extraction record: {exc!r}", path=where) from None
    check_extraction(form, extraction, where=where)
    return extraction


def _outcome_from(item: dict[str, Any]) -> OutcomeData:
    arms = [ArmData(**arm) for arm in item["arms"]]
    timepoint, unit = item.get("timepoint"), item.get("unit")
    return OutcomeData(
        id=str(item["id"]),
        outcome=Outcome(str(item["name"]), OutcomeKind(item["kind"]), timepoint),
        experimental=arms[0],
        comparator=arms[1],
        unit=unit,
    )


def _derived_from(item: dict[str, Any]) -> Derived:
    inputs = tuple((str(name), float(value)) for name, value in item.get("inputs", ()))
    return Derived(
        quantity=str(item["quantity"]),
        value=float(item["value"]),
        method=str(item["method"]),
        formula=str(item["formula"]),
        inputs=inputs,
        reference=str(item.get("reference", "")),
        target=str(item.get("target", "")),
    )


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _outcome(data: OutcomeData) -> dict[str, Any]:
    return {
        "id": data.id,
        "name": data.outcome.name,
        "kind": data.outcome.kind.value,
        "timepoint": data.outcome.timepoint,
        "unit": data.unit,
        "arms": [asdict(data.experimental), asdict(data.comparator)],
    }


def _plain(value: Value | None) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
