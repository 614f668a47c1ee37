"""A review's protocol and settings set from a protocol file (``evidens protocol --load``).

A team starting a review in a store writes its protocol once - question, PICO, eligibility
criteria, outcomes with their importance, team, screening, de-duplication and PRISMA
settings, methods - in the keys a review folder's review.toml uses, so the same file can
start a store or a folder. The file is checked against the one declaration of those keys
(:mod:`evidens.services.folders.review_schema`) before anything is written; analyses and
living-review rounds have their own commands and are refused here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from evidens.errors import ConfigError
from evidens.services.folders.review_check import check_toml
from evidens.services.folders.review_files import load_toml, protocol_of, settings_of
from evidens.services.folders.review_schema import REVIEW
from evidens.services.reporting.prisma import set_reported
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import MemberRow, ReviewRow

ELSEWHERE = {
    "analysis": "define analyses with `evidens analyse add`",
    "round": "start a living review's update with `evidens round start`",
}


@dataclass(frozen=True)
class ProtocolSet:
    title: str
    outcomes: int
    members: int


def load_protocol(store: ReviewStore, path: Path, *, actor: str) -> ProtocolSet:
    """Set the review's protocol, team and settings from ``path``, all or nothing."""
    problems = check_toml(path, REVIEW)
    if problems:
        raise problems[0]
    config = load_toml(path)
    for key, hint in ELSEWHERE.items():
        if key in config:
            raise ConfigError(
                f"[[{key}]] is not part of a protocol", path=path, field=key, hint=hint
            )
    protocol = protocol_of(config, path)
    settings = settings_of(config, path)
    members = list(config.get("team", {}).get("members", ()))
    with transaction(store, actor) as uow:
        review = uow.session.get(ReviewRow, uow.review_id)
        assert review is not None  # the store was opened on this review
        slug = config["review"].get("slug")
        if slug is not None and slug != review.slug:
            raise ConfigError(
                f"this file is the protocol of {slug!r}, not of {review.slug!r}",
                path=path,
                field="review.slug",
                hint="remove slug from the file, or open the review it names (--review)",
            )
        before = {"title": review.title, "protocol": review.protocol, "settings": review.settings}
        kept = {k: v for k, v in dict(review.protocol or {}).items() if k == "text"}  # the web's
        review.title = protocol.title
        review.protocol = {**asdict(protocol), **kept}
        review.settings = {
            **dict(review.settings or {}),
            **settings,
            "methods": dict(config.get("methods", {})),
        }
        _set_members(uow, members)
        reported = dict(config.get("prisma", {}).get("reported", {}))
        set_reported(uow, reported)
        uow.audit(
            "set_protocol",
            "review",
            uow.review_id,
            before=before,
            after={"title": review.title, "protocol": review.protocol, "settings": review.settings},
        )
    return ProtocolSet(protocol.title, len(protocol.outcomes), len(members))


def _set_members(uow: UnitOfWork, members: list[dict[str, Any]]) -> None:
    """Add or update each member the file names (members it does not name are kept)."""
    rows = {
        m.name: m
        for m in uow.session.scalars(select(MemberRow).where(MemberRow.review_id == uow.review_id))
    }
    for member in members:
        name = str(member["name"])
        role, permissions = str(member.get("role", "reviewer")), list(member.get("permissions", []))
        row = rows.get(name)
        if row is None:
            row = MemberRow(review_id=uow.review_id, name=name, role=role, permissions=permissions)
            uow.session.add(row)
            uow.audit("create", "member", name, after=dict(member))
        elif (row.role, list(row.permissions or [])) != (role, permissions):
            before = {"role": row.role, "permissions": list(row.permissions or [])}
            row.role, row.permissions = role, permissions
            uow.audit("update", "member", name, before=before, after=dict(member))
