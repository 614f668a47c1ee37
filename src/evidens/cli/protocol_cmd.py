"""`evidens protocol`: show the review's protocol, or set it (with its team and settings)
from a protocol file in review.toml's keys, inside a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from evidens.cli.review_cmd import DbOption, ReviewOption, console
from evidens.services.review.protocol import load_protocol
from evidens.services.review.settings import review_settings
from evidens.services.store import open_review, transaction


def protocol(
    load: Annotated[
        Path | None,
        typer.Option(
            help="A protocol file: [review], [pico], [eligibility], [[outcomes]], "
            "[team], [screening], [dedup], [prisma], [methods] as in review.toml."
        ),
    ] = None,
    actor: Annotated[str, typer.Option("--as", help="Who sets it (audit log).")] = "owner",
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Show the review's protocol; with --load FILE, set it, its team and its settings."""
    with open_review(db, review) as store:
        if load is not None:
            done = load_protocol(store, load, actor=actor)
            console.print(
                f"protocol set: {escape(done.title)} ({done.outcomes} outcomes, "
                f"{done.members} members named)"
            )
        with transaction(store, actor) as uow:
            settings = review_settings(uow)
    p = settings.protocol
    console.print(f"[bold]{escape(p.title)}[/]")
    if p.question:
        console.print(escape(p.question))
    for name, text in vars(p.pico).items():
        if text:
            console.print(f"  {name}: {escape(text)}")
    for label, criteria in (("include", p.inclusion_criteria), ("exclude", p.exclusion_criteria)):
        for criterion in criteria:
            console.print(f"  {label}: {escape(criterion)}")
    for outcome in p.outcomes:
        console.print(f"  outcome: {escape(outcome.name)} ({outcome.role}, {outcome.importance})")
    required = ", ".join(f"{s.value} {n}" for s, n in settings.reviewers_required.items())
    console.print(f"  reviewers required: {required}")


def register(app: typer.Typer) -> None:
    app.command()(protocol)
