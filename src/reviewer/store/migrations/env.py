"""Alembic environment: runs on the connection handed in by ``reviewer.store.migrate``."""

from __future__ import annotations

from alembic import context

from reviewer.store.models import Base

connection = context.config.attributes["connection"]


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # The FTS5 tables and their shadow tables are created by hand in the migrations.
    return not (name or "").startswith(("message_fts", "image_fts"))


context.configure(
    connection=connection,
    include_object=_include,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
