"""Long-form synthesis tasks: persisted, run on the job pool, written to a bucket."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from typing import Any

from sqlalchemy import select

from sensorium.blobs import BlobStore
from sensorium.components import JobRunner
from sensorium.context import RequestContext
from sensorium.errors import BlobError, InvalidBlobKey, ServiceError
from sensorium.services.pagination import BadToken, make_token, read_token
from sensorium.services.polly.synthesis import EXTENSIONS, TASK_LIMITS, Synthesizer
from sensorium.services.polly.tables import PollyTask
from sensorium.storage.database import Database

log = logging.getLogger(__name__)
_BUCKET = re.compile(r"[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9]")


class TaskService:
    def __init__(
        self, db: Database, blobs: BlobStore, jobs: JobRunner, synthesizer: Synthesizer
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.jobs = jobs
        self.synthesizer = synthesizer

    def start(self, ctx: RequestContext, params: dict[str, Any]) -> PollyTask:
        bucket = params["OutputS3BucketName"]
        if not _BUCKET.fullmatch(bucket):
            raise ServiceError("InvalidS3BucketException", f"Invalid bucket name {bucket!r}.")
        prepared = self.synthesizer.prepare(ctx, params, TASK_LIMITS)
        task_id = str(uuid.uuid4())
        key = f"{params.get('OutputS3KeyPrefix', '')}{task_id}.{EXTENSIONS[params['OutputFormat']]}"
        try:
            self.blobs.exists(bucket, key)
        except InvalidBlobKey as error:
            raise ServiceError("InvalidS3KeyException", str(error)) from None
        stored = {k: v for k, v in params.items() if v is not None}
        stored["_account"], stored["_region"] = ctx.account_id, ctx.region
        row = PollyTask(
            task_id=task_id,
            account_id=ctx.account_id,
            region=ctx.region,
            status="scheduled",
            request=json.dumps(stored),
            output_uri=f"s3://{bucket}/{key}",
            request_characters=prepared.billed,
            created_at=dt.datetime.now(dt.UTC),
        )
        with self.db.transaction() as session:
            session.add(row)
        self.jobs.submit(self.run, task_id)
        return row

    def run(self, task_id: str) -> None:
        with self.db.transaction() as session:
            row = session.scalar(select(PollyTask).filter_by(task_id=task_id))
            if row is None or row.status in ("completed", "failed"):
                return
            row.status = "inProgress"
            params = json.loads(row.request)
            uri = row.output_uri
        ctx = RequestContext(f"task-{task_id}", params.pop("_account"), params.pop("_region"))
        try:
            prepared = self.synthesizer.prepare(ctx, params, TASK_LIMITS)
            data = b"".join(self.synthesizer.stream(prepared))
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            self.blobs.write(bucket, key, data)
            self._settle(task_id, "completed", None)
        except (ServiceError, BlobError) as error:
            self._settle(task_id, "failed", str(error))
        except Exception as error:
            log.exception("synthesis task %s failed", task_id)
            self._settle(task_id, "failed", f"Internal error: {type(error).__name__}")

    def _settle(self, task_id: str, status: str, reason: str | None) -> None:
        with self.db.transaction() as session:
            row = session.scalar(select(PollyTask).filter_by(task_id=task_id))
            if row is not None:
                row.status, row.status_reason = status, reason

    def recover(self) -> None:
        """Re-run what a stopped server left scheduled or in progress (synthesis is
        deterministic, so a rerun writes the same object)."""
        with self.db.reading() as session:
            pending = session.scalars(
                select(PollyTask.task_id).where(PollyTask.status.in_(["scheduled", "inProgress"]))
            ).all()
        for task_id in pending:
            self.jobs.submit(self.run, task_id)

    def get(self, ctx: RequestContext, task_id: str) -> PollyTask:
        with self.db.reading() as session:
            row = session.scalar(
                select(PollyTask).filter_by(
                    task_id=task_id, account_id=ctx.account_id, region=ctx.region
                )
            )
        if row is None:
            raise ServiceError("SynthesisTaskNotFoundException", f"Task {task_id} not found.")
        return row

    def page(
        self, ctx: RequestContext, status: str | None, limit: int | None, token: str | None
    ) -> tuple[list[PollyTask], str | None]:
        scope = f"tasks:{ctx.account_id}:{ctx.region}:{status}"
        try:
            after = int(read_token(scope, token)) if token else 0
        except (BadToken, ValueError):
            raise ServiceError("InvalidNextTokenException", "Invalid NextToken.") from None
        size = limit or 100
        query = select(PollyTask).filter_by(account_id=ctx.account_id, region=ctx.region)
        if status:
            query = query.filter_by(status=status)
        with self.db.reading() as session:
            rows = list(
                session.scalars(
                    query.where(PollyTask.id > after).order_by(PollyTask.id).limit(size + 1)
                )
            )
        more = len(rows) > size
        rows = rows[:size]
        return rows, make_token(scope, rows[-1].id) if more else None


def describe(row: PollyTask) -> dict[str, Any]:
    params = json.loads(row.request)
    found: dict[str, Any] = {
        "TaskId": row.task_id,
        "TaskStatus": row.status,
        "OutputUri": row.output_uri,
        "CreationTime": row.created_at.replace(tzinfo=row.created_at.tzinfo or dt.UTC),
        "RequestCharacters": row.request_characters,
    }
    if row.status_reason:
        found["TaskStatusReason"] = row.status_reason
    for name in (
        "Engine", "LexiconNames", "OutputFormat", "SampleRate", "SnsTopicArn",
        "SpeechMarkTypes", "TextType", "VoiceId", "LanguageCode",
    ):  # fmt: skip
        if name in params:
            found[name] = params[name]
    return found
