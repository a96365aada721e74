"""packages: merges taken back, reviewers' opinions, conflicts for the lead (DESIGN.md §11)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 11:45:00

``package_merge`` records each package head merged into the case (so merging it again changes
nothing); ``review_opinion`` keeps each reviewer's own decisions on the messages a package
covered (for agreement), whatever the case's tags became; ``merge_conflict`` keeps a package's
decision that disagrees with the case's until the lead resolves it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "package_merge",
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("package_head", sa.String(length=64), nullable=False),
        sa.Column("merged_utc", sa.String(length=32), nullable=False),
        sa.Column("merged_by", sa.Text(), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("package_id", "package_head", name=op.f("pk_package_merge")),
    )
    op.create_table(
        "review_opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("at_utc", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_review_opinion_message_id_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_opinion")),
        sa.UniqueConstraint(
            "message_id", "reviewer", "category", "source", name="uq_review_opinion_item"
        ),
    )
    op.create_table(
        "merge_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("case_value", sa.Text(), nullable=False),
        sa.Column("case_by", sa.Text(), nullable=True),
        sa.Column("package_value", sa.Text(), nullable=False),
        sa.Column("package_by", sa.Text(), nullable=True),
        sa.Column("package_utc", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_by", sa.Text(), nullable=True),
        sa.Column("resolved_utc", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_merge_conflict_message_id_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_conflict")),
        sa.UniqueConstraint(
            "package_id",
            "message_id",
            "kind",
            "item",
            "package_value",
            name="uq_merge_conflict_item",
        ),
    )


def downgrade() -> None:
    op.drop_table("merge_conflict")
    op.drop_table("review_opinion")
    op.drop_table("package_merge")
