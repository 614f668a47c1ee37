"""A review's team as its owners manage it: starting a review with its owner, members'
roles and permissions, removing a member, open invitations and password-reset links.

Each change is one audited transaction. A review always keeps an owner: the last one can
be neither removed nor given another role, or nobody could manage the review again.

A password-reset link is kept as an invitation row (no schema change): role
:data:`RESET`, ``used_by`` naming the account it resets. Only the SHA-256 of its token is
stored, it expires like an invitation, and it is deleted when used, so it works once.
:func:`~evidens.services.review.accounts.invitation` refuses it (``used_by`` is set), so
a reset link never admits anyone to a review.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from evidens.errors import (
    NotFoundError,
    PermissionDeniedError,
    ReviewStateError,
    ValidationError,
)
from evidens.services.review.accounts import check_role, hash_password, token_hash
from evidens.services.store import ReviewStore, UnitOfWork, create_review, transaction
from evidens.store.account_models import InvitationRow, UserRow, WebSessionRow
from evidens.store.models import AuditRow, MemberRow, utcnow

RESET = "reset"  # the invitation role that marks a password-reset link
RESET_DAYS = 2
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class PendingInvitation:
    id: int
    role: str
    created_by: str
    expires_at: dt.datetime


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def check_slug(slug: str) -> str:
    """A review's short name as it appears in its addresses (``/r/SLUG``)."""
    if not _SLUG.match(slug):
        raise ValidationError(
            f"{slug!r} is not a usable short name",
            field="slug",
            hint="use lower-case letters, digits and '-', up to 80, e.g. 'spasms-diet'",
        )
    return slug


def start_review(
    engine: Engine, *, title: str, slug: str, protocol: dict[str, Any], owner: str
) -> ReviewStore:
    """A new review in the server's store, ``owner`` its first owner (one transaction);
    a blank ``slug`` is made from the title."""
    if not title.strip():
        raise ValidationError("the review needs a title", field="title")
    if slug:
        check_slug(slug)
    return create_review(
        engine,
        title=title.strip(),
        protocol=protocol,
        slug=slug or None,
        actor=owner,
        owner=owner,
    )


def team(store: ReviewStore) -> list[Member]:
    """The review's members, owners first, then by name."""
    with transaction(store, "evidens") as uow:
        rows = uow.session.scalars(
            select(MemberRow).where(MemberRow.review_id == store.review_id)
        ).all()
    order = {"owner": 0}
    found = [Member(r.name, r.role, tuple(str(p) for p in r.permissions or ())) for r in rows]
    return sorted(found, key=lambda m: (order.get(m.role, 1), m.name.lower()))


def _member_row(uow: UnitOfWork, name: str) -> MemberRow:
    row = uow.session.scalar(
        select(MemberRow).where(MemberRow.review_id == uow.review_id, MemberRow.name == name)
    )
    if row is None:
        raise NotFoundError(f"{name!r} is not a member of this review", hint="check the name")
    return row


def _keep_an_owner(uow: UnitOfWork, row: MemberRow, what: str) -> None:
    """Refuse to leave the review without an owner."""
    if row.role != "owner":
        return
    owners = uow.session.scalar(
        select(func.count()).where(MemberRow.review_id == uow.review_id, MemberRow.role == "owner")
    )
    if int(owners or 0) <= 1:
        raise ReviewStateError(
            f"{row.name} is the review's only owner and cannot be {what}",
            hint="make another member an owner first",
        )


def set_member(
    store: ReviewStore, name: str, role: str, permissions: tuple[str, ...], *, actor: str
) -> Member:
    """Change a member's role and permissions (the last owner keeps being an owner)."""
    check_role(role, permissions)
    with transaction(store, actor) as uow:
        row = _member_row(uow, name)
        if role != "owner":
            _keep_an_owner(uow, row, f"made {role}")
        before = {"role": row.role, "permissions": list(row.permissions or ())}
        row.role, row.permissions = role, list(permissions)
        after = {"role": role, "permissions": list(permissions)}
        uow.audit("member", "member", name, before=before, after=after)
    return Member(name, role, permissions)


