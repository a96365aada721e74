"""reconciliation: conversation and person links, reconciled messages, copies and absences

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 11:40:00

Derived tables above the untouched messages (DESIGN.md §9); each reconcile run rewrites the
reconciled_* rows, while link decisions (confirmed, undone) persist.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_a", sa.Integer(), nullable=False),
        sa.Column("conversation_b", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_utc", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_a"],
            ["conversation.id"],
            name=op.f("fk_conversation_link_conversation_a_conversation"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_b"],
            ["conversation.id"],
            name=op.f("fk_conversation_link_conversation_b_conversation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_link")),
        sa.UniqueConstraint(
            "conversation_a",
            "conversation_b",
            name=op.f("uq_conversation_link_conversation_a"),
        ),
    )
    op.create_table(
        "reconciled_chat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("conversations", sa.Text(), nullable=False),
        sa.Column("offsets", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciled_chat")),
    )
    op.create_table(
        "reconciled_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("utc", sa.String(length=32), nullable=True),
        sa.Column("first_message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["reconciled_chat.id"],
            name=op.f("fk_reconciled_message_chat_id_reconciled_chat"),
        ),
        sa.ForeignKeyConstraint(
            ["first_message_id"],
            ["message.id"],
            name=op.f("fk_reconciled_message_first_message_id_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciled_message")),
        sa.UniqueConstraint("chat_id", "position", name=op.f("uq_reconciled_message_chat_id")),
    )
    op.create_table(
        "reconciled_copy",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("reconciled_id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["exhibit_id"], ["exhibit.id"], name=op.f("fk_reconciled_copy_exhibit_id_exhibit")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_reconciled_copy_message_id_message")
        ),
        sa.ForeignKeyConstraint(
            ["reconciled_id"],
            ["reconciled_message.id"],
            name=op.f("fk_reconciled_copy_reconciled_id_reconciled_message"),
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_reconciled_copy")),
    )
    with op.batch_alter_table("reconciled_copy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciled_copy_reconciled_id"), ["reconciled_id"], unique=False
        )
    op.create_table(
        "reconciled_absence",
        sa.Column("reconciled_id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["exhibit_id"], ["exhibit.id"], name=op.f("fk_reconciled_absence_exhibit_id_exhibit")
        ),
        sa.ForeignKeyConstraint(
            ["reconciled_id"],
            ["reconciled_message.id"],
            name=op.f("fk_reconciled_absence_reconciled_id_reconciled_message"),
        ),
        sa.PrimaryKeyConstraint("reconciled_id", "exhibit_id", name=op.f("pk_reconciled_absence")),
    )
    op.create_table(
        "person_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_a", sa.Integer(), nullable=False),
        sa.Column("participant_b", sa.Integer(), nullable=False),
        sa.Column("aligned", sa.Integer(), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_utc", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_a"],
            ["participant.id"],
            name=op.f("fk_person_link_participant_a_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_b"],
            ["participant.id"],
            name=op.f("fk_person_link_participant_b_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_link")),
        sa.UniqueConstraint(
            "participant_a", "participant_b", name=op.f("uq_person_link_participant_a")
        ),
    )


def downgrade() -> None:
    op.drop_table("person_link")
    op.drop_table("reconciled_absence")
    with op.batch_alter_table("reconciled_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciled_copy_reconciled_id"))
    op.drop_table("reconciled_copy")
    op.drop_table("reconciled_message")
    op.drop_table("reconciled_chat")
    op.drop_table("conversation_link")
