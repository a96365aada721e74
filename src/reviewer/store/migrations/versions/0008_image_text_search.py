"""image text search: OCR text in a full-text index; where a suggestion was found

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:40:00

``image_fts`` indexes the OCR text of each ``media_analysis`` row (:mod:`reviewer.store.image_fts`),
filled from the results already stored, so an ordinary search finds words in images.
``suggestion.source`` says what a suggestion was found in: ``text`` (the message), ``image``
(the OCR text of an attached image) or ``model`` (a sexual-content score over the threshold).
``attachment.sha256`` gets an index (messages of a file).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.core.symbol_tokens import index_text
from reviewer.store import image_fts

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    op.add_column(
        "suggestion",
        sa.Column("source", sa.String(length=16), nullable=False, server_default="text"),
    )
    op.create_index(op.f("ix_attachment_sha256"), "attachment", ["sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_attachment_sha256"), table_name="attachment")
    with op.batch_alter_table("suggestion") as batch:
        batch.drop_column("source")
    op.execute("DROP TABLE image_fts")
