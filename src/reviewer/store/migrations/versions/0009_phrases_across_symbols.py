"""phrases across symbols: each text with symbols is indexed as written and spelt

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 14:15:00

``message_fts`` and ``image_fts`` are rebuilt over the new index text
(:func:`reviewer.core.symbol_tokens.index_text`): a text holding emoji or symbols is indexed as
written (symbols separating its words) and again with them spelt as words, so the phrase
"costs 50" finds "costs £50" as it did before emoji search, and "costs £50" and "£" find it too.
Both tables are contentless: a row is deleted by giving its indexed text, so every row must
have been indexed the current way.
"""

import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.core.symbol_tokens import index_text
from reviewer.store import fts, image_fts

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The case connection has the index-text function (reviewer.store.engine).
    op.execute("DROP TABLE message_fts")
    op.execute(fts.CREATE_TABLE)
    op.execute(f"INSERT INTO message_fts(rowid, text) SELECT id, {fts.INDEX_TEXT_SQL} FROM message")
    op.execute("DROP TABLE image_fts")
    op.execute(image_fts.CREATE_TABLE)
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, text FROM media_analysis WHERE kind = 'ocr' AND status = 'ok' "
            "AND text IS NOT NULL AND text != ''"
        )
    ).all()
    for analysis_id, words in rows:
        bind.execute(
            sa.text("INSERT INTO image_fts(rowid, text) VALUES (:id, :text)"),
            {"id": analysis_id, "text": index_text(words)},
        )


def downgrade() -> None:
    """The index words of 0004-0008 (symbols spelt in place only)."""
    from reviewer.core.symbol_tokens import spell_text

    bind = op.get_bind()
    raw = bind.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.create_function("reviewer_spell_text", 1, spell_text, deterministic=True)
    op.execute("DROP TABLE message_fts")
    op.execute(fts.CREATE_TABLE)
    op.execute(
        "INSERT INTO message_fts(rowid, text) SELECT id, CASE WHEN "
        "length(CAST(text AS BLOB)) = length(text) THEN text ELSE reviewer_spell_text(text) END "
        "FROM message"
    )
    rows = bind.execute(
        sa.text(
            "SELECT id, text FROM media_analysis WHERE kind = 'ocr' AND status = 'ok' "
            "AND text IS NOT NULL AND text != ''"
        )
    ).all()
    op.execute("DROP TABLE image_fts")
    op.execute(image_fts.CREATE_TABLE)
    for analysis_id, words in rows:
        bind.execute(
            sa.text("INSERT INTO image_fts(rowid, text) VALUES (:id, :text)"),
            {"id": analysis_id, "text": spell_text(words)},
        )
