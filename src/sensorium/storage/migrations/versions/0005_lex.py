"""Lex V2: model-building resources, trained models and runtime sessions.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = ("lex",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lex_resources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("bot_id", sa.String(10), nullable=False, index=True),
        sa.Column("bot_version", sa.String(5), nullable=False),
        sa.Column("locale_id", sa.String(16), nullable=False),
        sa.Column("intent_id", sa.String(10), nullable=False),
        sa.Column("resource_id", sa.String(10), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "account_id", "region", "kind", "bot_id", "bot_version", "locale_id", "intent_id",
            "resource_id",
        ),
    )  # fmt: skip
    op.create_table(
        "lex_models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("bot_id", sa.String(10), nullable=False),
        sa.Column("bot_version", sa.String(5), nullable=False),
        sa.Column("locale_id", sa.String(16), nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("weights", sa.LargeBinary, nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("account_id", "region", "bot_id", "bot_version", "locale_id"),
    )
    op.create_table(
        "lex_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("bot_id", sa.String(10), nullable=False, index=True),
        sa.Column("alias_id", sa.String(10), nullable=False),
        sa.Column("locale_id", sa.String(16), nullable=False),
        sa.Column("session_id", sa.String(100), nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "account_id", "region", "bot_id", "alias_id", "locale_id", "session_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("lex_sessions")
    op.drop_table("lex_models")
    op.drop_table("lex_resources")
