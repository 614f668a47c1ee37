"""Write services behind the owner's pages: verdicts on queued duplicate pairs, the
review's setup (protocol text, criteria, reasons, highlight terms, reviewers required) and
the pilot round.

Each change is one audited transaction, so the audit log says who changed what setting
from what to what; the pages call these and nothing else writes review settings.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from evidens.core import Stage
from evidens.errors import (
    ConfirmationNeededError,
    EvidensError,
    NotFoundError,
    ReviewStateError,
    ValidationError,
)
from evidens.screening.agreement import pilot_sample
from evidens.screening.highlight import compile_terms
from evidens.services.identification.dedup import DedupSummary, decide_pair, deduplicate
from evidens.services.review.settings import review_settings
from evidens.services.screening import pilot
from evidens.services.screening.pilot import team
from evidens.services.screening.state import settings_of
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.services.web.queue import forget
from evidens.services.web.rank import canonical_query
from evidens.store.models import RecordRow, ResolutionRow, ReviewRow, ScreeningDecisionRow


def judge_pair(
    store: ReviewStore, record_a: int, record_b: int, *, same: bool, actor: str
) -> DedupSummary:
    """A person's verdict on a pair (merge when ``same``, keep apart otherwise), then
    de-duplication again so clusters, the PRISMA counts and the screening queue follow.

    Record ids are store-wide, so both are checked to belong to this review first: a
    verdict must never reach into another team's records.
    """
    if record_a == record_b:
        raise ValidationError("a pair needs two different records", field="record_b")
    with transaction(store, actor) as uow:
        found = set(
            uow.session.scalars(
                select(RecordRow.id).where(
                    RecordRow.review_id == store.review_id,
                    RecordRow.id.in_((record_a, record_b)),
                )
            )
        )
    for record_id in (record_a, record_b):
        if record_id not in found:
            raise NotFoundError(f"no record {record_id} in this review")
    decide_pair(store, record_a, record_b, same=same, actor=actor)
    summary = deduplicate(store, actor=actor)
    forget(store)  # the records to screen changed: count and order them afresh
    return summary


MAX_LINES = 100
MAX_LINE = 500
MAX_TEXT = 20_000
MAX_REVIEWERS = 10


@dataclass(frozen=True)
class Setup:
    """What the owner sets up: the protocol's question, registration, free text and
    eligibility criteria (shown beside every record), the exclusion reasons, highlight
    terms, reviewers required per stage, and whether "maybe" against a verdict is a
    conflict."""

    question: str = ""
    registration: str = ""
    text: str = ""
    inclusion_criteria: tuple[str, ...] = ()
    exclusion_criteria: tuple[str, ...] = ()
    exclusion_reasons: tuple[str, ...] = ()
    highlight_include: tuple[str, ...] = ()
    highlight_exclude: tuple[str, ...] = ()
    reviewers_required: dict[str, int] = field(default_factory=dict)
    maybe_is_conflict: bool = False


def lines(value: str, field_name: str) -> tuple[str, ...]:
    """One entry a line, blank lines dropped, repeated ones once; bounded in size."""
    found = tuple(dict.fromkeys(line.strip() for line in value.splitlines() if line.strip()))
    if len(found) > MAX_LINES or any(len(line) > MAX_LINE for line in found):
        raise ValidationError(
            f"{field_name} is too long",
            field=field_name,
            hint=f"at most {MAX_LINES} lines of {MAX_LINE} characters",
        )
    return found


def read_setup(store: ReviewStore) -> Setup:
    """The review's current setup, with the defaults the screening services use."""
    with transaction(store, "web") as uow:
        review = uow.session.get(ReviewRow, store.review_id)
        text = str(dict(review.protocol if review else {}).get("text", ""))  # the web's own
        settings = review_settings(uow)
    protocol, highlight = settings.protocol, settings.highlight
    return Setup(
        question=protocol.question,
        registration=protocol.registration or "",
        text=text,
        inclusion_criteria=protocol.inclusion_criteria,
        exclusion_criteria=protocol.exclusion_criteria,
        exclusion_reasons=settings.screening.exclusion_reasons,
        highlight_include=tuple(str(t) for t in highlight.get("include", ())),
        highlight_exclude=tuple(str(t) for t in highlight.get("exclude", ())),
        reviewers_required={s.value: n for s, n in settings.reviewers_required.items()},
        maybe_is_conflict=settings.screening.maybe_is_conflict,
    )


def _check(setup: Setup) -> None:
    for stage in Stage:
        n = setup.reviewers_required.get(stage.value, 2)
        if not 1 <= n <= MAX_REVIEWERS:
            raise ValidationError(
                f"{n} reviewers required at {stage.value} is out of range",
                field=f"required_{stage.value}",
                hint=f"choose 1 to {MAX_REVIEWERS} (2 is the Cochrane standard)",
            )
    if max(len(setup.text), len(setup.question), len(setup.registration)) > MAX_TEXT:
        raise ValidationError("the protocol text is too long", field="text")
    try:
        compile_terms(setup.highlight_include, setup.highlight_exclude)
    except EvidensError as exc:
        raise ValidationError(exc.message, field="highlight", hint=exc.hint) from exc