def remove_member(store: ReviewStore, name: str, *, actor: str) -> None:
    """Take a person off the team (their decisions stay, under their name)."""
    with transaction(store, actor) as uow:
        row = _member_row(uow, name)
        _keep_an_owner(uow, row, "removed")
        before = {"role": row.role, "permissions": list(row.permissions or ())}
        uow.session.delete(row)
        uow.audit("remove", "member", name, before=before)


def pending_invitations(store: ReviewStore) -> list[PendingInvitation]:
    """Invitation links not used yet and not expired (password resets excluded)."""
    with transaction(store, "evidens") as uow:
        rows = uow.session.scalars(
            select(InvitationRow)
            .where(
                InvitationRow.review_id == store.review_id,
                InvitationRow.used_by.is_(None),
                InvitationRow.role != RESET,
            )
            .order_by(InvitationRow.expires_at)
        ).all()
    now = utcnow()
    return [
        PendingInvitation(r.id, r.role, r.created_by, _aware(r.expires_at))
        for r in rows
        if _aware(r.expires_at) > now
    ]


def create_password_reset(store: ReviewStore, name: str, *, actor: str) -> str:
    """A one-use link token that lets member ``name`` choose a new password (an owner
    hands it over as they would an invitation)."""
    token = secrets.token_urlsafe(32)
    with transaction(store, actor) as uow:
        _member_row(uow, name)
        user_id = uow.session.scalar(select(UserRow.id).where(UserRow.username == name))
        if user_id is None:
            raise NotFoundError(
                f"{name!r} has no account to reset", hint="they sign in with an invitation"
            )
        _owns_every_review_of(uow, name)
        row = InvitationRow(
            token_hash=token_hash(token),
            review_id=store.review_id,
            role=RESET,
            created_by=actor,
            expires_at=utcnow() + dt.timedelta(days=RESET_DAYS),
            used_by=user_id,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit("reset_link", "user", name, after={"expires_at": str(row.expires_at)})
    return token


def _owns_every_review_of(uow: UnitOfWork, name: str) -> None:
    """Refuse a reset by someone who does not own every review ``name`` belongs to: whoever
    holds the link can sign in as them, so an owner of one review must not gain another
    team's review through a shared member."""
    owned = select(MemberRow.review_id).where(
        MemberRow.name == uow.actor, MemberRow.role == "owner"
    )
    others = uow.session.scalar(
        select(func.count()).where(MemberRow.name == name, MemberRow.review_id.not_in(owned))
    )
    if others:
        raise PermissionDeniedError(
            f"{name} is also on a review you do not own, so you cannot reset their password",
            hint="they change it themselves on their account page, or the server's "
            "administrator resets it",
        )


def _reset_row(session: Session, token: str) -> tuple[InvitationRow, UserRow]:
    found = session.execute(
        select(InvitationRow, UserRow)
        .join(UserRow, UserRow.id == InvitationRow.used_by)
        .where(InvitationRow.token_hash == token_hash(token), InvitationRow.role == RESET)
    ).first()
    if found is None:
        raise NotFoundError(
            "this password-reset link is not known or was used already",
            hint="ask the review's owner for a new one",
        )
    row, user = found
    if _aware(row.expires_at) <= utcnow():
        raise NotFoundError(
            "this password-reset link has expired", hint="ask the review's owner for a new one"
        )
    return row, user


def reset_for(engine: Engine, token: str) -> str:
    """The username a reset link is for (refused when unknown, used or expired)."""
    with Session(engine) as session:
        return _reset_row(session, token)[1].username


def reset_password(engine: Engine, token: str, new_password: str) -> str:
    """Set the password a reset link is for, once; every session of the account ends.
    Returns the username."""
    with Session(engine) as session, session.begin():
        row, user = _reset_row(session, token)
        user.password_hash = hash_password(new_password, field="new_password")
        session.execute(
            update(WebSessionRow).where(WebSessionRow.user_id == user.id).values(revoked=True)
        )
        gone = session.execute(delete(InvitationRow).where(InvitationRow.id == row.id))
        if not getattr(gone, "rowcount", 0):  # used at the same moment elsewhere
            raise NotFoundError("this password-reset link was used already")
        session.add(
            AuditRow(
                review_id=row.review_id,
                actor=user.username,
                action="reset_password",
                entity="user",
                entity_id=user.username,
            )
        )
        return user.username
