"""media analysis: runs, per-file results of each engine, near-duplicate groups

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 12:05:00

Derived data about evidence files (DESIGN.md §10), keyed by SHA-256: each engine's result
(hashes, duration and key frames; later OCR text with boxes and confidence, sexual-content
scores) with engine, model and version, committed per file so a run resumes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analysis_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_utc", sa.String(length=32), nullable=False),
        sa.Column("finished_utc", sa.String(length=32), nullable=True),
        sa.Column("reviewer", sa.Text(), nullable=False),
        sa.Column("engines", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("analysed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_run")),
    )
    op.create_table(
        "media_analysis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("created_utc", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("duration", sa.Double(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["analysis_run.id"], name=op.f("fk_media_analysis_run_id_analysis_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_analysis")),
        sa.UniqueConstraint(
            "sha256", "kind", "engine", "version", name=op.f("uq_media_analysis_sha256")
        ),
    )
    op.create_index(op.f("ix_media_analysis_kind"), "media_analysis", ["kind"])
    op.create_table(
        "media_group",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("group_no", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["analysis_run.id"], name=op.f("fk_media_group_run_id_analysis_run")
        ),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_media_group")),
    )
    op.create_index(op.f("ix_media_group_group_no"), "media_group", ["group_no"])


def downgrade() -> None:
    op.drop_index(op.f("ix_media_group_group_no"), table_name="media_group")
    op.drop_table("media_group")
    op.drop_index(op.f("ix_media_analysis_kind"), table_name="media_analysis")
    op.drop_table("media_analysis")
    op.drop_table("analysis_run")
