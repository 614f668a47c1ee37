"""Turning page data into HTML or its JSON twin, and record text into escaped, highlighted
HTML. Jinja2 autoescapes everything; the only markup built in Python is here, from escaped
pieces, so a title carrying ``<script>`` is shown as text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape

from evidens.screening.highlight import Span

HERE = Path(__file__).resolve().parent
ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)


def number(value: float | None, places: int = 2) -> str:
    """A statistic for a page: a dash where it is undefined (NaN, infinite, missing)."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{places}f}"


ENV.filters["number"] = number


def wants_json(request: Request) -> bool:
    """The JSON twin is asked for by a ``.json`` suffix or ``Accept: application/json``."""
    if request.url.path.endswith(".json"):
        return True
    return "application/json" in request.headers.get("accept", "")


def plain(value: Any) -> Any:
    """Dataclasses, enums and dates as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return _scalar(value)


def _scalar(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # e.g. kappa over one record: JSON has no NaN
    return value


def page(
    request: Request,
    template: str,
    data: dict[str, Any],
    *,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """The page, or its JSON twin holding ``data`` (never ``extra``, which is HTML-only)."""
    if wants_json(request):
        return JSONResponse(plain(data), status_code=status)
    context = {"request": request, **data, **(extra or {})}
    context.setdefault("user", getattr(request.state, "user", None))
    return HTMLResponse(ENV.get_template(template).render(context), status_code=status)


def highlighted(text: str, spans: tuple[Span, ...], field: str) -> Markup:
    """``text`` escaped, with include terms in ``<mark class=include>`` and exclude terms in
    ``<mark class=exclude>``; overlapping spans keep the first."""
    out, at = [], 0
    for span in sorted((s for s in spans if s.field == field), key=lambda s: (s.start, -s.end)):
        if span.start < at or span.end > len(text):
            continue
        kind = "include" if span.kind.value == "include" else "exclude"
        out.append(escape(text[at : span.start]))
        out.append(Markup('<mark class="{}">{}</mark>').format(kind, text[span.start : span.end]))
        at = span.end
    out.append(escape(text[at:]))
    return Markup("").join(out)
