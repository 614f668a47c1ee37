"""`evidens screen` (one record at a time in the terminal, decisions from a CSV, labels)
and `evidens conflicts` (list and resolve)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from evidens.cli.review_cmd import DbOption, ReviewOption, console
from evidens.core import Decision, Resolution, ScreeningDecision, Stage
from evidens.errors import EvidensError
from evidens.services.review.permissions import may_resolve
from evidens.services.review.records import record_id_of
from evidens.services.screening import decisions as screening_service
from evidens.services.screening import labels as label_service
from evidens.services.screening import prioritise
from evidens.services.screening.session import (
    decision_log,
    record_card,
    undo_last,
)
from evidens.services.store import ReviewStore, open_review

screen_app = typer.Typer(
    help="Screen records: one at a time in the terminal (no subcommand) or from a CSV log.",
    invoke_without_command=True,
    no_args_is_help=False,
)

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
KEYS = {"i": Decision.INCLUDE, "e": Decision.EXCLUDE, "m": Decision.MAYBE}
HELP = "[i] include  [e] exclude  [m] maybe  [n] note  [u] undo  [s] skip  [q] quit  [?] help"


@screen_app.callback()
def screen(
    ctx: typer.Context,
    reviewer: Annotated[str | None, typer.Option("--reviewer", "--as", help="Your name.")] = None,
    stage: Annotated[Stage, typer.Option(help="title_abstract or full_text.")] = (
        Stage.TITLE_ABSTRACT
    ),
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Screen the records you have not decided yet, one at a time."""
    if ctx.invoked_subcommand is not None:
        return
    if not reviewer:
        raise typer.BadParameter("say who you are with --reviewer NAME", param_hint="--reviewer")
    store = open_review(db, review)
    try:
        _screen_loop(store, reviewer, stage)
    except typer.Abort:  # Ctrl-D (end of input) or Ctrl-C at a prompt
        err_console.print("stopped at end of input: the decisions you made are saved")
        raise typer.Exit(1) from None
    finally:
        store.dispose()


def _screen_loop(store: ReviewStore, reviewer: str, stage: Stage) -> None:
    history: list[int] = []
    skipped: set[int] = set()
    while True:
        queue = [r for r in screening_service.queue_for(store, reviewer, stage) if r not in skipped]
        if not queue:
            console.print("nothing left to screen at this stage - thank you")
            return
        card = record_card(store, queue[0], viewer=reviewer, stage=stage)
        console.print(
            Panel(
                card.rich_text(),
                title=f"record {card.record_id}  ({len(queue)} left)",
                subtitle=HELP,
            )
        )
        note: str | None = None
        while True:
            key = typer.prompt("decision", default="", show_default=False).strip().lower()[:1]
            if key in KEYS:
                reason = None
                if stage is Stage.FULL_TEXT and KEYS[key] is Decision.EXCLUDE:
                    reason = typer.prompt("reason").strip()
                made = ScreeningDecision(card.record_id, stage, reviewer, KEYS[key], reason, note)
                if _refused(partial(screening_service.record_decision, store, made)) is not False:
                    history.append(card.record_id)
                break
            if key == "n":
                note = typer.prompt("note").strip() or None
            elif key == "u":
                undone = _refused(partial(undo_last, store, reviewer, stage, history))
                if undone is not False:
                    console.print(
                        f"undid your decision on record {undone}" if undone else "nothing to undo"
                    )
                break
            elif key == "s":
                skipped.add(card.record_id)
                break
            elif key == "q":
                return
            else:
                console.print(HELP)


def _refused(step: Callable[[], int | None]) -> int | bool | None:
    """Run ``step`` and return what it returns, or ``False`` after printing a refusal (e.g.
    a locked record) as one line, so screening goes on."""
    try:
        return step()
    except EvidensError as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        return False