def newly_complete(uow: UnitOfWork, required: dict[str, int]) -> dict[str, int]:
    """Per stage, how many records fewer reviewers required would complete at once: they
    have fewer decisions than now required but at least as many as the new number, and no
    resolution. Their decisions would lock and, where they agree, be shown to the team.
    Open pilot records keep their own rule (the whole pilot team) and are not counted."""
    current = settings_of(uow).required
    open_pilot = pilot.open_records(uow)
    effect: dict[str, int] = {}
    for stage in Stage:
        new, old = required.get(stage.value, 2), current[stage]
        if new >= old:
            continue
        resolved = select(ResolutionRow.record_id).where(
            ResolutionRow.review_id == uow.review_id, ResolutionRow.stage == stage.value
        )
        counted = uow.session.execute(
            select(ScreeningDecisionRow.record_id)
            .where(
                ScreeningDecisionRow.review_id == uow.review_id,
                ScreeningDecisionRow.stage == stage.value,
                ScreeningDecisionRow.record_id.not_in(resolved),
            )
            .group_by(ScreeningDecisionRow.record_id)
            .having(func.count(ScreeningDecisionRow.id).between(new, old - 1))
        ).all()
        found = sum(
            1 for (rid,) in counted if stage is not Stage.TITLE_ABSTRACT or rid not in open_pilot
        )
        if found:
            effect[stage.value] = found
    return effect


def _effect_line(effect: dict[str, int], setup: Setup) -> str:
    parts = [
        f"{n} record{'s' if n != 1 else ''} at {stage.replace('_', '/')} "
        f"({setup.reviewers_required.get(stage, 2)} reviewer"
        f"{'s' if setup.reviewers_required.get(stage, 2) != 1 else ''} required)"
        for stage, n in effect.items()
    ]
    return (
        "fewer reviewers required would make " + " and ".join(parts) + " complete at once: "
        "their decisions lock and, where reviewers agree, become visible to the team"
    )


def save_setup(store: ReviewStore, setup: Setup, *, actor: str, confirm: bool = False) -> None:
    """Write the setup into the review's protocol and settings (other keys kept) in one
    transaction, auditing each part that changed with its old and new value.

    Lowering the reviewers required completes every record that already has the new
    number of decisions; that is refused until ``confirm`` is given, with how many records
    it affects, and the effect is kept in the audit log with the change."""
    _check(setup)
    protocol_part = {
        "question": setup.question,
        "registration": setup.registration or None,
        "text": setup.text,
        "inclusion_criteria": list(setup.inclusion_criteria),
        "exclusion_criteria": list(setup.exclusion_criteria),
    }
    settings_part = {
        "exclusion_reasons": list(setup.exclusion_reasons),
        "highlight": {
            "include": list(setup.highlight_include),
            "exclude": list(setup.highlight_exclude),
        },
        "reviewers_required": {s.value: setup.reviewers_required.get(s.value, 2) for s in Stage},
        "maybe_is_conflict": setup.maybe_is_conflict,
    }
    with transaction(store, actor) as uow:
        review = uow.session.get(ReviewRow, store.review_id)
        if review is None:
            raise NotFoundError("no such review")
        effect = newly_complete(uow, settings_part["reviewers_required"])  # type: ignore[arg-type]
        if effect and not confirm:
            raise ConfirmationNeededError(
                _effect_line(effect, setup), hint="confirm the change to apply it"
            )
        if effect:
            uow.audit("complete_records", "settings", store.review_id, after={"records": effect})
        for name, part in (("protocol", protocol_part), ("settings", settings_part)):
            old = dict(getattr(review, name) or {})
            before = {k: old.get(k) for k in part if old.get(k) != part[k]}
            if not before and all(k in old for k in part):
                continue
            setattr(review, name, {**old, **part})  # a new dict, so the JSON column is saved
            after = {k: part[k] for k in part if old.get(k) != part[k]}
            uow.audit("setup", name, store.review_id, before=before, after=after)


MAX_PILOT = 1_000


def start_pilot(
    store: ReviewStore, size: int, *, actor: str, reviewers: Sequence[str] | None = None
) -> tuple[int, ...]:
    """Draw a pilot sample of ``size`` records that every reviewer on the pilot team (by
    default every member allowed to screen; at least two) screens first at title/abstract,
    so the team can compare their agreement before screening the rest (see
    :mod:`evidens.services.screening.pilot`). The seed and the team are kept with the sample (and
    in the audit log), so anyone can re-draw it with
    :func:`evidens.screening.agreement.pilot_sample`. A new pilot replaces the last one."""
    if not 1 <= size <= MAX_PILOT:
        raise ValidationError(
            f"a pilot of {size} records is out of range",
            field="size",
            hint=f"choose 1 to {MAX_PILOT} (20-50 is usual)",
        )
    seed = secrets.randbelow(2**31)
    with transaction(store, actor) as uow:
        review = uow.session.get(ReviewRow, store.review_id)
        if review is None:
            raise NotFoundError("no such review")
        members = team(uow, reviewers)
        ids = list(uow.session.scalars(canonical_query(store.review_id)))
        if not ids:
            raise ReviewStateError("there are no records to sample", hint="import records first")
        sample = pilot_sample(ids, size, seed)
        pilot = {
            "stage": Stage.TITLE_ABSTRACT.value,
            "seed": seed,
            "records": list(sample),
            "reviewers": list(members),
        }
        settings = dict(review.settings or {})
        before = settings.get("pilot")
        review.settings = {**settings, "pilot": pilot}
        uow.audit("start_pilot", "review", store.review_id, before=before, after=pilot)
    return sample
