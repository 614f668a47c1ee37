"""Reading and checking answers against the form.

Every error is an :class:`~evidens.errors.ValidationError` whose ``field`` is the form key
(``characteristics.sample_size``, ``outcomes.spasm_free.experimental.events``), and whose
``path`` says where the value came from (a spreadsheet cell, a TOML file), so the person who
typed it can find and fix it.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from evidens.core import ArmData, OutcomeKind
from evidens.errors import ValidationError
from evidens.extraction.forms import FieldType, Form, FormField
from evidens.extraction.model import Consensus, Extraction, OutcomeData, Value, arm_key

MULTI_CHOICE_SEPARATOR = ";"
MAX_TEXT = 20_000
"""Longest answer accepted: a guard against pasting a whole paper into one cell."""

_INTEGER = re.compile(r"^[+-]?\d+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters (form feeds and the like pasted from PDFs): meaningless in an answer,
and refused by the .xlsx format, so they are dropped when an answer is read."""


def read_value(field: FormField, raw: object, *, where: str | None = None) -> Value | None:
    """The typed value of ``raw`` (text, number or date as a file gave it) for ``field``.

    Empty answers are ``None``: an extractor may leave a field blank, which is itself
    information (not reported), and is compared like any other answer. Control characters
    (pasted from PDFs) are dropped first, so text made only of them is blank too.
    """
    if isinstance(raw, str):
        raw = _CONTROL.sub("", raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    reader = _READERS[field.type]
    return reader(field, raw, where)


def _text(field: FormField, raw: object, where: str | None) -> Value:
    text = raw.isoformat() if isinstance(raw, dt.date) else str(raw)
    text = _CONTROL.sub("", text).strip()
    if len(text) > MAX_TEXT:
        raise _error(field, where, f"text of {len(text)} characters is too long", "shorten it")
    return text


def _number(field: FormField, raw: object, where: str | None) -> Value:
    value = _as_float(field, raw, where)
    _check_range(field, value, where)
    return value


def _integer(field: FormField, raw: object, where: str | None) -> Value:
    if isinstance(raw, str) and _INTEGER.match(raw.strip()):
        value: float = int(raw.strip())
    else:
        value = _as_float(field, raw, where)
        if not float(value).is_integer():
            raise _error(field, where, f"{raw!r} is not a whole number", "type an integer")
    _check_range(field, value, where)
    return int(value)


def _choice(field: FormField, raw: object, where: str | None) -> Value:
    return _match_choice(field, str(raw).strip(), where)


def _multi_choice(field: FormField, raw: object, where: str | None) -> Value:
    items = raw if isinstance(raw, list | tuple) else str(raw).split(MULTI_CHOICE_SEPARATOR)
    chosen = [_match_choice(field, str(item).strip(), where) for item in items if str(item).strip()]
    return tuple(dict.fromkeys(chosen))


def _date(field: FormField, raw: object, where: str | None) -> Value:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise _error(field, where, f"{raw!r} is not a date", "write it as YYYY-MM-DD") from None


def _match_choice(field: FormField, text: str, where: str | None) -> str:
    for allowed in field.allowed:
        if text.casefold() == allowed.casefold():
            return allowed
    listed = ", ".join(field.allowed)
    raise _error(field, where, f"{text!r} is not one of the choices", f"use one of: {listed}")


def _as_float(field: FormField, raw: object, where: str | None) -> float:
    if isinstance(raw, bool):
        raise _error(field, where, f"{raw!r} is not a number", "type a number")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        try:
            value = float(str(raw).strip().replace(",", "."))
        except ValueError:
            unit = f" (in {field.unit})" if field.unit else ""
            raise _error(field, where, f"{raw!r} is not a number", f"type a number{unit}") from None
    if not math.isfinite(value):
        raise _error(field, where, f"{raw!r} is not a finite number", "type a number")
    return value


def _check_range(field: FormField, value: float, where: str | None) -> None:
    low, high = field.minimum, field.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        lowest = "-inf" if low is None else _fmt(low)
        highest = "inf" if high is None else _fmt(high)
        span = f"{lowest} to {highest}"
        unit = f" {field.unit}" if field.unit else ""
        raise _error(field, where, f"{_fmt(value)} is out of range", f"allowed: {span}{unit}")


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _error(field: FormField, where: str | None, message: str, hint: str) -> ValidationError:
    return ValidationError(f"{field.label}: {message}", path=where, field=field.key, hint=hint)


_READERS = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.INTEGER: _integer,
    FieldType.CHOICE: _choice,
    FieldType.MULTI_CHOICE: _multi_choice,
    FieldType.DATE: _date,
    FieldType.YES_NO_UNCLEAR: _choice,
}


def check_arm(
    outcome_id: str, kind: OutcomeKind, arm: ArmData, *, where: str | None = None
) -> None:
    """Refuse arm data no study can have: negative counts, events above total, SD <= 0."""
    for stat in ("events", "total", "n"):
        count = getattr(arm, stat)
        if count is not None and count < 0:
            raise ValidationError(
                f"{stat} {count} is negative",
                path=where,
                field=arm_key(outcome_id, arm.arm, stat),
                hint="counts are 0 or more",
            )
    if arm.events is not None and arm.total is not None and arm.events > arm.total:
        raise ValidationError(
            f"events {arm.events} > total {arm.total}",
            path=where,
            field=arm_key(outcome_id, arm.arm, "events"),
            hint="events cannot exceed the participants analysed; check the two numbers",
        )
    if arm.sd is not None and arm.sd <= 0:
        raise ValidationError(
            f"SD {arm.sd} is not above 0",
            path=where,
            field=arm_key(outcome_id, arm.arm, "sd"),
            hint="an SD is positive; if the paper gives an SE or CI, derive the SD from it",
        )
    if kind is OutcomeKind.BINARY and (arm.mean is not None or arm.sd is not None):
        raise ValidationError(
            "a binary outcome takes events and total, not mean/SD",
            path=where,
            field=arm_key(outcome_id, arm.arm, "mean"),
            hint="declare the outcome continuous, or move the numbers",
        )


def check_outcome(data: OutcomeData, *, where: str | None = None) -> None:
    for arm in (data.experimental, data.comparator):
        check_arm(data.id, data.outcome.kind, arm, where=where)


def check_extraction(
    form: Form,
    extraction: Extraction | Consensus,
    *,
    where: str | None = None,
    complete: bool = False,
) -> None:
    """Re-validate a whole extraction or consensus (e.g. one built in code or read from JSON).

    ``complete`` also demands every required field, which is right for a consensus record
    but not for an extraction in progress.
    """
    if complete:
        _check_required(form, extraction, where)
    for key, value in extraction.values:
        known = form.field(key)
        if known is None:
            raise ValidationError(
                "not a field of the form", path=where, field=key, hint="check the form's ids"
            )
        read_value(known, value, where=where)
    for data in extraction.arms:
        if form.outcome(data.id) is None and not form.open_outcomes:
            raise ValidationError(
                "outcome not listed in the form",
                path=where,
                field=f"outcomes.{data.id}",
                hint="add it to the form's [[outcomes]] or set open_outcomes = true",
            )
        check_outcome(data, where=where)


def _check_required(form: Form, extraction: Extraction | Consensus, where: str | None) -> None:
    answered = {key for key, _ in extraction.values}
    for field in form.fields:
        if field.required and field.key not in answered:
            raise ValidationError(
                f"{field.label}: required but empty",
                path=where,
                field=field.key,
                hint="fill it in, or write 'not reported' if the study does not say",
            )
