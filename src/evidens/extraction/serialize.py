"""Extractions and consensus records as plain JSON-ready data (for files, the store, the web).

Values keep their form keys; arm data become rows ``{outcome id, name, kind, timepoint, unit,
arm, events, total, mean, sd, n}`` so the JSON reads like the Outcomes sheet.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from evidens.extraction.model import Consensus, Extraction, OutcomeData, Value


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
