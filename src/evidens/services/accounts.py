"""People who sign in to the web app: accounts, sessions, the login rate limit, invitations.

Accounts belong to the store (one person may be on several of its reviews); membership of
a review is :class:`~evidens.store.models.MemberRow` keyed by the username. Secrets are never
stored as given: passwords as argon2 hashes, session and invitation tokens as SHA-256, so a
copy of the database does not let anyone sign in. Every login creates a new session token,
so a token planted before login (session fixation) is worthless afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from evidens.errors import NotFoundError, PermissionDeniedError, ReviewStateError, ValidationError
from evidens.services.store import ReviewStore, transaction
from evidens.store.account_models import (
    InvitationRow,
    LoginFailureRow,
    UserRow,
    WebSessionRow,
)
from evidens.store.models import AuditRow, MemberRow, ReviewRow, utcnow

ROLES = ("owner", "reviewer", "viewer")
SESSION_DAYS = 14
INVITATION_DAYS = 7
MAX_FAILURES = 5  # failed logins per username and address ...
FAILURE_WINDOW = dt.timedelta(minutes=15)  # ... within this window, then refused
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_hasher = PasswordHasher()


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Replace the argon2 parameters (returns the previous hasher). The defaults (RFC 9106's
    second choice, 64 MiB) suit a server; tests use cheaper ones to stay fast. Hashes made
    with other parameters still verify and are upgraded at the next login."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


class LoginRateLimitedError(PermissionDeniedError):
    """Too many failed logins for this username from this address: wait, then retry."""


@dataclass(frozen=True)
class SignedIn:
    """The person behind a valid session cookie, with the session's CSRF token."""

    user_id: int
    username: str
    display_name: str
    csrf_token: str


@dataclass(frozen=True)
class NewSession:
    """A session just opened: ``token`` goes into the cookie and is never stored."""

    token: str
    csrf_token: str
    user: SignedIn


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back without a zone; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def session_counts(revoked: bool, user_active: bool, expires_at: dt.datetime) -> bool:
    """Whether a stored web session still signs its person in: not revoked, the person
    active, not expired. The one rule for :func:`signed_in` and the web's one-statement
    access check."""
    return not revoked and user_active and _aware(expires_at) > utcnow()


def check_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise ValidationError(
            f"{username!r} is not a usable username",
            field="username",
            hint="use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return username


def create_user(
    engine: Engine, username: str, password: str, *, display_name: str | None = None
) -> int:
    """Create an account; the password is kept only as an argon2 hash."""
    check_username(username)
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"the password is shorter than {MIN_PASSWORD} characters",
            field="password",
            hint="choose a longer password (a passphrase is easiest)",
        )
    with Session(engine) as session, session.begin():
        if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
            raise ReviewStateError(
                f"a user named {username!r} already exists", hint="choose another username"
            )
        row = UserRow(
            username=username,
            display_name=display_name or username,
            password_hash=_hasher.hash(password),
        )
        session.add(row)
        session.flush()
        session.add(AuditRow(actor=username, action="create", entity="user", entity_id=str(row.id)))
        return row.id


