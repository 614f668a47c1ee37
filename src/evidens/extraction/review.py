"""A review's extraction kept as files: ``form.toml``, one workbook per extractor and study,
and ``consensus.toml`` recording how each disagreement was settled.

:func:`load_review_extraction` is pure (file names to bytes in, objects out) so the store, the
CLI and ``evidens run`` can all use it; studies still in disagreement are reported as pending
and kept out of the consensus, because only agreed values may flow on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from evidens.core.toml import parse_toml
from evidens.errors import ConfigError, ValidationError
from evidens.extraction.compare import (
    DiscrepancyReport,
    FieldResolution,
    build_consensus,
    discrepancies,
)
from evidens.extraction.forms import Form, _list, default_form, parse_form
from evidens.extraction.model import Consensus, Extraction
from evidens.extraction.xlsx_import import xlsx_to_extraction

FORM_FILE = "form.toml"
CONSENSUS_FILE = "consensus.toml"


@dataclass(frozen=True)
class StudyConsensusPlan:
    """One study's entry of consensus.toml: which two extractions, who decided, and how."""

    study: str
    extractors: tuple[str, ...]
    decided_by: str
    resolutions: tuple[FieldResolution, ...]


@dataclass(frozen=True)
class ReviewExtraction:
    form: Form
    extractions: tuple[Extraction, ...]
    reports: tuple[DiscrepancyReport, ...]
    consensus: tuple[Consensus, ...]
    pending: tuple[str, ...]
    """Studies without an agreed record yet (unresolved disagreements, or one extractor)."""


def load_review_extraction(files: Mapping[str, bytes]) -> ReviewExtraction:
    """Everything in an extraction folder, compared and settled.

    ``files`` maps file names (relative to the folder) to their bytes; ``form.toml`` is
    optional (the packaged default is used without it), every ``*.xlsx`` is one extraction.
    """
    by_name = {PurePosixPath(path).name: data for path, data in files.items()}
    form_bytes = by_name.get(FORM_FILE)
    form = (
        parse_form(_utf8(form_bytes, FORM_FILE), path=FORM_FILE) if form_bytes else default_form()
    )
    extractions = tuple(
        xlsx_to_extraction(data, form, name=file)
        for file, data in sorted(by_name.items())
        if file.lower().endswith(".xlsx")
    )
    plans = (
        parse_consensus(_utf8(by_name[CONSENSUS_FILE], CONSENSUS_FILE), path=CONSENSUS_FILE)
        if CONSENSUS_FILE in by_name
        else {}
    )
    return settle(form, extractions, plans)


def settle(
    form: Form, extractions: tuple[Extraction, ...], plans: Mapping[str, StudyConsensusPlan]
) -> ReviewExtraction:
    """Pair each study's two extractions, report disagreements, and build the consensus
    where every disagreement is resolved (or there is none)."""
    studies: dict[str, list[Extraction]] = {}
    for extraction in extractions:
        studies.setdefault(extraction.study, []).append(extraction)
    reports, agreed, pending = [], [], []
    for study, items in studies.items():
        plan = plans.get(study)
        pair = _pair(study, items, plan)
        if pair is None:
            pending.append(study)
            continue
        report = discrepancies(pair[0], pair[1], form)
        reports.append(report)
        resolved = {r.key for r in plan.resolutions} if plan else set()
        if not set(report.keys) <= resolved:
            pending.append(study)
            continue
        decided_by = plan.decided_by if plan else f"agreement of {' and '.join(report.extractors)}"
        resolutions = plan.resolutions if plan else ()
        agreed.append(build_consensus(*pair, resolutions, decided_by=decided_by, form=form))
    return ReviewExtraction(form, extractions, tuple(reports), tuple(agreed), tuple(pending))


def _pair(
    study: str, items: list[Extraction], plan: StudyConsensusPlan | None
) -> tuple[Extraction, Extraction] | None:
    if plan and plan.extractors:
        chosen = [e for name in plan.extractors for e in items if e.extractor == name]
        if len(chosen) != 2:
            found = ", ".join(e.extractor for e in items)
            raise ConfigError(
                f"{study}: consensus names extractors {', '.join(plan.extractors)}, found {found}",
                path=CONSENSUS_FILE,
                field="extractors",
                hint="name the two extractors whose workbooks are in the folder",
            )
        return chosen[0], chosen[1]
    if len(items) == 2:
        return items[0], items[1]
    if len(items) > 2:
        raise ConfigError(
            f"{study} has {len(items)} extractions",
            path=CONSENSUS_FILE,
            field="extractors",
            hint="say which two are compared: extractors = [...] in consensus.toml",
        )
    return None


def parse_consensus(text: str, *, path: str = CONSENSUS_FILE) -> dict[str, StudyConsensusPlan]:
    """Read consensus.toml: one ``[[study]]`` per study with ``[[study.resolution]]`` rows,
    each naming a ``field`` and either ``value`` or ``take`` (an extractor), and who decided."""
    data = parse_toml(text, path=path)
    plans: dict[str, StudyConsensusPlan] = {}
    for i, raw in enumerate(_list(data.get("study", []), path, "study")):
        plan = _plan(raw, path, i)
        if plan.study in plans:
            raise ConfigError(f"{plan.study!r} appears twice", path=path, field=f"study[{i}]")
        plans[plan.study] = plan
    return plans


def _plan(raw: Any, path: str, index: int) -> StudyConsensusPlan:
    if not isinstance(raw, dict) or not raw.get("study"):
        raise ConfigError(
            'each [[study]] needs study = "label"', path=path, field=f"study[{index}]"
        )
    study = str(raw["study"])
    decided_by = str(raw.get("decided_by", ""))
    resolutions = []
    for j, item in enumerate(_list(raw.get("resolution", []), path, f"{study}.resolution")):
        where = f"{study}.resolution[{j}]"
        if not isinstance(item, dict) or not item.get("field"):
            raise ConfigError('a resolution needs field = "key"', path=path, field=where)
        if "value" in item and "take" in item:
            raise ConfigError(
                "give value or take, not both", path=path, field=f"{where}.{item['field']}"
            )
        who = str(item.get("decided_by", decided_by))
        if not who:
            raise ValidationError(
                "who decided is not recorded",
                path=path,
                field=f"{where}.decided_by",
                hint="add decided_by to the resolution or to the study",
            )
        resolutions.append(
            FieldResolution(
                key=str(item["field"]),
                decided_by=who,
                value=item.get("value"),
                take=None if item.get("take") is None else str(item["take"]),
                note=str(item.get("note", "")),
            )
        )
    extractors = tuple(
        str(e) for e in _list(raw.get("extractors", []), path, f"{study}.extractors")
    )
    return StudyConsensusPlan(study, extractors, decided_by, tuple(resolutions))


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text: {exc}", path=name, hint="save the file as UTF-8"
        ) from exc
