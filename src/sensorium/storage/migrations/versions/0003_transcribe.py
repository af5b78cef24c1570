"""Transcribe: transcription jobs and custom vocabularies.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = ("transcribe",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcription_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("language_code", sa.String(16), nullable=True),
        sa.Column("identified_language_score", sa.Float, nullable=True),
        sa.Column("media_format", sa.String(8), nullable=True),
        sa.Column("sample_rate", sa.Integer, nullable=True),
        sa.Column("output_bucket", sa.String(255), nullable=False),
        sa.Column("output_key", sa.String(1100), nullable=False),
        sa.Column("customer_bucket", sa.Boolean, nullable=False),
        sa.Column("transcript_uri", sa.String(2000), nullable=True),
        sa.Column("failure_reason", sa.Text, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("account_id", "region", "name"),
    )
    op.create_table(
        "transcribe_vocabularies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("language_code", sa.String(16), nullable=False),
        sa.Column("phrases", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("failure_reason", sa.Text, nullable=True),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "region", "name"),
    )


def downgrade() -> None:
    op.drop_table("transcribe_vocabularies")
    op.drop_table("transcription_jobs")
