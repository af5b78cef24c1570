"""Start, Describe, List and Stop of every asynchronous analysis job type: one rule for all,
the type (``jobtypes.py``) saying what differs. The work itself is ``running.py``'s job."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.context import RequestContext, Scope
from sensorium.jobs import JobSystem
from sensorium.services.comprehend.analysis_jobs.jobtypes import PII, AnalysisType
from sensorium.services.comprehend.analysis_jobs.tables import AnalysisJobRow
from sensorium.services.comprehend.classifiers import objects
from sensorium.services.comprehend.classifiers.workbench import (
    SERVICE,
    page_size,
    put_tags,
    time_filter,
)
from sensorium.services.comprehend.errors import InvalidRequestException, JobNotFoundException
from sensorium.storage.database import Database
from sensorium.storage.owned import aware
from sensorium.storage.paging import Listing, Paginator

Shape = dict[str, Any]
KIND = "comprehend.analysis"
# The request's members that Describe echoes (each type's request has some of them).
_ECHOED = (
    "InputDataConfig",
    "OutputDataConfig",
    "DataAccessRoleArn",
    "LanguageCode",
    "VolumeKmsKeyId",
    "VpcConfig",
    "Mode",
    "RedactionConfig",
)
_UNFINISHED = ("SUBMITTED", "IN_PROGRESS")


@dataclass
class AnalysisJobs:
    db: Database
    blobs: Buckets
    jobs: JobSystem
    paginator: Paginator

    def start(self, ctx: RequestContext, kind: AnalysisType, params: Shape) -> Shape:
        request = _request(kind, params)
        self._check_buckets(ctx.scope, request)
        name, token = params.get("JobName"), params.get("ClientRequestToken")
        with self.db.transaction(ctx.scope) as session:
            if token:
                known = session.scalar(
                    select(AnalysisJobRow).filter_by(client_token=token, job_type=kind.stem)
                )
                if known is not None:
                    if known.request != request or known.name != name:
                        raise InvalidRequestException(
                            f"ClientRequestToken {token} was used for a different request."
                        )
                    return _started(ctx, kind, known)
            job_id = secrets.token_hex(16)
            row = AnalysisJobRow(
                job_id=job_id,
                job_type=kind.stem,
                name=name,
                status="SUBMITTED",
                request=request,
                client_token=token,
                output_uri=output_uri(kind, ctx.account_id, job_id, request),
            )
            session.add(row)
            session.flush()
            put_tags(session, job_arn(ctx, kind, job_id), params.get("Tags"))
            self.jobs.submit(session, KIND, ctx.scope, str(row.id))
            return _started(ctx, kind, row)

    def describe(self, ctx: RequestContext, kind: AnalysisType, params: Shape) -> Shape:
        with self.db.reading(ctx.scope) as session:
            row = _find(session, kind, params["JobId"])
            return {kind.properties: properties(ctx, kind, row)}

    def list_jobs(self, ctx: RequestContext, kind: AnalysisType, params: Shape) -> Shape:
        filters = params.get("Filter") or {}
        query = select(AnalysisJobRow).where(AnalysisJobRow.job_type == kind.stem)
        if "JobName" in filters:
            query = query.where(AnalysisJobRow.name == filters["JobName"])
        if "JobStatus" in filters:
            query = query.where(AnalysisJobRow.status == filters["JobStatus"])
        query = time_filter(
            query, AnalysisJobRow.created_at, filters, "SubmitTimeBefore", "SubmitTimeAfter"
        )
        bound = {key: str(value) for key, value in filters.items()}
        listing = Listing(kind.operations["list"], (AnalysisJobRow.id,), bound)
        with self.db.reading(ctx.scope) as session:
            page = self.paginator.page(
                session, query, listing, page_size(params), params.get("NextToken")
            )
            return page.output(f"{kind.properties}List", lambda row: properties(ctx, kind, row))

    def stop(self, ctx: RequestContext, kind: AnalysisType, params: Shape) -> Shape:
        """An unfinished job is STOP_REQUESTED, then STOPPED (a queued one at once); one
        that ends before its worker sees the request keeps its ending, as in AWS."""
        with self.db.transaction(ctx.scope) as session:
            row = _find(session, kind, params["JobId"])
            if row.status in ("COMPLETED", "FAILED"):
                raise InvalidRequestException(
                    f"The job {row.job_id} is {row.status} and cannot be stopped."
                )
            if row.status in _UNFINISHED:
                row.status = "STOP_REQUESTED"
                self.jobs.cancel(session, KIND, str(row.id))
            return {"JobId": row.job_id, "JobStatus": row.status}

    def _check_buckets(self, scope: Scope, request: Shape) -> None:
        for config in ("InputDataConfig", "OutputDataConfig"):
            uri = request[config]["S3Uri"]
            bucket, _ = parse_s3_uri(uri)
            if not objects.bucket_exists(self.blobs, scope, bucket):
                raise InvalidRequestException(
                    f"The S3 bucket {bucket} of {config}.S3Uri ({uri}) does not exist, or "
                    "the data access role cannot reach it."
                )


def _request(kind: AnalysisType, params: Shape) -> Shape:
    """The members Describe echoes, once everything the job needs has been checked."""
    if params.get("EntityRecognizerArn") or params.get("FlywheelArn"):
        raise InvalidRequestException(
            "Custom entity recognizers and flywheels are not supported on this server; "
            "leave out EntityRecognizerArn and FlywheelArn to use the built-in model."
        )
    language = params.get("LanguageCode")
    if kind.languages is not None and language not in kind.languages:
        raise InvalidRequestException(
            f"{kind.operations['start']} does not support the language '{language}' on this "
            f"server; supported: {', '.join(sorted(kind.languages))}"
        )
    config = params["InputDataConfig"]
    if config.get("DocumentReaderConfig") is not None:
        raise InvalidRequestException(
            "Only UTF-8 plain-text input is supported here (no DocumentReaderConfig)."
        )
    request = {key: params[key] for key in _ECHOED if key in params}
    request["InputDataConfig"] = {"InputFormat": "ONE_DOC_PER_FILE", **config}
    if kind is PII:
        _check_redaction(params)
    return request


def _check_redaction(params: Shape) -> None:
    redaction = params.get("RedactionConfig") or {}
    if params["Mode"] == "ONLY_OFFSETS" and "RedactionConfig" in params:
        raise InvalidRequestException("RedactionConfig applies only to Mode ONLY_REDACTION.")
    if params["Mode"] == "ONLY_REDACTION" and not redaction.get("PiiEntityTypes"):
        raise InvalidRequestException(
            "Mode ONLY_REDACTION needs a RedactionConfig that names its PiiEntityTypes."
        )
    if "MaskCharacter" in redaction and redaction.get("MaskMode") == "REPLACE_WITH_PII_ENTITY_TYPE":
        raise InvalidRequestException("MaskCharacter applies only to MaskMode MASK.")


def output_uri(kind: AnalysisType, account: str, job_id: str, request: Shape) -> str:
    """AWS's layout: ``<S3Uri>/<account>-<code>-<job id>/output/``, then ``output.tar.gz``
    (PII: a plain ``<file>.out`` per input file in that folder)."""
    bucket, prefix = parse_s3_uri(request["OutputDataConfig"]["S3Uri"])
    folder = f"{prefix.rstrip('/')}/" if prefix.strip("/") else ""
    where = f"s3://{bucket}/{folder}{account}-{kind.code}-{job_id}/output/"
    return where if kind is PII else where + "output.tar.gz"


def job_arn(ctx: RequestContext, kind: AnalysisType, job_id: str) -> str:
    return ctx.arn(SERVICE, f"{kind.resource}/{job_id}")


def _find(session: Session, kind: AnalysisType, job_id: str) -> AnalysisJobRow:
    row = session.scalar(select(AnalysisJobRow).filter_by(job_id=job_id, job_type=kind.stem))
    if row is None:
        raise JobNotFoundException(f"Could not find the job {job_id}.")
    return row


def _started(ctx: RequestContext, kind: AnalysisType, row: AnalysisJobRow) -> Shape:
    return {
        "JobId": row.job_id,
        "JobArn": job_arn(ctx, kind, row.job_id),
        "JobStatus": row.status,
    }


def properties(ctx: RequestContext, kind: AnalysisType, row: AnalysisJobRow) -> Shape:
    answer: Shape = {
        "JobId": row.job_id,
        "JobArn": job_arn(ctx, kind, row.job_id),
        "JobStatus": row.status,
        "SubmitTime": aware(row.created_at),
        **row.request,
        "OutputDataConfig": {**row.request["OutputDataConfig"], "S3Uri": row.output_uri},
    }
    if row.name:
        answer["JobName"] = row.name
    if row.message:
        answer["Message"] = row.message
    if row.ended_at:
        answer["EndTime"] = aware(row.ended_at)
    return answer
