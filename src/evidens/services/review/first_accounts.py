"""The accounts a new store starts with: ``evidens serve`` makes one per review member the
first time it opens a store without accounts, and shows each password once."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from evidens.errors import ReviewStateError
from evidens.services.review.accounts import USERNAME, add_member, count_users, create_user
from evidens.services.store import ReviewStore
from evidens.store.models import MemberRow, ReviewRow


def first_accounts(engine: Engine) -> list[tuple[str, str]]:
    """When the store has no accounts yet: one per review member (each with a random
    password, returned once to be shown once), or an ``owner`` account owning every review
    if no members are recorded. Returns ``[]`` when accounts exist already."""
    if count_users(engine):
        return []
    with Session(engine) as session:
        names = sorted(set(session.scalars(select(MemberRow.name))))
        reviews = list(session.execute(select(ReviewRow.id, ReviewRow.slug)).all())
    created: list[tuple[str, str]] = []
    for name in names or ["owner"]:
        username = name if USERNAME.match(name) else _usable(name)
        password = secrets.token_urlsafe(12)
        try:
            create_user(engine, username, password, display_name=name)
        except ReviewStateError:
            # another server started on this new store at the same time made the first
            # account (each goes through the names in one order): it makes them all and
            # shows their passwords
            if created or not count_users(engine):
                raise
            return []
        if username != name:
            _copy_memberships(engine, name, username)
        created.append((username, password))
    if not names:
        for review_id, slug in reviews:
            add_member(ReviewStore(engine, review_id, slug), "owner", "owner", actor="evidens")
    return created


def _usable(name: str) -> str:
    """A member name (e.g. "Dr A. Smith") as a username ("Dr-A.-Smith")."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")[:64]
    return cleaned or "member"


def _copy_memberships(engine: Engine, name: str, username: str) -> None:
    """Give an account made from a member name that is not a usable username (spaces,
    symbols) the same roles as that name, review by review."""
    with Session(engine) as session:
        rows = session.execute(
            select(MemberRow.review_id, ReviewRow.slug, MemberRow.role, MemberRow.permissions)
            .join(ReviewRow, ReviewRow.id == MemberRow.review_id)
            .where(MemberRow.name == name)
        ).all()
    for review_id, slug, role, permissions in rows:
        store = ReviewStore(engine, review_id, slug)
        add_member(store, username, role, permissions=tuple(permissions), actor="evidens")
