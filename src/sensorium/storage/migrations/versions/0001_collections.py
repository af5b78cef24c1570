"""Rekognition collections and resource tags.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("collection_id", sa.String(255), nullable=False),
        sa.Column("arn", sa.String(512), nullable=False, unique=True),
        sa.Column("face_model_version", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "region", "collection_id"),
    )
    op.create_table(
        "resource_tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("resource_arn", sa.String(512), nullable=False, index=True),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.UniqueConstraint("resource_arn", "key"),
    )


def downgrade() -> None:
    op.drop_table("resource_tags")
    op.drop_table("collections")
