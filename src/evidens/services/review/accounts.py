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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evidens.errors import NotFoundError, PermissionDeniedError, ReviewStateError, ValidationError
from evidens.services.review.permissions import PERMISSION_ACTIONS, ROLE_ACTIONS
from evidens.services.store import ReviewStore, transaction
from evidens.store.account_models import (
    InvitationRow,
    LoginFailureRow,
    UserRow,
    WebSessionRow,
)
from evidens.store.models import AuditRow, MemberRow, ReviewRow, utcnow

ROLES = tuple(ROLE_ACTIONS)  # owner, reviewer, extractor, assessor, viewer
PERMISSIONS = tuple(PERMISSION_ACTIONS)  # resolver, can import, can extract, ...
SESSION_DAYS = 14
INVITATION_DAYS = 7
FAILURE_WINDOW = dt.timedelta(minutes=15)  # failed logins are counted over this window ...
MAX_FAILURES = 5  # ... per account from one client, then that client is refused for it
MAX_CLIENT_FAILURES = 20  # ... per client over every account (guessing many usernames)
MAX_ACCOUNT_FAILURES = 50  # ... per account over every client (guessing from many places)
MIN_PASSWORD = 10
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_hasher = PasswordHasher()


_stand_in: dict[int, str] = {}  # per hasher: the hash checked when no account matches


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Replace the argon2 parameters (returns the previous hasher). The defaults (RFC 9106's
    second choice, 64 MiB) suit a server; tests use cheaper ones to stay fast. Hashes made
    with other parameters still verify and are upgraded at the next login."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def _stand_in_hash() -> str:
    """A hash of a random secret made with the current parameters: a login for a name that
    has no account (or an inactive one) verifies against it, so it costs the same time as
    a wrong password for a real account and the answer's timing does not tell which."""
    key = id(_hasher)
    if key not in _stand_in:
        _stand_in[key] = _hasher.hash(secrets.token_urlsafe(16))
    return _stand_in[key]


