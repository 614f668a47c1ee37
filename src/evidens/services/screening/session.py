"""What a reviewer works with while screening: a record card (text, highlights, the
decisions they may see), undo, and decision logs read from CSV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from sqlalchemy import select

from evidens.core import ScreeningDecision, Stage
from evidens.errors import ConfigError, EvidensError
from evidens.screening.highlight import Span, compile_terms, highlight_record
from evidens.services.folders.review_files import read_decision_log
from evidens.services.review.records import RecordKeys, canonical_of, find_record, load_records
from evidens.services.review.settings import review_settings
from evidens.services.screening.decisions import decide
from evidens.services.screening.state import check_withdraw, record_state
from evidens.services.store import ReviewStore, UnitOfWork, transaction
from evidens.store.models import ScreeningDecisionRow


@dataclass(frozen=True)
class RecordCard:
    record_id: int
    title: str
    abstract: str
    citation: str
    spans: tuple[Span, ...]
    visible: tuple[ScreeningDecision, ...]
    locked: bool = False  # every required decision is in: the viewer's own cannot change

    def rich_text(self) -> Text:
        """Title and abstract with include terms in green and exclude terms in red; the
        record's text is never interpreted as markup."""
        text = Text()
        for field, body, style in (("title", self.title, "bold"), ("abstract", self.abstract, "")):
            part = Text(body, style=style)
            for span in self.spans:
                if span.field == field:
                    colour = "green" if span.kind.value == "include" else "red"
                    part.stylize(f"reverse {colour}", span.start, span.end)
            text.append(part)
            text.append("\n\n")
        text.append(self.citation, style="dim")
        for d in self.visible:
            text.append(f"\n{d.reviewer}: {d.decision.value}", style="italic")
        return text


def record_card(store: ReviewStore, record_id: int, *, viewer: str, stage: Stage) -> RecordCard:
    with transaction(store, viewer) as uow:
        record = load_records(uow.session, [record_id])[record_id]
        terms = review_settings(uow).highlight
        state = record_state(uow, record_id, stage)
    highlights = compile_terms(terms.get("include", ()), terms.get("exclude", ()))
    title, abstract = record.title or "(no title)", record.abstract or "(no abstract)"
    citation = ", ".join(
        str(x) for x in (record.first_author, record.journal, record.year, record.doi) if x
    )
    return RecordCard(
        record_id=record_id,
        title=title,
        abstract=abstract,
        citation=citation,
        spans=highlight_record(title, abstract, highlights),
        visible=state.visible_to(viewer),
        locked=state.complete,
    )


def undo_last(store: ReviewStore, reviewer: str, stage: Stage, history: list[int]) -> int | None:
    """Withdraw the reviewer's latest decision of this session (kept in the audit log);
    refused once the record has every decision it needs (it is locked)."""
    if not history:
        return None
    record_id = history[-1]
    with transaction(store, reviewer) as uow:
        check_withdraw(record_state(uow, record_id, stage))
        history.pop()
        row = uow.session.scalar(
            select(ScreeningDecisionRow).where(
                ScreeningDecisionRow.record_id == record_id,
                ScreeningDecisionRow.stage == stage.value,
                ScreeningDecisionRow.reviewer == reviewer,
            )
        )
        if row is None:
            return None
        uow.audit(
            "undo",
            "screening_decision",
            row.id,
            before={"record_id": record_id, "decision": row.decision, "reason": row.reason},
        )
        uow.session.delete(row)
    return record_id


def decision_log(store: ReviewStore, path: Path, stage: Stage) -> int:
    """Record every line of a CSV decision log in one transaction; an error names the line."""
    lines = read_decision_log(path, "reviewer")
    if not lines:
        raise ConfigError("no decisions in this file", path=path)
    with transaction(store, "decision log") as uow:
        keys = RecordKeys(uow.session, uow.review_id)
        for line in lines:
            try:
                decide(
                    uow,
                    ScreeningDecision(
                        _record_of(uow, keys, line.record),
                        stage,
                        line.person,
                        line.decision,
                        line.reason,
                        line.note,
                    ),
                )
            except EvidensError as exc:
                raise ConfigError(str(exc), path=path, line=line.line, field="record") from exc
    return len(lines)


def _record_of(uow: UnitOfWork, keys: RecordKeys, key: str) -> int:
    """The canonical record a log line names: by a folder key, or - inside a store, where
    the ids are the ones `evidens` prints - by ``id:N``."""
    if key.strip().lower().startswith("id:"):
        return canonical_of(uow.session, find_record(uow.session, uow.review_id, key))
    return keys.resolve(key)
