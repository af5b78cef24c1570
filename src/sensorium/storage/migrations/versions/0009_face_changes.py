"""Rekognition: a version per collection and the log of face changes, so that every node's
search index follows the faces written on any node.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collections") as batch:
        batch.add_column(
            sa.Column("face_version", sa.BigInteger, nullable=False, server_default="0")
        )
    op.create_table(
        "face_changes",
        sa.Column(
            "collection_pk",
            sa.Integer,
            sa.ForeignKey("collections.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.BigInteger, primary_key=True),
        sa.Column("face_pk", sa.Integer, primary_key=True),
        sa.Column("operation", sa.String(8), nullable=False),
        sa.Column("user_pk", sa.Integer, nullable=True),
        sa.Column("embedding", sa.LargeBinary, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("face_changes")
    with op.batch_alter_table("collections") as batch:
        batch.drop_column("face_version")
