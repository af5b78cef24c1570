"""Comprehend asynchronous analysis jobs: entities, key phrases, sentiment, dominant
language and PII over S3.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comprehend_analysis_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False, unique=True),
        sa.Column("job_type", sa.String(32), nullable=False, index=True),
        sa.Column("name", sa.String(256), nullable=True, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("client_token", sa.String(64), nullable=True, index=True),
        sa.Column("output_uri", sa.String(1100), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("comprehend_analysis_jobs")
