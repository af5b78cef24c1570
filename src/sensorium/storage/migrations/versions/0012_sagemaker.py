"""SageMaker: training jobs, models, endpoint configs and endpoints.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sagemaker_resources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("arn", sa.String(256), nullable=False, unique=True),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("failure_reason", sa.Text, nullable=True),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "region", "kind", "name"),
    )


def downgrade() -> None:
    op.drop_table("sagemaker_resources")
