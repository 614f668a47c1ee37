"""Assessment files (TOML) in and out, and the rob.json document ``evidens run`` writes.

One file holds one assessment at the top level, or several as ``[[assessments]]``::

    study = "Sharma 2021"
    outcome = "Spasm freedom at 4 weeks"
    assessor = "MV"
    instrument = "rob2"
    [settings]
    effect = "both"
    [answers.D1]
    "1.1" = { answer = "PY", why = "one line from the paper" }
    [overrides]
    overall = { judgment = "high", reason = "why the proposal does not fit" }

Functions here take and return text; reading and writing files is the caller's business.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from evidens.core.toml import parse_toml
from evidens.errors import FormatError, ValidationError
from evidens.rob.instrument import get_instrument
from evidens.rob.model import Answer, Assessment, Judgment, Override, Result

MAX_TEXT = 5_000_000  # characters; an assessment file is a few kilobytes


def load_assessments(text: str, *, path: str | None = None) -> list[Assessment]:
    """Every assessment in a TOML text (top-level one, or an ``[[assessments]]`` list)."""
    if len(text) > MAX_TEXT:
        raise FormatError("assessment file is too large", path=path, hint="split it per study")
    data = parse_toml(text, path=path, error=FormatError)
    entries = data.get("assessments")
    if entries is None:
        return [_assessment(data, path, "")]
    if not isinstance(entries, list):
        raise FormatError("'assessments' must be an array of tables", path=path)
    return [_assessment(e, path, f"assessments[{i}].") for i, e in enumerate(entries)]


def load_assessment(text: str, *, path: str | None = None) -> Assessment:
    """The single assessment in a TOML text (the form of examples/riss/rob/sharma2021.toml)."""
    found = load_assessments(text, path=path)
    if len(found) != 1:
        raise FormatError(
            f"expected one assessment, found {len(found)}",
            path=path,
            hint="use load_assessments for files with [[assessments]]",
        )
    return found[0]


def _text(data: Mapping[str, Any], key: str, path: str | None, prefix: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"missing or empty {key!r}", path=path, field=prefix + key, hint=f'add {key} = "..."'
        )
    return value


def _mapping(value: object, path: str | None, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormatError(f"{where} must be a table", path=path, field=where)
    return value


def _answer(entry: object, path: str | None, where: str) -> tuple[Answer, str]:
    code = entry.get("answer") if isinstance(entry, dict) else entry
    note = entry.get("why", "") if isinstance(entry, dict) else ""
    if not isinstance(code, str) or not isinstance(note, str):
        raise FormatError(
            "answer must be a string", path=path, field=where, hint='"1.1" = { answer = "PY" }'
        )
    try:
        return Answer.parse(code), note
    except ValidationError as exc:
        raise ValidationError(exc.message, path=path, field=where, hint=exc.hint) from None


def _override(entry: object, path: str | None, where: str) -> Override:
    table = _mapping(entry, path, where)
    judgment, reason = table.get("judgment"), table.get("reason", "")
    if not isinstance(judgment, str) or not isinstance(reason, str):
        raise FormatError(
            "override needs judgment and reason strings",
            path=path,
            field=where,
            hint='{ judgment = "high", reason = "..." }',
        )
    try:
        return Override(Judgment.parse(judgment), reason)
    except ValidationError as exc:
        raise ValidationError(exc.message, path=path, field=where, hint=exc.hint) from None


def _setting_text(value: object) -> str:
    """Settings are words; TOML booleans are accepted as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _assessment(data: object, path: str | None, prefix: str) -> Assessment:
    data = _mapping(data, path, prefix.rstrip(".") or "file")
    answers: dict[str, dict[str, Answer]] = {}
    why: dict[str, dict[str, str]] = {}
    for domain_id, questions in _mapping(data.get("answers", {}), path, prefix + "answers").items():
        where = f"{prefix}answers.{domain_id}"
        answers[domain_id], why[domain_id] = {}, {}
        for question_id, entry in _mapping(questions, path, where).items():
            answer, note = _answer(entry, path, f"{where}.{question_id}")
            answers[domain_id][question_id] = answer
            if note:
                why[domain_id][question_id] = note
    overrides = {
        key: _override(entry, path, f"{prefix}overrides.{key}")
        for key, entry in _mapping(data.get("overrides", {}), path, prefix + "overrides").items()
    }
    raw_settings = _mapping(data.get("settings", {}), path, prefix + "settings")
    settings = {str(k): _setting_text(v) for k, v in raw_settings.items()}
    return Assessment(
        study=_text(data, "study", path, prefix),
        outcome=_text(data, "outcome", path, prefix),
        assessor=_text(data, "assessor", path, prefix),
        instrument=_text(data, "instrument", path, prefix),
        answers=answers,
        justifications=why,
        overrides=overrides,
        settings=settings,
        result_label=str(data.get("result", "")),
    )


