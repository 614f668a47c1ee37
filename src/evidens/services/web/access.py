"""Who is asking, and may they: the person behind a session cookie and their membership of
one review, read in one statement.

The screening page and "decide and get next" are asked for hundreds of times an hour per
reviewer; answering "signed in?" and "a member of this review?" with
:func:`evidens.services.review.accounts.signed_in` and
:func:`evidens.services.review.permissions.require` costs two connections and six round
trips to the database, more than the decision itself. This reads both at once outside a
transaction (one round trip). The rules stay where they are: a session counts under the same
conditions as ``signed_in`` (not revoked, the person active, not expired) and the action is
judged by :meth:`Membership.can`, the one actions-by-resources table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from evidens.services.review.accounts import SignedIn, session_counts, token_hash
from evidens.services.review.permissions import Action, Membership, permit
from evidens.store.account_models import UserRow, WebSessionRow
from evidens.store.models import MemberRow, ReviewRow


@dataclass(frozen=True)
class Access:
    """A valid session's person and their membership of the review asked about (``None``
    when they are not a member of it, or it does not exist)."""

    user: SignedIn
    member: Membership | None

    def require(self, slug: str, action: Action) -> Membership:
        """The membership, if it allows ``action`` (see :func:`permissions.permit`)."""
        return permit(self.member, slug, action)


def access(engine: Engine, token: str | None, slug: str) -> Access | None:
    """The signed-in person behind ``token`` and their membership of review ``slug``, or
    ``None`` when the session is unknown, revoked or expired, or the person inactive."""
    if not token:
        return None
    member = (
        select(
            MemberRow.name,
            MemberRow.role,
            MemberRow.permissions,
            ReviewRow.id.label("review_id"),
            ReviewRow.title,
        )
        .join(ReviewRow, ReviewRow.id == MemberRow.review_id)
        .where(ReviewRow.slug == slug)
        .subquery()
    )
    query = (
        select(
            WebSessionRow.revoked,
            WebSessionRow.expires_at,
            WebSessionRow.csrf_token,
            UserRow.id,
            UserRow.username,
            UserRow.display_name,
            UserRow.active,
            member.c.review_id,
            member.c.title,
            member.c.role,
            member.c.permissions,
        )
        .join(UserRow, UserRow.id == WebSessionRow.user_id)
        .outerjoin(member, member.c.name == UserRow.username)
        .where(WebSessionRow.token_hash == token_hash(token))
    )
    # a single read needs no transaction: no BEGIN and ROLLBACK round trips around it
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    revoked, expires, csrf, user_id, username, display, active, review_id, title, role, perms = row
    if not session_counts(revoked, active, expires):
        return None
    user = SignedIn(user_id, username, display, csrf)
    if review_id is None:
        return Access(user, None)
    granted = tuple(str(p) for p in perms or ())
    return Access(user, Membership(review_id, slug, title, username, role, granted))
