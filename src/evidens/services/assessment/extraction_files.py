"""A store's extraction written out as a review folder's ``extraction/`` files.

``form.toml`` (the form text the store keeps), one workbook per extraction and
``consensus.toml`` (each study's plan) are written so that
:func:`~evidens.extraction.load_review_extraction` reads back the same extractions, plans and
consensus the store settles: the workbooks are numbered in the order the extractions were
added, because that order decides which extractor is "first" in a comparison. Every file is
byte-reproducible (the workbooks carry fixed timestamps), so writing twice gives the same folder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import tomli_w

from evidens.extraction import form_to_xlsx
from evidens.extraction.compare import FieldResolution
from evidens.extraction.review import CONSENSUS_FILE, FORM_FILE, StudyConsensusPlan
from evidens.services.assessment.extraction import stored_extraction
from evidens.services.store import UnitOfWork

CONSENSUS_HEAD = (
    "# How the extractors settled their disagreements, written from the review store.\n"
    "# One [[study]] per study; one [[study.resolution]] per settled field: `take` = the\n"
    "# extractor whose answer stands, or `value` = the agreed answer (neither: left empty).\n\n"
)


def extraction_folder(uow: UnitOfWork) -> dict[str, bytes]:
    """The ``extraction/`` folder's files (name -> bytes); empty when the store has no form."""
    stored = stored_extraction(uow)
    if stored is None:
        return {}
    files = {FORM_FILE: stored.form_text.encode("utf-8")}
    width = max(2, len(str(len(stored.extractions))))
    for number, extraction in enumerate(stored.extractions, start=1):
        name = f"{number:0{width}d}-{_slug(extraction.study)}-{_slug(extraction.extractor)}.xlsx"
        files[name] = form_to_xlsx(stored.form, extraction)
    if stored.plans:
        files[CONSENSUS_FILE] = consensus_toml(stored.plans).encode("utf-8")
    return files


def consensus_toml(plans: Mapping[str, StudyConsensusPlan]) -> str:
    """consensus.toml text that :func:`~evidens.extraction.parse_consensus` reads back to
    ``plans`` (studies in label order)."""
    studies = [_study(plans[label]) for label in sorted(plans)]
    return CONSENSUS_HEAD + tomli_w.dumps({"study": studies})


def _study(plan: StudyConsensusPlan) -> dict[str, Any]:
    item: dict[str, Any] = {"study": plan.study}
    if plan.extractors:
        item["extractors"] = list(plan.extractors)
    item["decided_by"] = plan.decided_by
    if plan.resolutions:
        item["resolution"] = [_resolution(r, plan.decided_by) for r in plan.resolutions]
    return item


def _resolution(resolution: FieldResolution, decided_by: str) -> dict[str, Any]:
    item: dict[str, Any] = {"field": resolution.key}
    if resolution.take is not None:
        item["take"] = resolution.take
    elif resolution.value is not None:
        item["value"] = resolution.value
    if resolution.decided_by != decided_by:
        item["decided_by"] = resolution.decided_by
    if resolution.note:
        item["note"] = resolution.note
    return item


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"
