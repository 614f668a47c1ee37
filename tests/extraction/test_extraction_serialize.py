"""Extractions and consensus records as JSON for files, the store and the web."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidens.errors import FormatError, ValidationError
from evidens.extraction import (
    ReviewExtraction,
    form_to_xlsx,
    load_review_extraction,
    xlsx_to_extraction,
)
from evidens.extraction.serialize import (
    consensus_to_dict,
    extraction_from_dict,
    extraction_to_dict,
    to_json,
)


@pytest.fixture(scope="module")
def review(repo_root: Path) -> ReviewExtraction:
    folder = repo_root / "examples" / "riss" / "extraction"
    return load_review_extraction({p.name: p.read_bytes() for p in folder.iterdir()})


def test_extraction_json_round_trip(review: ReviewExtraction) -> None:
    for extraction in review.extractions:
        data = json.loads(to_json(extraction_to_dict(extraction)))
        assert extraction_from_dict(data, review.form) == extraction
        # and the JSON record exports to the same workbook the extractor filled
        again = xlsx_to_extraction(form_to_xlsx(review.form, extraction), review.form)
        assert again == extraction


def test_consensus_json_keeps_the_audit_trail(review: ReviewExtraction) -> None:
    [record] = review.consensus
    data = consensus_to_dict(record)
    assert data["extractors"] == ["MV", "RC"]
    assert data["decisions"][1] == {
        "field": "outcomes.spasm_free.experimental.events",
        "value": 11,
        "decided_by": "MV and RC, by discussion",
        "note": "11/46 (23.9%) spasm free at 4 weeks in the diet arm, as the trial reports",
        "proposals": {"MV": 11, "RC": 12},
    }


def test_bad_records_are_refused(review: ReviewExtraction) -> None:
    data = extraction_to_dict(review.extractions[0])
    with pytest.raises(ValidationError, match="out of range"):
        extraction_from_dict(
            {**data, "values": {"characteristics.sample_size": -3}}, review.form, where="x.json"
        )
    with pytest.raises(FormatError, match="not an extraction record"):
        extraction_from_dict({"values": {}}, review.form)
    broken = {**data, "outcomes": [{**data["outcomes"][0], "arms": [{"arm": "e", "colour": 1}]}]}
    with pytest.raises(FormatError):
        extraction_from_dict(broken, review.form)
    over = json.loads(json.dumps(data))
    over["outcomes"][0]["arms"][0]["events"] = 47
    with pytest.raises(ValidationError, match="events 47 > total 46"):
        extraction_from_dict(over, review.form)
