"""Migration 0007 on a database written before it (on either backend): work each service had
in flight becomes a queued job, and the renamed timestamps keep their values."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from sensorium.jobs import JobRow, JobState
from sensorium.services.forecast.tables import ForecastResource
from sensorium.services.transcribe.tables import TranscriptionJobRow, VocabularyRow
from sensorium.storage.database import _MIGRATIONS, Database
from sensorium.storage.owned import UNSCOPED
from tests.conftest import store_url

BEFORE = ("0002", "0003", "0004", "0005", "0006")
STAMP = "2026-11-30 12:00:00.000000"


def old_database(folder: Path) -> Database:
    db = Database(store_url(folder))
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        for revision in BEFORE:
            command.upgrade(config, revision)
    return db


def test_in_flight_work_moves_onto_the_job_table(tmp_path: Path) -> None:
    db = old_database(tmp_path)
    rows = {
        "transcription_jobs": "(account_id, region, name, status, request, output_bucket, "
        "output_key, customer_bucket, attempts, created_at) VALUES "
        "('111111111111', 'us-east-1', 'running', 'IN_PROGRESS', '{}', 'b', 'k', false, 1, :t), "
        "('111111111111', 'us-east-1', 'done', 'COMPLETED', '{}', 'b', 'k', false, 1, :t)",
        "transcribe_vocabularies": "(account_id, region, name, language_code, phrases, state, "
        "modified_at) VALUES ('111111111111', 'us-east-1', 'v', 'en-US', '[]', 'READY', :t)",
        "polly_tasks": "(task_id, account_id, region, status, request, output_uri, "
        "request_characters, created_at) VALUES "
        "('t-1', '111111111111', 'us-east-1', 'inProgress', '{}', 's3://b/k', 3, :t)",
        "lex_resources": "(account_id, region, kind, bot_id, bot_version, locale_id, intent_id, "
        "resource_id, name, body, created_at, updated_at) VALUES ('111111111111', "
        "'us-east-1', 'locale', 'BOT', 'DRAFT', '', '', 'en_US', 'en_US', :body, :t, :t)",
        "forecast_resources": "(account_id, region, kind, name, arn, status, request, details, "
        "attempts, created_at, modified_at) VALUES ('111111111111', 'us-east-1', 'predictor', "
        "'p', 'arn:p', 'CREATE_IN_PROGRESS', '{}', '{}', 1, :t, :t)",
    }
    with db.engine.begin() as connection:
        for table, values in rows.items():
            connection.execute(
                text(f"INSERT INTO {table} {values}"),
                {"t": STAMP, "body": json.dumps({"botLocaleStatus": "Building"})},
            )
    db.migrate()

    with db.reading(UNSCOPED) as session:
        jobs = {(job.kind, job.resource): job for job in session.scalars(select(JobRow))}
        running = session.scalars(select(TranscriptionJobRow).filter_by(name="running")).one()
        vocabulary = session.scalars(select(VocabularyRow)).one()
        predictor = session.scalars(select(ForecastResource)).one()
    assert set(jobs) == {
        ("transcribe.transcription", str(running.id)),
        ("polly.synthesis", "t-1"),
        ("lex.build", "BOT/DRAFT/en_US"),
        ("forecast.predictor", str(predictor.id)),
    }
    assert all(job.state == JobState.QUEUED for job in jobs.values())
    assert jobs[("transcribe.transcription", str(running.id))].attempts == 1
    assert running.status == "QUEUED"
    assert predictor.status == "CREATE_PENDING"
    expected = dt.datetime(2026, 11, 30, 12)
    assert vocabulary.updated_at.replace(tzinfo=None) == expected
    assert vocabulary.created_at.replace(tzinfo=None) == expected
    db.dispose()
