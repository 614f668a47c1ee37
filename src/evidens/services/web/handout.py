"""Hand-outs: which record the web queue last gave each reviewer, and until when.

A team walking one ranked list asks for its next record within the same second; by the
decisions alone, a record that needs one more decision is "needed" by everyone until the
first of them submits, so a third reviewer reads a record two others are already reading.
The queue therefore hands each reviewer a record no teammate holds, when there is one, and
holds it for them for ``HOLD_SECONDS`` (a reviewer who walks away frees it then). When every
needed record is held, the queue still hands one out: no one is told "nothing left" while
records wait. Hand-outs carry no decision, so blinding is untouched.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import DateTime, Select, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from evidens.core import Stage
from evidens.services.store import UnitOfWork
from evidens.store.models import RecordRow, ScreeningHandoutRow, utcnow

HOLD_SECONDS = 300.0  # long enough to read an abstract, short enough for an abandoned tab


@functools.lru_cache(maxsize=1024)
def unheld(needed: Select[Any], reviewer: str, stage: Stage) -> Select[Any]:
    """``needed`` without records a teammate holds (the hold's end is the bound parameter
    ``held_after``: pass the time now). Built once per statement, reviewer and stage."""
    held = (
        select(ScreeningHandoutRow.id)
        .where(
            ScreeningHandoutRow.record_id == RecordRow.id,
            ScreeningHandoutRow.stage == stage.value,
            ScreeningHandoutRow.reviewer != reviewer,
            ScreeningHandoutRow.until > bindparam("held_after", type_=DateTime(timezone=True)),
        )
        .exists()
    )
    return needed.where(~held)


def hold(uow: UnitOfWork, reviewer: str, stage: Stage, record_id: int) -> None:
    """Hold ``record_id`` for ``reviewer`` (replacing what they held): one upsert."""
    values = {
        "review_id": uow.review_id,
        "stage": stage.value,
        "reviewer": reviewer,
        "record_id": record_id,
        "until": utcnow() + dt.timedelta(seconds=HOLD_SECONDS),
    }
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ScreeningHandoutRow).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["review_id", "stage", "reviewer"],
        set_={"record_id": record_id, "until": values["until"]},
    )
    uow.session.execute(statement)
