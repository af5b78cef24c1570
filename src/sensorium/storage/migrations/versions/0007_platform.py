"""The platform: one job table for every service, the server's keys, and owned rows with the
same timestamps everywhere. Work a service had in flight moves onto the job table.

Revision ID: 0007
Revises: 0002, 0003, 0004, 0005, 0006
Create Date: 2026-12-01
"""

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = ("0002", "0003", "0004", "0005", "0006")
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)
MAX_ATTEMPTS = 2

jobs = sa.table(
    "jobs",
    sa.column("kind", sa.String),
    sa.column("account_id", sa.String),
    sa.column("region", sa.String),
    sa.column("resource", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("state", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("max_attempts", sa.Integer),
    sa.column("not_before", STAMP),
    sa.column("cancel_requested", sa.Boolean),
    sa.column("created_at", STAMP),
    sa.column("updated_at", STAMP),
)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(256), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("not_before", STAMP, nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", STAMP, nullable=True),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("progress", sa.Float, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("failure_reason", sa.Text, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("started_at", STAMP, nullable=True),
        sa.Column("finished_at", STAMP, nullable=True),
        sa.Column("updated_at", STAMP, nullable=False),
    )
    op.create_index("ix_jobs_kind_resource", "jobs", ["kind", "resource"])
    op.create_index("ix_jobs_state_not_before", "jobs", ["state", "not_before"])
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
    )

    now = dt.datetime.now(dt.UTC)
    _move_in_flight_work(now)

    _add_stamp("collections", "updated_at", "created_at")
    _add_stamp("transcription_jobs", "updated_at", "created_at")
    _rename_stamp("transcribe_vocabularies", "modified_at")
    _rename_stamp("polly_lexicons", "last_modified")
    _add_stamp("polly_tasks", "updated_at", "created_at")
    _add_stamp("lex_models", "created_at", "built_at")
    _add_stamp("lex_models", "updated_at", "built_at")
    _add_stamp("lex_sessions", "created_at", None, now)
    _add_stamp("lex_sessions", "updated_at", None, now)
    _rename_stamp("forecast_resources", "modified_at", add_created=False)
    with op.batch_alter_table("transcription_jobs") as batch:
        batch.drop_column("attempts")
    with op.batch_alter_table("forecast_resources") as batch:
        batch.drop_column("attempts")


def _add_stamp(
    table: str, column: str, copy_from: str | None, value: dt.datetime | None = None
) -> None:
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column(column, STAMP, nullable=True))
    target = sa.table(
        table, sa.column(column, STAMP), *([sa.column(copy_from, STAMP)] if copy_from else [])
    )
    source = target.c[copy_from] if copy_from else sa.literal(value, STAMP)
    op.execute(target.update().values({column: source}))
    with op.batch_alter_table(table) as batch:
        batch.alter_column(column, existing_type=STAMP, nullable=False)


def _rename_stamp(table: str, old: str, add_created: bool = True) -> None:
    with op.batch_alter_table(table) as batch:
        batch.alter_column(old, new_column_name="updated_at", existing_type=STAMP)
    if add_created:
        _add_stamp(table, "created_at", "updated_at")


def _move_in_flight_work(now: dt.datetime) -> None:
    """Queued and interrupted work, kept by each service its own way until now, becomes a
    QUEUED job (attempts already spent stay spent)."""
    bind = op.get_bind()
    rows: list[dict[str, object]] = []

    def job(kind: str, account: str, region: str, resource: str, attempts: int) -> None:
        rows.append(
            {
                "kind": kind,
                "account_id": account,
                "region": region,
                "resource": resource,
                "payload": {},
                "state": "QUEUED",
                "attempts": min(attempts, MAX_ATTEMPTS - 1),
                "max_attempts": MAX_ATTEMPTS,
                "not_before": now,
                "cancel_requested": False,
                "created_at": now,
                "updated_at": now,
            }
        )

    for pk, account, region, attempts in bind.execute(
        sa.text(
            "SELECT id, account_id, region, attempts FROM transcription_jobs "
            "WHERE status IN ('QUEUED', 'IN_PROGRESS')"
        )
    ):
        job("transcribe.transcription", account, region, str(pk), attempts)
    op.execute("UPDATE transcription_jobs SET status = 'QUEUED' WHERE status = 'IN_PROGRESS'")

    for task_id, account, region in bind.execute(
        sa.text(
            "SELECT task_id, account_id, region FROM polly_tasks "
            "WHERE status IN ('scheduled', 'inProgress')"
        )
    ):
        job("polly.synthesis", account, region, task_id, 0)
    op.execute("UPDATE polly_tasks SET status = 'scheduled' WHERE status = 'inProgress'")

    for account, region, bot_id, version, locale_id, body in bind.execute(
        sa.text(
            "SELECT account_id, region, bot_id, bot_version, resource_id, body "
            "FROM lex_resources WHERE kind = 'locale'"
        )
    ):
        status = (json.loads(body) if isinstance(body, str) else body).get("botLocaleStatus")
        if status == "Building":
            job("lex.build", account, region, f"{bot_id}/{version}/{locale_id}", 0)

    for pk, account, region, kind, attempts in bind.execute(
        sa.text(
            "SELECT id, account_id, region, kind, attempts FROM forecast_resources "
            "WHERE status IN ('CREATE_PENDING', 'CREATE_IN_PROGRESS') "
            "AND kind IN ('import_job', 'predictor', 'forecast', 'export_job')"
        )
    ):
        job(f"forecast.{kind}", account, region, str(pk), attempts)
    op.execute(
        "UPDATE forecast_resources SET status = 'CREATE_PENDING' "
        "WHERE status = 'CREATE_IN_PROGRESS'"
    )
    if rows:
        op.bulk_insert(jobs, rows)


def downgrade() -> None:
    with op.batch_alter_table("forecast_resources") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.alter_column("updated_at", new_column_name="modified_at", existing_type=STAMP)
    with op.batch_alter_table("transcription_jobs") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.drop_column("updated_at")
    for table, columns in (
        ("collections", ["updated_at"]),
        ("polly_tasks", ["updated_at"]),
        ("lex_models", ["created_at", "updated_at"]),
        ("lex_sessions", ["created_at", "updated_at"]),
        ("transcribe_vocabularies", ["created_at"]),
        ("polly_lexicons", ["created_at"]),
    ):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column)
    with op.batch_alter_table("transcribe_vocabularies") as batch:
        batch.alter_column("updated_at", new_column_name="modified_at", existing_type=STAMP)
    with op.batch_alter_table("polly_lexicons") as batch:
        batch.alter_column("updated_at", new_column_name="last_modified", existing_type=STAMP)
    op.drop_table("server_secrets")
    op.drop_index("ix_jobs_state_not_before", "jobs")
    op.drop_index("ix_jobs_kind_resource", "jobs")
    op.drop_table("jobs")
