"""Polly lexicons and synthesis tasks.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = ("polly",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polly_lexicons",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("alphabet", sa.String(16), nullable=False),
        sa.Column("language_code", sa.String(16), nullable=False),
        sa.Column("lexemes_count", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "region", "name"),
    )
    op.create_table(
        "polly_tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", sa.String(12), nullable=False, index=True),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text, nullable=True),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("output_uri", sa.String(1024), nullable=False),
        sa.Column("request_characters", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("polly_tasks")
    op.drop_table("polly_lexicons")
