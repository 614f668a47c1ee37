"""`evidens round` - a living review's updates: start the next round, list them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.markup import escape

from evidens.cli.review_cmd import DbOption, ReviewOption, console
from evidens.errors import ValidationError
from evidens.services.review import rounds
from evidens.services.store import open_review

round_app = typer.Typer(help="A living review's updates (rounds): start one, list them.")


@round_app.command("start")
def start(
    label: Annotated[str, typer.Argument(help="e.g. 'Update 2026: searches to 2026-11'")],
    actor: Annotated[str, typer.Option("--as", help="Who starts it (for the audit log).")],
    searched_from: Annotated[
        str | None, typer.Option(help="The new searches' cut-off date, YYYY-MM-DD.")
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Start the next round: imports from now on are its records, and only records new to
    it are screened; its PRISMA diagram is the updated-review one."""
    cutoff = None
    if searched_from is not None:
        try:
            cutoff = dt.date.fromisoformat(searched_from)
        except ValueError:
            raise ValidationError(
                f"{searched_from!r} is not a date", field="--searched-from", hint="YYYY-MM-DD"
            ) from None
    with open_review(db, review) as store:
        number = rounds.start_round(store, label, actor=actor, searched_from=cutoff)
    console.print(f"round {number} started: {escape(label)}")


@round_app.command("list")
def list_rounds(db: DbOption = None, review: ReviewOption = None) -> None:
    """The review's rounds, the first version included."""
    with open_review(db, review) as store:
        found = rounds.rounds(store)
    for item in found:
        since = f", searched from {item.searched_from}" if item.searched_from else ""
        console.print(f"{item.number}. {escape(item.label)}{since}")


def register(app: typer.Typer) -> None:
    app.add_typer(round_app, name="round")
