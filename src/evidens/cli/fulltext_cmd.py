"""`evidens fulltext` (reports sought: PDFs attached, not retrieved with a reason, full-text
decisions) and `evidens studies` (included studies and their reports), inside a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidens.cli.review_cmd import DbOption, ReviewOption, console
from evidens.core import Decision, ScreeningDecision, Stage
from evidens.services.review.records import record_id_of
from evidens.services.screening import fulltext, studies
from evidens.services.screening.decisions import record_decision
from evidens.services.store import open_review

fulltext_app = typer.Typer(help="Full texts: attach PDFs, record those not retrieved, decide.")
studies_app = typer.Typer(help="Included studies and the reports that describe them.")
Actor = Annotated[str, typer.Option("--as", help="Who is acting (for the audit log).")]
RecordId = Annotated[
    str,
    typer.Argument(
        help="The record: its id (as `evidens export` lists) or a key (pmid:..., doi:...)."
    ),
]


@fulltext_app.command("list")
def list_retrievals(db: DbOption = None, review: ReviewOption = None) -> None:
    """Every report sought for retrieval and where it stands."""
    with open_review(db, review) as store:
        rows = fulltext.retrievals(store)
    table = Table("record", "title", "retrieved", "PDF / reason")
    for row in rows:
        state = {None: "not yet", True: "yes", False: "no"}[row.retrieved]
        detail = row.file_name if row.retrieved else (row.reason or "")
        table.add_row(str(row.record_id), escape(row.title[:70]), state, escape(detail or ""))
    console.print(table)


@fulltext_app.command("attach")
def attach(
    record: RecordId,
    pdf: Annotated[Path, typer.Argument(help="The report's PDF.")],
    actor: Actor,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Attach a report's PDF (checked to be a whole PDF; kept in the store by its hash)."""
    with open_review(db, review) as store:
        digest = fulltext.attach_pdf_file(store, record_id_of(store, record), pdf, actor=actor)
    console.print(
        f"record {escape(record)}: full text attached ({escape(pdf.name)}, sha256 {digest[:12]})"
    )


@fulltext_app.command("not-retrieved")
def not_retrieved(
    record: RecordId,
    reason: Annotated[str, typer.Option(help="Why it could not be obtained.")],
    actor: Actor,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Record that a report was sought but could not be retrieved, and why."""
    with open_review(db, review) as store:
        fulltext.not_retrieved(store, record_id_of(store, record), reason=reason, actor=actor)
    console.print(f"record {escape(record)}: not retrieved ({escape(reason)})")


@fulltext_app.command("get")
def get(
    record: RecordId,
    out: Annotated[Path, typer.Option(help="Where to write the PDF.")],
    actor: Actor,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Write the PDF attached to a record to a file."""
    with open_review(db, review) as store:
        found = fulltext.full_text(store, record_id_of(store, record), actor=actor)
    out.write_bytes(found.content)
    console.print(f"wrote {escape(str(out))} ({len(found.content):,} bytes)")


@fulltext_app.command("decide")
def decide(
    record: RecordId,
    decision: Annotated[Decision, typer.Option(help="include, exclude or maybe.")],
    actor: Actor,
    reason: Annotated[
        str | None, typer.Option(help="The exclusion reason (required to exclude).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for yourself.")] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Your full-text decision on a report (blind to your teammates' until it is final)."""
    with open_review(db, review) as store:
        made = ScreeningDecision(
            record_id_of(store, record), Stage.FULL_TEXT, actor, decision, reason, note
        )
        record_decision(store, made)
    console.print(f"record {escape(record)}: {decision.value} at full text ({escape(actor)})")


@studies_app.command("list")
def list_all(db: DbOption = None, review: ReviewOption = None) -> None:
    """The included studies and their reports."""
    with open_review(db, review) as store:
        found = studies.list_studies(store)
    if not found:
        console.print("no studies yet: `evidens studies add LABEL`")
    for study in found:
        console.print(f"[bold]{escape(study.label)}[/] ({escape(study.design)})")
        for record_id, citation in study.reports:
            console.print(f"  {record_id if record_id is not None else '-'}  {escape(citation)}")


@studies_app.command("add")
def add(
    label: Annotated[str, typer.Argument(help="e.g. Sharma 2013")],
    actor: Actor,
    design: Annotated[str, typer.Option(help="The study design.")] = "RCT",
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Create a study (then link its reports)."""
    with open_review(db, review) as store:
        studies.create_study(store, label, design=design, actor=actor)
    console.print(f"study {escape(label)} created")


@studies_app.command("link")
def link(
    label: Annotated[str, typer.Argument(help="The study.")],
    record: RecordId,
    actor: Actor,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Make a record a report of a study."""
    with open_review(db, review) as store:
        studies.link_report(store, label, record_id_of(store, record), actor=actor)
    console.print(f"record {escape(record)} is a report of {escape(label)}")


@studies_app.command("unlink")
def unlink(
    record: RecordId, actor: Actor, db: DbOption = None, review: ReviewOption = None
) -> None:
    """Take a report out of its study."""
    with open_review(db, review) as store:
        left = studies.unlink_report(store, record_id_of(store, record), actor=actor)
    console.print(f"record {escape(record)} is no longer a report of {escape(left)}")


@studies_app.command("move")
def move(
    record: RecordId,
    label: Annotated[str, typer.Argument(help="The study it belongs to.")],
    actor: Actor,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Move a report to another study."""
    with open_review(db, review) as store:
        left = studies.move_report(store, record_id_of(store, record), label, actor=actor)
    console.print(f"record {escape(record)} moved from {escape(left)} to {escape(label)}")


def register(app: typer.Typer) -> None:
    app.add_typer(fulltext_app, name="fulltext")
    app.add_typer(studies_app, name="studies")
