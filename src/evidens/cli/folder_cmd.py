"""`evidens folder DIR --db STORE`: a review kept in a store, written out as a review folder
that `evidens check` validates and `evidens run` rebuilds
(services/folders/review_folder.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from evidens.cli.review_cmd import DbOption, ReviewOption, console
from evidens.services.folders.review_folder import review_folder, write_folder
from evidens.services.store import open_review, transaction


def folder(
    target: Annotated[Path, typer.Argument(help="A new or empty folder to write.")],
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Write the review as a folder: review.toml (with its analyses), searches and their
    original exports, de-duplication verdicts, screening and retrieval logs, studies,
    extraction, risk of bias and GRADE judgments. Nothing is written unless all of it is;
    `evidens run` on the folder writes the same outputs as `evidens outputs` on the store."""
    with open_review(db, review) as store, transaction(store, "evidens folder") as uow:
        files = review_folder(uow)
    written = write_folder(files, target)
    console.print(f"wrote {len(written)} files to {escape(str(target))}")


def register(app: typer.Typer) -> None:
    app.command()(folder)