def count_users(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def _failures(session: Session, key: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    query = select(func.count()).where(LoginFailureRow.key == key, LoginFailureRow.at >= since)
    return int(session.scalar(query) or 0)


def authenticate(engine: Engine, username: str, password: str, address: str) -> NewSession:
    """Check the password and open a new session, or refuse.

    Failures are counted per username and client address in the database (so every server
    process shares the count); after :data:`MAX_FAILURES` in :data:`FAILURE_WINDOW` even a
    right password is refused until the window has passed.
    """
    key = f"{username.lower()}|{address}"
    with Session(engine) as session, session.begin():
        if _failures(session, key) >= MAX_FAILURES:
            raise LoginRateLimitedError(
                "too many failed logins for this username from this address",
                hint=f"wait {int(FAILURE_WINDOW.total_seconds() // 60)} minutes, then try again",
            )
        user = session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None or not user.active or not _verify(user.password_hash, password):
            session.add(LoginFailureRow(key=key))
            failed = True
        else:
            failed = False
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            opened = _open_session(session, user)
    if failed:
        raise PermissionDeniedError(
            "wrong username or password", hint="check both; passwords are case-sensitive"
        )
    return opened


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _open_session(session: Session, user: UserRow) -> NewSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        WebSessionRow(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=utcnow() + dt.timedelta(days=SESSION_DAYS),
        )
    )
    who = SignedIn(user.id, user.username, user.display_name, csrf)
    return NewSession(token, csrf, who)


def signed_in(engine: Engine, token: str | None) -> SignedIn | None:
    """The person a session cookie belongs to, or ``None`` (unknown, revoked, expired)."""
    if not token:
        return None
    with Session(engine) as session:
        row = session.execute(
            select(WebSessionRow, UserRow)
            .join(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(WebSessionRow.token_hash == token_hash(token))
        ).first()
    if row is None:
        return None
    web, user = row
    if not session_counts(web.revoked, user.active, web.expires_at):
        return None
    return SignedIn(user.id, user.username, user.display_name, web.csrf_token)


def logout(engine: Engine, token: str) -> None:
    """End this browser's session."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.token_hash == token_hash(token))
            .values(revoked=True)
        )


def logout_everywhere(engine: Engine, user_id: int) -> int:
    """End every session of this person (a lost laptop, a shared computer)."""
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.user_id == user_id, WebSessionRow.revoked.is_(False))
            .values(revoked=True)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def add_member(
    store: ReviewStore,
    username: str,
    role: str,
    *,
    permissions: tuple[str, ...] = (),
    actor: str,
) -> None:
    """Make ``username`` a member of the review (or change their role)."""
    if role not in ROLES:
        raise ValidationError(
            f"{role!r} is not a role", field="role", hint="use owner, reviewer or viewer"
        )
    with transaction(store, actor) as uow:
        row = uow.session.scalar(
            select(MemberRow).where(
                MemberRow.review_id == store.review_id, MemberRow.name == username
            )
        )
        if row is None:
            row = MemberRow(review_id=store.review_id, name=username)
            uow.session.add(row)
        row.role, row.permissions = role, list(permissions)
        uow.audit("member", "member", username, after={"role": role, "permissions": permissions})


def create_invitation(store: ReviewStore, role: str, *, actor: str) -> str:
    """A one-use link token adding whoever opens it (signed in) to the review as ``role``."""
    if role not in ROLES:
        raise ValidationError(
            f"{role!r} is not a role", field="role", hint="use owner, reviewer or viewer"
        )
    token = secrets.token_urlsafe(32)
    with transaction(store, actor) as uow:
        row = InvitationRow(
            token_hash=token_hash(token),
            review_id=store.review_id,
            role=role,
            created_by=actor,
            expires_at=utcnow() + dt.timedelta(days=INVITATION_DAYS),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit("invite", "invitation", row.id, after={"role": role})
    return token


def accept_invitation(engine: Engine, token: str, user: SignedIn) -> int:
    """Add the signed-in person to the invitation's review; returns the review id."""
    with Session(engine) as session:
        row = session.scalar(
            select(InvitationRow).where(InvitationRow.token_hash == token_hash(token))
        )
    if row is None or row.used_by is not None or _aware(row.expires_at) <= utcnow():
        raise NotFoundError(
            "this invitation link is unknown, used or expired", hint="ask for a new link"
        )
    with Session(engine) as session:
        slug = session.scalar(select(ReviewRow.slug).where(ReviewRow.id == row.review_id))
    store = ReviewStore(engine, row.review_id, slug or "")
    with transaction(store, user.username) as uow:
        claimed = uow.session.execute(
            update(InvitationRow)
            .where(InvitationRow.id == row.id, InvitationRow.used_by.is_(None))
            .values(used_by=user.user_id)
        )
        if not getattr(claimed, "rowcount", 0):
            raise NotFoundError("this invitation link was used already", hint="ask for a new link")
        uow.audit("accept", "invitation", row.id, after={"user": user.username})
    existing = _member_role(engine, row.review_id, user.username)
    if existing is None:
        add_member(store, user.username, row.role, actor=user.username)
    return row.review_id


def _member_role(engine: Engine, review_id: int, username: str) -> str | None:
    with Session(engine) as session:
        return session.scalar(
            select(MemberRow.role).where(
                MemberRow.review_id == review_id, MemberRow.name == username
            )
        )


def first_accounts(engine: Engine) -> list[tuple[str, str]]:
    """When the store has no accounts yet: one per review member (each with a random
    password, returned once to be shown once), or an ``owner`` account owning every review
    if no members are recorded. Returns ``[]`` when accounts exist already."""
    if count_users(engine):
        return []
    with Session(engine) as session:
        names = sorted(set(session.scalars(select(MemberRow.name))))
        reviews = list(session.execute(select(ReviewRow.id, ReviewRow.slug)).all())
    created = []
    for name in names or ["owner"]:
        username = name if _USERNAME.match(name) else _usable(name)
        password = secrets.token_urlsafe(12)
        create_user(engine, username, password, display_name=name)
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
