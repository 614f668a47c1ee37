"""Alembic environment: the engine comes from evidens.store.migrate, never from an ini file."""

from __future__ import annotations

from alembic import context

import evidens.store.account_models
import evidens.store.link_models
import evidens.store.synthesis_models  # noqa: F401 - registers the synthesis tables
from evidens.store.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
