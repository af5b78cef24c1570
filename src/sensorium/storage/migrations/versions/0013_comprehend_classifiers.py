"""Comprehend custom classification: document classifiers, endpoints, classification jobs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _owned() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "comprehend_classifiers",
        *_owned(),
        sa.Column("arn", sa.String(256), nullable=False, unique=True),
        sa.Column("name", sa.String(63), nullable=False, index=True),
        sa.Column("version_name", sa.String(63), nullable=True),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("client_token", sa.String(64), nullable=True, index=True),
        sa.Column("classifier_metadata", sa.JSON, nullable=True),
        sa.Column("model", sa.LargeBinary, nullable=True),
        sa.Column("training_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("training_ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "comprehend_endpoints",
        *_owned(),
        sa.Column("arn", sa.String(256), nullable=False, unique=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("model_arn", sa.String(256), nullable=False, index=True),
        sa.Column("desired_model_arn", sa.String(256), nullable=True, index=True),
        sa.Column("desired_units", sa.Integer, nullable=False),
        sa.Column("current_units", sa.Integer, nullable=False),
        sa.Column("role_arn", sa.String(2048), nullable=True),
        sa.Column("client_token", sa.String(64), nullable=True, index=True),
    )
    op.create_table(
        "comprehend_classification_jobs",
        *_owned(),
        sa.Column("job_id", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(256), nullable=True, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("classifier_arn", sa.String(256), nullable=False, index=True),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("client_token", sa.String(64), nullable=True, index=True),
        sa.Column("output_uri", sa.String(1100), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("comprehend_classification_jobs")
    op.drop_table("comprehend_endpoints")
    op.drop_table("comprehend_classifiers")
