"""Who may do what to which review: the one place where actions meet roles.

Every web route calls :func:`require` before touching a review. A person who is not a
member of a review gets the same "not found" as for a review that does not exist, so the
app never confirms that another team's review exists (404, not 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from evidens.errors import NotFoundError, PermissionDeniedError
from evidens.services.store import ReviewStore
from evidens.store.models import MemberRow, ReviewRow


class Action(StrEnum):
    VIEW = "view"  # dashboard, records lists, PRISMA so far
    SCREEN = "screen"  # record one's own screening decisions
    RESOLVE = "resolve"  # see conflicts (complete records only) and decide them
    IMPORT = "import"  # add search exports
    MANAGE = "manage"  # members, invitations, settings
    EXTRACT = "extract"  # record one's own extraction of a study (blind to the other's)
    ASSESS = "assess"  # record one's own risk-of-bias assessment (blind to the other's)
    SYNTHESISE = "synthesise"  # define analyses, record GRADE judgments


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "owner": frozenset(Action),
    "reviewer": frozenset({Action.VIEW, Action.SCREEN, Action.EXTRACT, Action.ASSESS}),
    "extractor": frozenset({Action.VIEW, Action.EXTRACT}),
    "assessor": frozenset({Action.VIEW, Action.ASSESS}),
    "viewer": frozenset({Action.VIEW}),
}
# permissions granted to a member on top of their role
PERMISSION_ACTIONS: dict[str, frozenset[Action]] = {
    "resolver": frozenset({Action.VIEW, Action.RESOLVE}),
    "can import": frozenset({Action.VIEW, Action.IMPORT}),
    "can extract": frozenset({Action.VIEW, Action.EXTRACT}),
    "can assess": frozenset({Action.VIEW, Action.ASSESS}),
    "can synthesise": frozenset({Action.VIEW, Action.SYNTHESISE}),
}


def allowed(role: str, permissions: tuple[str, ...], action: Action) -> bool:
    """Whether a member with this role and these permissions may do ``action``."""
    if action in ROLE_ACTIONS.get(role, frozenset()):
        return True
    return any(action in PERMISSION_ACTIONS.get(p, frozenset()) for p in permissions)


@dataclass(frozen=True)
class Membership:
    """A person's standing in one review, as the routes need it."""

    review_id: int
    slug: str
    title: str
    username: str
    role: str
    permissions: tuple[str, ...]

    def can(self, action: Action) -> bool:
        return allowed(self.role, self.permissions, action)

    def store(self, engine: Engine) -> ReviewStore:
        return ReviewStore(engine, self.review_id, self.slug)


def memberships(engine: Engine, username: str) -> list[Membership]:
    """Every review this person is a member of, by title."""
    with Session(engine) as session:
        rows = session.execute(
            select(ReviewRow.id, ReviewRow.slug, ReviewRow.title, MemberRow)
            .join(MemberRow, MemberRow.review_id == ReviewRow.id)
            .where(MemberRow.name == username)
            .order_by(ReviewRow.title, ReviewRow.id)
        ).all()
    return [
        Membership(rid, slug, title, username, m.role, tuple(str(p) for p in m.permissions))
        for rid, slug, title, m in rows
    ]


def require(engine: Engine, username: str, slug: str, action: Action) -> Membership:
    """The person's membership of review ``slug`` if they may do ``action``.

    Raises :class:`NotFoundError` when the review does not exist *or* the person is not a
    member (indistinguishable on purpose), :class:`PermissionDeniedError` when a member's
    role and permissions do not include the action.
    """
    found = next((m for m in memberships(engine, username) if m.slug == slug), None)
    return permit(found, slug, action)


def permit(found: Membership | None, slug: str, action: Action) -> Membership:
    """``found`` (the person's membership of review ``slug``, if any) when it allows
    ``action``; the errors of :func:`require`."""
    if found is None:
        raise NotFoundError(f"no review {slug!r}", hint="check the link, or ask for an invitation")
    if not found.can(action):
        raise PermissionDeniedError(
            f"your role in this review ({found.role}) does not allow {action.value}",
            hint="ask the review's owner for the permission",
        )
    return found


def may(store: ReviewStore, name: str, action: Action, *, doing: str, hint: str) -> None:
    """Refuse ``name`` for ``action`` in ``store``'s review (the CLI's and the library's
    check, where no web session names the person) unless they are a member whose role or
    permissions allow it; a review with no team recorded has no one to check against, so
    its single user may. ``doing`` says what was refused ("resolve conflicts")."""
    with Session(store.engine) as session:
        rows = session.execute(
            select(MemberRow.name, MemberRow.role, MemberRow.permissions).where(
                MemberRow.review_id == store.review_id
            )
        ).all()
    if not rows:
        return
    found = next(((r, tuple(str(p) for p in (ps or ()))) for n, r, ps in rows if n == name), None)
    if found is None:
        raise PermissionDeniedError(f"{name!r} is not a member of this review", hint=hint)
    if not allowed(str(found[0]), found[1], action):
        raise PermissionDeniedError(
            f"{name!r} ({found[0]}) may not {doing} in this review", hint=hint
        )


def may_resolve(store: ReviewStore, name: str) -> None:
    """Refuse ``name`` as a resolver of ``store``'s review (see :func:`may`)."""
    may(
        store,
        name,
        Action.RESOLVE,
        doing="resolve conflicts",
        hint="an owner, or a member with the resolver permission, resolves "
        "(evidens user add ... --role owner)",
    )
