"""emoji search: the full-text index holds emoji and symbols as words

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 11:00:00

``message_fts`` becomes contentless and is rebuilt over each message's index text
(:mod:`reviewer.store.fts`), so cases imported before find 🐒 in an ordinary search too.
"""

from collections.abc import Sequence

from alembic import op

from reviewer.store import fts

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_TABLE = (
    "CREATE VIRTUAL TABLE message_fts USING fts5(text, content='message', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', columnsize=0)"
)


def upgrade() -> None:
    # The case connection has the index-text function (reviewer.store.engine).
    op.execute("DROP TABLE message_fts")
    op.execute(fts.CREATE_TABLE)
    op.execute(f"INSERT INTO message_fts(rowid, text) SELECT id, {fts.INDEX_TEXT_SQL} FROM message")


def downgrade() -> None:
    op.execute("DROP TABLE message_fts")
    op.execute(_OLD_TABLE)
    op.execute("INSERT INTO message_fts(message_fts) VALUES ('rebuild')")