class LoginRateLimitedError(PermissionDeniedError):
    """Too many failed logins (for this account, from this client, or both): wait, then
    retry."""

    code = "rate_limited"


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
    if not USERNAME.match(username):
        raise ValidationError(
            f"{username!r} is not a usable username",
            field="username",
            hint="use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return username


def hash_password(password: str, field: str = "password") -> str:
    """The argon2 hash a new password is kept as, once it is long enough."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"the password is shorter than {MIN_PASSWORD} characters",
            field=field,
            hint="choose a longer password (a passphrase is easiest)",
        )
    return _hasher.hash(password)


def create_user(
    engine: Engine, username: str, password: str, *, display_name: str | None = None
) -> int:
    """Create an account; the password is kept only as an argon2 hash."""
    check_username(username)
    hashed = hash_password(password)
    exists = ReviewStateError(
        f"a user named {username!r} already exists", hint="choose another username"
    )
    try:
        with Session(engine) as session, session.begin():
            if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
                raise exists
            row = UserRow(
                username=username,
                display_name=display_name or username,
                password_hash=hashed,
            )
            session.add(row)
            session.flush()
            audit = AuditRow(actor=username, action="create", entity="user", entity_id=str(row.id))
            session.add(audit)
            return row.id
    except IntegrityError as exc:  # made by someone else since the look-up
        raise exists from exc


def count_users(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)


def _failures(session: Session, key: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    query = select(func.count()).where(LoginFailureRow.key == key, LoginFailureRow.at >= since)
    return int(session.scalar(query) or 0)


def _limit_keys(username: str, address: str) -> tuple[tuple[str, int, str], ...]:
    """The counters a failed login adds to, each with its limit and what it refuses."""
    name = username.lower()[:100]  # no account has a longer name; keys stay bounded
    return (
        (f"{name}|{address}", MAX_FAILURES, "for this username from this address"),
        (f"client|{address}", MAX_CLIENT_FAILURES, "from this address"),
        (f"account|{name}", MAX_ACCOUNT_FAILURES, "for this username"),
    )


def authenticate(engine: Engine, username: str, password: str, address: str) -> NewSession:
    """Check the password and open a new session, or refuse.

    Failures are counted in the database (so every server process shares the counts) per
    account and client, per client and per account (see :func:`_limit_keys`); past a
    limit within :data:`FAILURE_WINDOW` even a right password is refused until the window
    has passed. A name without an account does the same work (a stand-in hash is
    verified) and is counted the same, so neither the answer nor its timing says whether
    an account exists.
    """
    keys = _limit_keys(username, address)
    with Session(engine) as session, session.begin():
        for key, limit, what in keys:
            if _failures(session, key) >= limit:
                raise LoginRateLimitedError(
                    f"too many failed logins {what}",
                    hint=f"wait {int(FAILURE_WINDOW.total_seconds() // 60)} minutes, "
                    "then try again",
                )
        user = session.scalar(select(UserRow).where(UserRow.username == username))
        usable = user is not None and user.active
        stored = user.password_hash if user is not None and usable else _stand_in_hash()
        if not _verify(stored, password) or user is None or not usable:
            session.add_all(LoginFailureRow(key=key) for key, _, _ in keys)
            failed = True
        else:
            failed = False
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == keys[0][0]))
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


def change_password(engine: Engine, user: SignedIn, current: str, new: str) -> int:
    """Replace one's own password after proving the current one; every other session of
    the account ends (a password changed because it leaked must lock the thief out).
    Returns how many sessions ended."""
    with Session(engine) as session, session.begin():
        row = session.get(UserRow, user.user_id)
        if row is None or not _verify(row.password_hash, current):
            raise PermissionDeniedError(
                "the current password is wrong", hint="type the password you signed in with"
            )
        row.password_hash = hash_password(new, field="new_password")
        ended = session.execute(
            update(WebSessionRow)
            .where(
                WebSessionRow.user_id == row.id,
                WebSessionRow.revoked.is_(False),
                WebSessionRow.csrf_token != user.csrf_token,
            )
            .values(revoked=True)
        )
        session.add(
            AuditRow(actor=row.username, action="password", entity="user", entity_id=str(row.id))
        )
        return int(getattr(ended, "rowcount", 0) or 0)


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


def check_role(role: str, permissions: tuple[str, ...] = ()) -> None:
    """Refuse a role or permission the review's rules (:mod:`permissions`) do not know."""
    if role not in ROLES:
        raise ValidationError(
            f"{role!r} is not a role", field="role", hint=f"use one of {', '.join(ROLES)}"
        )
    unknown = [p for p in permissions if p not in PERMISSIONS]
    if unknown:
        raise ValidationError(
            f"{unknown[0]!r} is not a permission",
            field="permissions",
            hint=f"use {', '.join(PERMISSIONS)}",
        )


def add_member(
    store: ReviewStore,
    username: str,
    role: str,
    *,
    permissions: tuple[str, ...] = (),
    actor: str,
) -> None:
    """Make ``username`` a member of the review (or change their role)."""
    check_role(role)
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
    check_role(role)
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


@dataclass(frozen=True)
class Invitation:
    """What an invitation link offers: which review, in which role, until when."""

    review_id: int
    slug: str
    title: str
    role: str
    expires_at: dt.datetime


def invitation(engine: Engine, token: str) -> Invitation:
    """The open invitation behind ``token``; an unknown, used or expired link is refused
    with a message saying which, before any form is shown."""
    with Session(engine) as session:
        found = session.execute(
            select(InvitationRow, ReviewRow.slug, ReviewRow.title)
            .join(ReviewRow, ReviewRow.id == InvitationRow.review_id)
            .where(InvitationRow.token_hash == token_hash(token))
        ).first()
    if found is None:
        raise NotFoundError("this invitation link is not known", hint="check the link")
    row, slug, title = found
    if row.used_by is not None:
        raise NotFoundError(
            "this invitation link was used already", hint="ask the review's owner for a new one"
        )
    if _aware(row.expires_at) <= utcnow():
        raise NotFoundError(
            "this invitation link has expired", hint="ask the review's owner for a new one"
        )
    return Invitation(row.review_id, slug, title, row.role, _aware(row.expires_at))


def accept_invitation(engine: Engine, token: str, user: SignedIn) -> int:
    """Add the signed-in person to the invitation's review; returns the review id."""
    offered = invitation(engine, token)
    with Session(engine) as session:
        row = session.scalar(
            select(InvitationRow).where(InvitationRow.token_hash == token_hash(token))
        )
    if row is None:  # deleted with its review since invitation() read it
        raise NotFoundError("this invitation link is not known", hint="check the link")
    store = ReviewStore(engine, row.review_id, offered.slug)
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
