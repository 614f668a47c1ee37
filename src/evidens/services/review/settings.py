"""A review's protocol and settings, typed and parsed in one place.

The store keeps them as two JSON documents on the review row (written by ``evidens init``,
``evidens run``, the web app's setup page); every service reads them through
:func:`review_settings`, so a default (two reviewers per record, say) is decided once and
no two readers can disagree about a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evidens.core import OutcomeSpec, Pico, Protocol, Stage
from evidens.services.store import UnitOfWork
from evidens.store.models import ReviewRow

DEFAULT_REVIEWERS = 2


@dataclass(frozen=True)
class ScreeningSettings:
    required: dict[Stage, int]
    maybe_is_conflict: bool
    exclusion_reasons: tuple[str, ...]


@dataclass(frozen=True)
class ReviewSettings:
    """Everything configurable about one review; the raw mappings of the sections read by a
    single service (``dedup``, ``prisma``, ``pilot``, ``methods``) are kept as given."""

    protocol: Protocol
    screening: ScreeningSettings
    highlight: dict[str, Any] = field(default_factory=dict)
    dedup: dict[str, Any] = field(default_factory=dict)
    prisma: dict[str, Any] = field(default_factory=dict)
    pilot: dict[str, Any] = field(default_factory=dict)
    methods: dict[str, Any] = field(default_factory=dict)

    @property
    def reviewers_required(self) -> dict[Stage, int]:
        return self.screening.required


def protocol_from(raw: Mapping[str, Any], title: str) -> Protocol:
    """The protocol kept as JSON (``dataclasses.asdict`` of a :class:`Protocol`)."""
    pico = dict(raw.get("pico") or {})
    return Protocol(
        title=str(raw.get("title") or title),
        question=str(raw.get("question", "")),
        pico=Pico(**{k: str(v) for k, v in pico.items() if k in Pico.__dataclass_fields__}),
        inclusion_criteria=tuple(str(c) for c in raw.get("inclusion_criteria", ())),
        exclusion_criteria=tuple(str(c) for c in raw.get("exclusion_criteria", ())),
        study_designs=tuple(str(d) for d in raw.get("study_designs", ())),
        outcomes=tuple(
            OutcomeSpec(
                str(o["name"]),
                str(o.get("role", "secondary")),
                str(o.get("importance", "critical")),
            )
            for o in raw.get("outcomes", ())
        ),
        registration=raw.get("registration") or None,
        languages=tuple(str(x) for x in raw.get("languages", ())),
    )


def settings_from(
    protocol: Mapping[str, Any], raw: Mapping[str, Any], title: str
) -> ReviewSettings:
    required = dict(raw.get("reviewers_required") or {})
    return ReviewSettings(
        protocol=protocol_from(protocol, title),
        screening=ScreeningSettings(
            required={s: int(required.get(s.value, DEFAULT_REVIEWERS)) for s in Stage},
            maybe_is_conflict=bool(raw.get("maybe_is_conflict", False)),
            exclusion_reasons=tuple(str(r) for r in raw.get("exclusion_reasons", ())),
        ),
        highlight=dict(raw.get("highlight") or {}),
        dedup=dict(raw.get("dedup") or {}),
        prisma=dict(raw.get("prisma") or {}),
        pilot=dict(raw.get("pilot") or {}),
        methods=dict(raw.get("methods") or {}),
    )


_HELD = "evidens.review_settings"


def review_settings(uow: UnitOfWork) -> ReviewSettings:
    """The review's settings, read once per transaction: the review's row is held by the
    session (its identity map is weak, and a step asks for the settings ten times or more
    while deciding one record), and parsed again only when the row's values were replaced."""
    review = uow.session.get(ReviewRow, uow.review_id)
    if review is None:
        return settings_from({}, {}, "")
    held: dict[int, tuple[Any, ...]] = uow.session.info.setdefault(_HELD, {})
    found = held.get(uow.review_id)
    if (
        found is not None
        and found[0] is review
        and found[1] is review.protocol
        and found[2] is review.settings
        and found[3] == review.title
    ):
        parsed: ReviewSettings = found[4]
        return parsed
    parsed = settings_from(review.protocol or {}, review.settings or {}, review.title)
    held[uow.review_id] = (review, review.protocol, review.settings, review.title, parsed)
    return parsed
