"""``evidens rob add|status|agree|outputs --db``: risk of bias assessed inside a review store.

Each assessor adds their assessment file, ``evidens rob compare STUDY --db`` shows where two
differ, ``evidens rob agree`` records the consensus with the resolution of each difference.
Thin: the work is :mod:`evidens.services.assessment.risk_of_bias_edit`; commands join ``rob_app``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from evidens.cli.review_cmd import DbOption, ReviewOption
from evidens.cli.rob_cmd import console, judgment_label, rob_app
from evidens.core.files import TEXT_LIMIT, read_text_bounded
from evidens.errors import InputError, ReviewStateError, ValidationError
from evidens.rob import Answer, Judgment, Override
from evidens.rob.dual import Resolution
from evidens.services.assessment.risk_of_bias_edit import (
    add_assessment,
    record_consensus,
    rob_status,
)
from evidens.services.reporting.review_outputs import write_rob_outputs
from evidens.services.store import open_review

Actor = Annotated[str, typer.Option("--as", help="Who is acting (for the audit log).")]
Study = Annotated[str, typer.Argument(help='The study\'s label, e.g. "Sharma 2021".')]
Outcome = Annotated[
    str | None, typer.Option(help="The outcome assessed (needed when there are several).")
]


@rob_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="One assessor's assessment (TOML).")],
    actor: Actor,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Store an assessor's assessment of a study in the review (replacing their earlier one
    of the same result; the audit log keeps it)."""
    text = read_text_bounded(file, TEXT_LIMIT, what="assessment file")
    with open_review(db, review) as store:
        result = add_assessment(store, text, path=str(file), actor=actor)
    a = result.assessment
    console.print(
        f"{escape(a.study)} - {escape(a.outcome)}: {escape(a.assessor)}'s assessment stored "
        f"(overall {judgment_label(result.final_overall)})"
    )


@rob_app.command("status")
def status(db: DbOption = None, review: ReviewOption = None) -> None:
    """Each assessed study and outcome: its assessors, whether they agree, the consensus and
    the overall judgment the outputs use."""
    with open_review(db, review) as store:
        listing = rob_status(store)
    if not listing:
        console.print("no risk-of-bias assessments yet: `evidens rob add FILE.toml --db ...`")
        return
    table = Table("study", "outcome", "assessors", "agree", "consensus", "overall")
    for row in listing:
        agree = {None: "-", True: "yes", False: "no"}[row.agreed]
        table.add_row(
            escape(row.study),
            escape(row.outcome),
            escape(", ".join(row.assessors) or "-"),
            agree,
            "yes" if row.consensus else "no",
            "undecided" if row.final_overall is None else row.final_overall.label,
        )
    console.print(table)


def _resolution(text: str) -> Resolution:
    """``D1/1.3=NI: reason`` as a Resolution."""
    where, sep, rest = text.partition("=")
    domain, slash, question = where.strip().partition("/")
    code, colon, reason = rest.partition(":")
    if not (sep and slash and colon and domain and question.strip() and reason.strip()):
        raise InputError(
            f"cannot read the resolution {text!r}",
            field="--resolve",
            hint='write "DOMAIN/QUESTION=ANSWER: reason", e.g. "D1/1.3=NI: no baseline table"',
        )
    try:
        answer = Answer.parse(code, field="--resolve")
    except ValidationError as exc:
        raise InputError(exc.message, field="--resolve", hint=exc.hint) from None
    return Resolution(domain.strip(), question.strip(), answer, reason.strip())


def _override(text: str) -> tuple[str, Override]:
    """``D2-assignment=high: reason`` (or ``overall=...``) as an agreed override."""
    key, sep, rest = text.partition("=")
    level, colon, reason = rest.partition(":")
    if not (sep and colon and key.strip() and reason.strip()):
        raise InputError(
            f"cannot read the override {text!r}",
            field="--override",
            hint='write "DOMAIN=JUDGMENT: reason", e.g. "overall=high: why"',
        )
    try:
        judgment = Judgment.parse(level, field="--override")
    except ValidationError as exc:
        raise InputError(exc.message, field="--override", hint=exc.hint) from None
    return key.strip(), Override(judgment, reason.strip())


# what a person types to settle what the consensus refused
_OPTION_OF = {
    "answers": ("--resolve", 'add --resolve "DOMAIN/QUESTION=ANSWER: reason" for each'),
    "overrides": ("--override", 'give the agreed ones: --override "DOMAIN=JUDGMENT: reason"'),
}


@rob_app.command("agree")
def agree(
    study: Study,
    actor: Actor,
    outcome: Outcome = None,
    resolve: Annotated[
        list[str] | None,
        typer.Option(help='A settled difference: "D1/1.3=NI: reason" (repeat for each).'),
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option(help='An agreed override: "overall=high: reason" (repeatable).'),
    ] = None,
    decided_by: Annotated[
        str | None, typer.Option(help="Who settled the differences (default: --as).")
    ] = None,
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Record the consensus of a study's two assessors: the answers they share stand, each
    difference needs --resolve, and the judgments follow from the agreed answers."""
    resolutions = [_resolution(text) for text in resolve or ()]
    overrides = dict(_override(text) for text in override) if override else None
    with open_review(db, review) as store:
        try:
            record = record_consensus(
                store,
                study,
                outcome,
                resolutions,
                decided_by=decided_by or actor,
                actor=actor,
                overrides=overrides,
            )
        except ValidationError as exc:
            option = _OPTION_OF.get(exc.field or "")
            if option is None:
                raise
            raise ValidationError(exc.message, field=option[0], hint=option[1]) from None
    settled = len(record.resolutions)
    console.print(
        f"{escape(record.assessment.study)} - {escape(record.assessment.outcome)}: consensus of "
        f"{escape(record.report.first_assessor)} and {escape(record.report.second_assessor)} "
        f"recorded ({settled} difference{'' if settled == 1 else 's'} settled; overall "
        f"{judgment_label(record.result.final_overall)})"
    )


@rob_app.command("outputs")
def outputs(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")],
    db: DbOption = None,
    review: ReviewOption = None,
) -> None:
    """Write rob.json and the traffic-light and summary figures from the store."""
    with open_review(db, review) as store:
        try:
            out.mkdir(parents=True, exist_ok=True)
            written = write_rob_outputs(store, out)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", path=out) from None
    if not written:
        raise ReviewStateError(
            "no risk-of-bias assessments in this review", hint="add them with `evidens rob add`"
        )
    console.print(f"wrote {', '.join(escape(p.name) for p in written)} to {escape(str(out))}")
