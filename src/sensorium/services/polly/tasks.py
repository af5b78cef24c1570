"""Long-form synthesis tasks: persisted, run by the job system, written to a bucket."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets
from sensorium.context import RequestContext, Scope
from sensorium.errors import BlobAccessDenied, BlobError, InvalidBlobKey, ServiceError
from sensorium.jobs import JobFailed, JobKind, JobRow, JobSystem, RunningJob
from sensorium.services.polly.errors import (
    InvalidS3BucketException,
    InvalidS3KeyException,
    SynthesisTaskNotFoundException,
)
from sensorium.services.polly.synthesis import EXTENSIONS, TASK_LIMITS, Synthesizer
from sensorium.services.polly.tables import PollyTask
from sensorium.storage.database import Database
from sensorium.storage.owned import aware
from sensorium.storage.paging import Listing, Page, Paginator

KIND = "polly.synthesis"
DEFAULT_PAGE_SIZE = 100
_BUCKET = re.compile(r"[a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9]")
# Keys older versions kept inside the stored request.
_LEGACY_KEYS = ("_account", "_region")


class TaskService:
    def __init__(
        self,
        db: Database,
        blobs: Buckets,
        jobs: JobSystem,
        synthesizer: Synthesizer,
        paginator: Paginator,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.jobs = jobs
        self.synthesizer = synthesizer
        self.paginator = paginator
        jobs.register(SynthesisKind(self))

    def start(self, ctx: RequestContext, params: dict[str, Any]) -> PollyTask:
        bucket = params["OutputS3BucketName"]
        if not _BUCKET.fullmatch(bucket):
            raise InvalidS3BucketException(f"Invalid bucket name {bucket!r}.")
        prepared = self.synthesizer.prepare(ctx, params, TASK_LIMITS)
        task_id = str(uuid.uuid4())
        key = f"{params.get('OutputS3KeyPrefix', '')}{task_id}.{EXTENSIONS[params['OutputFormat']]}"
        try:
            self.blobs.exists(ctx.scope, bucket, key)  # the caller's to write, a valid key
        except InvalidBlobKey as error:
            raise InvalidS3KeyException(str(error)) from None
        except BlobAccessDenied as error:
            raise InvalidS3BucketException(str(error)) from None
        stored = {k: v for k, v in params.items() if v is not None}
        with self.db.transaction(ctx.scope) as session:
            row = PollyTask(
                task_id=task_id,
                status="scheduled",
                request=json.dumps(stored),
                output_uri=f"s3://{bucket}/{key}",
                request_characters=prepared.billed,
            )
            session.add(row)
            self.jobs.submit(session, KIND, ctx.scope, task_id)
        return row

    def synthesize(self, scope: Scope, task_id: str, job: RunningJob) -> None:
        """Synthesise the task's text into its output object (called by the job kind)."""
        with self.db.reading(scope) as session:
            row = _find(session, task_id)
            if row is None:
                raise JobFailed("The synthesis task was deleted.")
            params = json.loads(row.request)
            uri = row.output_uri
        for key in _LEGACY_KEYS:
            params.pop(key, None)
        ctx = RequestContext(f"task-{task_id}", scope.account_id, scope.region)
        try:
            prepared = self.synthesizer.prepare(ctx, params, TASK_LIMITS)
            chunks = []
            for chunk in self.synthesizer.stream(prepared):
                chunks.append(chunk)
                job.check()
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            self.blobs.write(scope, bucket, key, b"".join(chunks))
        except (ServiceError, BlobError) as error:
            raise JobFailed(str(error)) from None

    def output_url(self, ctx: RequestContext, row: PollyTask) -> str:
        """Where the output is, as AWS gives it for the caller's bucket: a plain path-style
        URL on the endpoint the caller called (stored as ``s3://``, built at each answer)."""
        bucket, _, key = row.output_uri.removeprefix("s3://").partition("/")
        return self.blobs.url(ctx, bucket, key)

    def get(self, ctx: RequestContext, task_id: str) -> PollyTask:
        with self.db.reading(ctx.scope) as session:
            row = _find(session, task_id)
        if row is None:
            raise SynthesisTaskNotFoundException(f"Task {task_id} not found.")
        return row

    def page(
        self, ctx: RequestContext, status: str | None, limit: int | None, token: str | None
    ) -> Page[PollyTask]:
        query = select(PollyTask)
        if status:
            query = query.filter_by(status=status)
        listing = Listing("ListSpeechSynthesisTasks", (PollyTask.id,), status)
        with self.db.reading(ctx.scope) as session:
            return self.paginator.page(session, query, listing, limit or DEFAULT_PAGE_SIZE, token)


class SynthesisKind(JobKind[None]):
    """Runs a synthesis task; mirrors the job's state into the task row."""

    name = KIND

    def __init__(self, service: TaskService) -> None:
        self.service = service

    def run(self, job: RunningJob) -> None:
        self.service.synthesize(job.scope, job.resource, job)

    def started(self, session: Session, job: JobRow) -> None:
        self._set(session, job, "inProgress", None)

    def succeeded(self, session: Session, job: JobRow, outcome: None) -> dict[str, Any] | None:
        self._set(session, job, "completed", None)
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        self._set(session, job, "failed", reason)

    def requeued(self, session: Session, job: JobRow) -> None:
        self._set(session, job, "scheduled", None)

    @staticmethod
    def _set(session: Session, job: JobRow, status: str, reason: str | None) -> None:
        row = _find(session, job.resource)
        if row is not None:
            row.status, row.status_reason = status, reason


def _find(session: Session, task_id: str) -> PollyTask | None:
    return session.scalar(select(PollyTask).filter_by(task_id=task_id))


def describe(row: PollyTask, output_url: str) -> dict[str, Any]:
    """The task as AWS describes it; ``output_url``: ``TaskService.output_url``'s."""
    params = json.loads(row.request)
    found: dict[str, Any] = {
        "TaskId": row.task_id,
        "TaskStatus": row.status,
        "OutputUri": output_url,
        "CreationTime": aware(row.created_at),
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
