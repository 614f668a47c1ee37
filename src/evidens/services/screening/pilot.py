"""The pilot round: a sample of records that every reviewer on the pilot team screens at
title/abstract before the rest, so the team can compare their agreement early (and fix
their criteria) instead of after thousands of records.

The normal rule ("as many decisions as required, then the record is complete") does not
apply to a pilot record: the queue hands it to every member of the pilot team and to no
one else, and it stays open - blinded, left out of conflicts, agreement and the records
lists by verdict - until all of them have decided it (the pilot's agreement counts the
team's decisions only). The team is fixed when the round starts (by default every member
allowed to screen) and kept with the sample in the review's settings and the audit log.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from evidens.core import Stage
from evidens.errors import ValidationError
from evidens.services.review.permissions import Action, allowed
from evidens.services.review.settings import review_settings
from evidens.services.store import UnitOfWork
from evidens.store.models import MemberRow, ScreeningDecisionRow

STAGE = Stage.TITLE_ABSTRACT  # the stage a pilot round is screened at


@dataclass(frozen=True)
class Pilot:
    """A pilot round: its records (in the order they are handed out), its team and the
    seed the sample was drawn with."""

    records: tuple[int, ...]
    reviewers: tuple[str, ...]
    seed: int


def screeners(uow: UnitOfWork) -> tuple[str, ...]:
    """Members of the review whose role or permissions let them screen, by name."""
    rows = uow.session.execute(
        select(MemberRow.name, MemberRow.role, MemberRow.permissions).where(
            MemberRow.review_id == uow.review_id
        )
    ).all()
    return tuple(
        sorted(
            str(name)
            for name, role, perms in rows
            if allowed(str(role), tuple(str(p) for p in perms or ()), Action.SCREEN)
        )
    )


def team(uow: UnitOfWork, asked: Sequence[str] | None) -> tuple[str, ...]:
    """The pilot team: ``asked`` (each must be allowed to screen), or every screener."""
    every = screeners(uow)
    chosen = tuple(dict.fromkeys(asked)) if asked else every
    strangers = [name for name in chosen if name not in every]
    if strangers:
        raise ValidationError(
            f"{', '.join(strangers)} cannot screen in this review",
            field="reviewers",
            hint="name members whose role lets them screen: " + ", ".join(every),
        )
    if len(chosen) < 2:
        raise ValidationError(
            "a pilot round needs at least two reviewers",
            field="reviewers",
            hint="agreement is measured between pairs of reviewers",
        )
    return tuple(sorted(chosen))


def pilot_in(uow: UnitOfWork) -> Pilot | None:
    """The review's pilot round, if one was started. A round saved before teams were kept
    has, as its team, everyone who may screen now."""
    saved = review_settings(uow).pilot
    if not saved.get("records"):
        return None
    names = saved.get("reviewers")
    reviewers = tuple(str(n) for n in names) if names else screeners(uow)
    return Pilot(tuple(int(r) for r in saved["records"]), reviewers, int(saved.get("seed", 0)))


def deciders(uow: UnitOfWork, records: Collection[int]) -> dict[int, set[str]]:
    """Who has decided each of ``records`` at the pilot's stage."""
    if not records:
        return {}
    rows = uow.session.execute(
        select(ScreeningDecisionRow.record_id, ScreeningDecisionRow.reviewer).where(
            ScreeningDecisionRow.record_id.in_(list(records)),
            ScreeningDecisionRow.stage == STAGE.value,
        )
    ).all()
    found: dict[int, set[str]] = {}
    for record_id, reviewer in rows:
        found.setdefault(int(record_id), set()).add(str(reviewer))
    return found


def open_records(uow: UnitOfWork, pilot: Pilot | None = None) -> set[int]:
    """Pilot records some member of the team has not decided yet (all, with no pilot)."""
    pilot = pilot or pilot_in(uow)
    if pilot is None:
        return set()
    done = deciders(uow, pilot.records)
    team_set = set(pilot.reviewers)
    return {r for r in pilot.records if not team_set <= done.get(r, set())}


def next_pilot_record(uow: UnitOfWork, pilot: Pilot, reviewer: str) -> int | None:
    """The first pilot record (in the sample's order) this reviewer still has to decide,
    if they are on the team; one query over a few dozen ids."""
    if reviewer not in pilot.reviewers:
        return None
    mine = set(
        uow.session.scalars(
            select(ScreeningDecisionRow.record_id).where(
                ScreeningDecisionRow.record_id.in_(list(pilot.records)),
                ScreeningDecisionRow.stage == STAGE.value,
                ScreeningDecisionRow.reviewer == reviewer,
            )
        )
    )
    return next((r for r in pilot.records if r not in mine), None)
