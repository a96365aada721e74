"""audit chain version 2: per-field salts, entry version

Existing entries stay version 1 (``v`` = 1, no salts) and verify as before; every entry
written from now on is version 2, its salts in ``audit_salt`` (append-only like the chain).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ADD COLUMN changes no row, so audit_entry's append-only triggers stay as they are.
    op.add_column("audit_entry", sa.Column("v", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "audit_salt",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["audit_entry.seq"], name=op.f("fk_audit_salt_seq_audit_entry")
        ),
        sa.PrimaryKeyConstraint("seq", "name", name=op.f("pk_audit_salt")),
    )
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_salt_no_{verb.lower()} BEFORE {verb} ON audit_salt "
            "BEGIN SELECT RAISE(ABORT, 'audit_salt rows are append-only'); END"
        )


def downgrade() -> None:
    op.drop_table("audit_salt")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("v")