@screen_app.command("import")
def import_decisions(
    log: Annotated[Path, typer.Argument(help="CSV: record,reviewer,decision[,reason,note].")],
    stage: Annotated[Stage, typer.Option(help="title_abstract or full_text.")] = (
        Stage.TITLE_ABSTRACT
    ),
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Record a decision log; the whole file is one transaction (all or nothing)."""
    store = open_review(db, review)
    try:
        n = decision_log(store, log, stage)
    finally:
        store.dispose()
    console.print(f"recorded {n} decisions from {log}")


@screen_app.command("label")
def label_cmd(
    record: Annotated[str, typer.Argument(help="The record: its id or a key (pmid:..., doi:...).")],
    label: Annotated[
        str | None, typer.Argument(help="The label; leave it out to list the record's labels.")
    ] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Take your label off.")] = False,
    stage: Annotated[Stage, typer.Option(help="title_abstract or full_text.")] = (
        Stage.TITLE_ABSTRACT
    ),
    member: Annotated[str | None, typer.Option("--as", help="Who labels (a screener).")] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Put a label on a record (--remove takes it off), or list the labels you may see on
    it: yours, and the team's once the record is final."""
    if not member:
        raise typer.BadParameter("say who you are with --as NAME", param_hint="--as")
    store = open_review(db, review)
    try:
        record_id = record_id_of(store, record)
        if label is None:
            for x in label_service.visible_labels(store, member, record_id):
                console.print(f"{x.stage.value}: {escape(x.label)} ({escape(x.member)})")
            return
        label_service.may_label(store, member)
        changed = label_service.label_record(store, record_id, stage, member, label, drop=remove)
    finally:
        store.dispose()
    shown, where = escape(label_service.clean_label(label)), escape(record)
    if changed:
        done = "removed from" if remove else "put on"
        console.print(f"label {shown!r} {done} record {where} ({stage.value}, {escape(member)})")
    else:
        had = "has no" if remove else "already has the"
        console.print(f"record {where} {had} label {shown!r} of {escape(member)} ({stage.value})")


def conflicts(
    stage: Annotated[Stage, typer.Option(help="title_abstract or full_text.")] = (
        Stage.TITLE_ABSTRACT
    ),
    resolve: Annotated[
        str | None, typer.Option(help="Record to resolve: its id or a key (pmid:..., doi:...).")
    ] = None,
    decision: Annotated[Decision | None, typer.Option(help="The final decision.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Reason (required to exclude at full text).")
    ] = None,
    resolver: Annotated[str | None, typer.Option("--as", help="Who resolves.")] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with the resolution.")] = None,
    reopen: Annotated[
        str | None,
        typer.Option(help="Record (id or key) to send back to its reviewers (needs --reason)."),
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """List records on which reviewers disagree, resolve one (--resolve ID --decision D
    --as NAME), or reopen a complete one (--reopen ID --reason WHY --as NAME)."""
    store = open_review(db, review)
    try:
        if reopen is not None:
            if not resolver or not reason:
                raise typer.BadParameter("--reopen needs --reason and --as")
            may_resolve(store, resolver)
            withdrawn = screening_service.reopen_record(
                store, record_id_of(store, reopen), stage, reason=reason, resolver=resolver
            )
            console.print(f"record {escape(reopen)}: reopened, {withdrawn} decisions withdrawn")
            return
        if resolve is not None:
            if decision is None or not resolver:
                raise typer.BadParameter("--resolve needs --decision and --as")
            may_resolve(store, resolver)
            screening_service.record_resolution(
                store,
                Resolution(record_id_of(store, resolve), stage, resolver, decision, reason, note),
            )
            console.print(
                f"record {escape(resolve)}: {decision.value} (resolved by {escape(resolver)})"
            )
            return
        items = screening_service.conflicts(store, stage)
    finally:
        store.dispose()
    if not items:
        console.print(f"no conflicts at {stage.value}")
    for item in items:
        votes = ", ".join(f"{escape(d.reviewer)}: {d.decision.value}" for d in item.decisions)
        console.print(f"[bold]{item.record_id}[/] {escape(item.title or '(no title)')} - {votes}")


@screen_app.command("rank")
def rank_cmd(
    stage: Annotated[Stage, typer.Option(help="title_abstract or full_text.")] = (
        Stage.TITLE_ABSTRACT
    ),
    limit: Annotated[int, typer.Option(help="How many to show.")] = 20,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Undecided records, most likely relevant first (trained on final decisions), and why."""
    store = open_review(db, review)
    try:
        ranked = prioritise.rank(store, stage, limit=limit)
    finally:
        store.dispose()
    for i, item in enumerate(ranked, start=1):
        console.print(
            f"{i:>3}. [bold]{item.record_id}[/] {escape(item.title[:90])}  "
            f"(score {item.score:.2f}; {escape(', '.join(item.why))})"
        )


@screen_app.command("stop-report")
def stop_report_cmd(
    stage: Annotated[Stage, typer.Option(help="title_abstract or full_text.")] = (
        Stage.TITLE_ABSTRACT
    ),
    target: Annotated[float, typer.Option(help="Recall target of every rule.")] = 0.95,
    confidence: Annotated[
        float,
        typer.Option(
            help="Confidence of the default rule (the hypergeometric test) and of the "
            "others that state one; see docs/stopping.md before lowering it."
        ),
    ] = 0.95,
    accept: Annotated[
        bool, typer.Option("--accept", help="Accept the statistical stop: exclude the rest.")
    ] = False,
    actor: Annotated[str | None, typer.Option("--as", help="Who accepts the stop.")] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Whether screening may stop by the default rule, with the text for the methods
    section and the other rules for comparison; --accept excludes the unscreened records by
    automation, naming the default rule."""
    store = open_review(db, review)
    try:
        reports = prioritise.stop_reports(store, stage, target_recall=target, confidence=confidence)
        decisive, others = reports[0], reports[1:]
        colour = "green" if decisive.stop else "yellow"
        console.print(
            f"[bold]Verdict[/] ({escape(decisive.rule)}): [{colour}]{decisive.verdict}[/]"
        )
        console.print(escape(decisive.methods_text()))
        if others:
            console.print("Other rules, for comparison only (they do not decide):")
        for report in others:
            met = "criterion met" if report.stop else "criterion not met"
            console.print(f"  {escape(report.rule)}: {met}. {escape(report.detail)}")
        if accept:
            if not actor:
                raise typer.BadParameter("--accept needs --as NAME", param_hint="--as")
            n = prioritise.accept_stop(store, reports[0], actor=actor, stage=stage)
            console.print(f"{n} unscreened records excluded by automation ({escape(actor)})")
    finally:
        store.dispose()


def agreement(
    stage: Annotated[Stage, typer.Option(help="title_abstract or full_text.")] = (
        Stage.TITLE_ABSTRACT
    ),
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Agreement between each pair of reviewers: Cohen's kappa, PABAK, Gwet's AC1, 95% CIs."""
    store = open_review(db, review)
    try:
        pairs = prioritise.agreement(store, stage)
    finally:
        store.dispose()
    if not pairs:
        console.print("no pair of reviewers has decided the same records yet")
    for pair in pairs:
        console.print(
            f"[bold]{escape(pair.reviewer_a)} / {escape(pair.reviewer_b)}[/] "
            f"({pair.n} records, observed agreement {pair.observed:.3f})"
        )
        for c in (pair.kappa, pair.pabak, pair.ac1):
            console.print(f"  {c.name}: {c.value:.3f} (95% CI {c.ci_low:.3f} to {c.ci_high:.3f})")


def register(app: typer.Typer) -> None:
    from evidens.cli.screening_cmd import register_screen_commands

    register_screen_commands(screen_app)  # simulate, agreement (standalone, on CSV files)
    app.add_typer(screen_app, name="screen")
    app.command()(agreement)
    app.command()(conflicts)
