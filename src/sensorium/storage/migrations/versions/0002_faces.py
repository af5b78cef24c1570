"""Rekognition faces and users.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = ("rekognition_faces",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "face_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "collection_pk",
            sa.Integer,
            sa.ForeignKey("collections.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("collection_pk", "user_id"),
    )
    op.create_table(
        "faces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "collection_pk",
            sa.Integer,
            sa.ForeignKey("collections.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("face_id", sa.String(36), nullable=False, unique=True),
        sa.Column("image_id", sa.String(36), nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        sa.Column("external_image_id", sa.String(255), nullable=True),
        sa.Column("left", sa.Float, nullable=False),
        sa.Column("top", sa.Float, nullable=False),
        sa.Column("width", sa.Float, nullable=False),
        sa.Column("height", sa.Float, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column(
            "user_pk",
            sa.Integer,
            sa.ForeignKey("face_users.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_faces_image", "faces", ["collection_pk", "image_sha256"])


def downgrade() -> None:
    op.drop_table("faces")
    op.drop_table("face_users")
