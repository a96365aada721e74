"""Alembic environment: runs on the connection handed in by ``reviewer.store.migrate``."""

from __future__ import annotations

from alembic import context

from reviewer.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