def _q(value: str) -> str:
    """A TOML basic string (JSON string syntax is a subset of it)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def dump_assessment(assessment: Assessment) -> str:
    """The TOML text of one assessment; ``load_assessment`` reads it back unchanged."""
    lines = [
        f"study = {_q(assessment.study)}",
        f"outcome = {_q(assessment.outcome)}",
    ]
    if assessment.result_label:
        lines.append(f"result = {_q(assessment.result_label)}")
    lines += [
        f"assessor = {_q(assessment.assessor)}",
        f"instrument = {_q(assessment.instrument)}",
    ]
    if assessment.settings:
        lines += ["", "[settings]"]
        lines += [f"{k} = {_q(v)}" for k, v in assessment.settings.items()]
    for domain_id, answers in assessment.answers.items():
        lines += ["", f"[answers.{_q(domain_id)}]"]
        notes = assessment.justifications.get(domain_id, {})
        for question_id, answer in answers.items():
            why = notes.get(question_id, "")
            tail = f", why = {_q(why)}" if why else ""
            lines.append(f"{_q(question_id)} = {{ answer = {_q(answer.value)}{tail} }}")
    if assessment.overrides:
        lines += ["", "[overrides]"]
        for key, override in assessment.overrides.items():
            lines.append(
                f"{_q(key)} = {{ judgment = {_q(override.judgment.value)}, "
                f"reason = {_q(override.reason)} }}"
            )
    return "\n".join(lines) + "\n"


def dump_assessments(assessments: Iterable[Assessment]) -> str:
    """The TOML text of several assessments as ``[[assessments]]`` entries (one file per study
    can hold every assessor's); ``load_assessments`` reads them back unchanged, in order."""
    blocks = []
    for assessment in assessments:
        lines = ["[[assessments]]"]
        for line in dump_assessment(assessment).splitlines():
            # re-home each table under the entry: [settings] -> [assessments.settings]
            lines.append("[assessments." + line[1:] if line.startswith("[") else line)
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _value(judgment: Judgment | None) -> str | None:
    return None if judgment is None else judgment.value


def rob_json(results: Iterable[Result]) -> dict[str, Any]:
    """The rob.json document: per study, outcome and domain the answers, proposed and final
    judgment (with any override reason and open problems), and the overall judgment."""
    items = []
    versions: dict[str, str] = {}
    for result in results:
        a = result.assessment
        tool = get_instrument(a.instrument)
        versions[tool.id] = tool.version
        domains = []
        for d in result.domains:
            answers = a.answers.get(d.domain, {})
            notes = a.justifications.get(d.domain, {})
            domains.append(
                {
                    "domain": d.domain,
                    "name": d.name,
                    "answers": {
                        q: {"answer": v.value, "justification": notes.get(q, "")}
                        for q, v in answers.items()
                    },
                    "proposed": _value(d.proposed),
                    "final": _value(d.final),
                    "override_reason": d.override_reason,
                    "problems": list(d.problems),
                }
            )
        items.append(
            {
                "study": a.study,
                "outcome": a.outcome,
                "result": a.result_label,
                "assessor": a.assessor,
                "instrument": tool.id,
                "settings": dict(a.settings),
                "domains": domains,
                "overall": {
                    "proposed": _value(result.proposed_overall),
                    "final": _value(result.final_overall),
                    "override_reason": result.overall_override_reason,
                },
            }
        )
    return {"instruments": versions, "assessments": items}
