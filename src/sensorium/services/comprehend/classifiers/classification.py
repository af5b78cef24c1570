"""Asynchronous classification jobs (``comprehend.classification``): every document under
the input S3Uri classified with a trained classifier, the answers written where AWS writes
them: ``<S3Uri of OutputDataConfig>/<account>-CLN-<job id>/output/output.tar.gz``, an archive
holding ``predictions.jsonl``, one JSON line per document: File, Line (ONE_DOC_PER_LINE: the
zero-based line number, a string as in AWS's examples), and Classes or Labels.
"""

from __future__ import annotations

import io
import json
import secrets
import tarfile
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sensorium.blobs import parse_s3_uri
from sensorium.context import RequestContext
from sensorium.jobs import JobFailed, JobKind, JobRow, RunningJob
from sensorium.services.comprehend.classifiers import objects
from sensorium.services.comprehend.classifiers.endpoints import answer
from sensorium.services.comprehend.classifiers.tables import ClassificationJobRow, ClassifierRow
from sensorium.services.comprehend.classifiers.workbench import (
    SERVICE,
    Shape,
    Workbench,
    check_arn_scope,
    find_classifier,
    page_size,
    put_tags,
    time_filter,
)
from sensorium.services.comprehend.errors import (
    InvalidRequestException,
    JobNotFoundException,
    ResourceUnavailableException,
)
from sensorium.storage.owned import aware, utcnow
from sensorium.storage.paging import Listing

KIND = "comprehend.classification"
MAX_FILE_BYTES = 10 * 1024**2  # AWS's limit on one input file of a classification job
MAX_TOTAL_BYTES = 5 * 1024**3
MAX_DOCUMENT_BYTES = 10_000  # longer documents are classified on their first 10,000 bytes
BATCH = 256
_ECHOED = (
    "InputDataConfig",
    "OutputDataConfig",
    "DataAccessRoleArn",
    "VolumeKmsKeyId",
    "VpcConfig",
)


class ClassificationJobs:
    def __init__(self, bench: Workbench) -> None:
        self.bench = bench

    def start_document_classification_job(self, ctx: RequestContext, params: Shape) -> Shape:
        arn = params.get("DocumentClassifierArn")
        if params.get("FlywheelArn") or not arn:
            raise InvalidRequestException(
                "Give a DocumentClassifierArn (flywheels are not supported here)."
            )
        if (params["InputDataConfig"].get("DocumentReaderConfig")) is not None:
            raise InvalidRequestException("Only plain-text input is supported here.")
        check_arn_scope(ctx, arn)
        request = {key: params[key] for key in _ECHOED if key in params}
        request["InputDataConfig"] = {
            "InputFormat": "ONE_DOC_PER_FILE",
            **params["InputDataConfig"],
        }
        token = params.get("ClientRequestToken")
        with self.bench.db.transaction(ctx.scope) as session:
            if token:
                known = session.scalar(select(ClassificationJobRow).filter_by(client_token=token))
                if known is not None:
                    if known.request != request or known.classifier_arn != arn:
                        raise InvalidRequestException(
                            f"ClientRequestToken {token} was used for a different request."
                        )
                    return _started(ctx, known)
            classifier = find_classifier(session, arn)
            if classifier.status != "TRAINED":
                raise ResourceUnavailableException(
                    f"The document classifier {arn} is {classifier.status}; a job needs a "
                    "TRAINED model."
                )
            job_id = secrets.token_hex(16)
            row = ClassificationJobRow(
                job_id=job_id,
                name=params.get("JobName"),
                status="SUBMITTED",
                classifier_arn=arn,
                request=request,
                client_token=token,
            )
            session.add(row)
            session.flush()
            put_tags(session, job_arn(ctx, job_id), params.get("Tags"))
            self.bench.jobs.submit(session, KIND, ctx.scope, str(row.id))
            return _started(ctx, row)

    def describe_document_classification_job(self, ctx: RequestContext, job_id: str) -> Shape:
        with self.bench.db.reading(ctx.scope) as session:
            row = session.scalar(select(ClassificationJobRow).filter_by(job_id=job_id))
            if row is None:
                raise JobNotFoundException(f"Could not find the job {job_id}.")
            return {"DocumentClassificationJobProperties": job_properties(ctx, row)}

    def list_document_classification_jobs(self, ctx: RequestContext, params: Shape) -> Shape:
        filters = params.get("Filter") or {}
        query = select(ClassificationJobRow)
        if "JobName" in filters:
            query = query.where(ClassificationJobRow.name == filters["JobName"])
        if "JobStatus" in filters:
            query = query.where(ClassificationJobRow.status == filters["JobStatus"])
        query = time_filter(
            query, ClassificationJobRow.created_at, filters, "SubmitTimeBefore", "SubmitTimeAfter"
        )
        bound = {key: str(value) for key, value in filters.items()}
        listing = Listing("ListDocumentClassificationJobs", (ClassificationJobRow.id,), bound)
        with self.bench.db.reading(ctx.scope) as session:
            page = self.bench.paginator.page(
                session, query, listing, page_size(params), params.get("NextToken")
            )
            return page.output(
                "DocumentClassificationJobPropertiesList", lambda row: job_properties(ctx, row)
            )

    # Running (called by the job kind).

    def classify(self, job: RunningJob) -> str:
        """Classify every input document; the output archive's S3 URI."""
        with self.bench.db.reading(job.scope) as session:
            row = session.get(ClassificationJobRow, int(job.resource))
            if row is None:
                raise JobFailed("The job was deleted.")
            request, job_id = row.request, row.job_id
            classifier = session.scalar(select(ClassifierRow).filter_by(arn=row.classifier_arn))
            if classifier is None or classifier.status != "TRAINED":
                raise JobFailed(f"The document classifier {row.classifier_arn} is not available.")
            head = self.bench.head(session, classifier)
        config = request["InputDataConfig"]
        per_line = config.get("InputFormat") == "ONE_DOC_PER_LINE"
        documents = self._documents(job, config["S3Uri"], per_line)
        key = "Labels" if head.multi_label else "Classes"
        lines = []
        for start in range(0, len(documents), BATCH):
            job.check()
            chunk = documents[start : start + BATCH]
            scores = self.bench.classify(head, [text for _, text in chunk])
            for (place, _), row_scores in zip(chunk, scores, strict=True):
                found = answer(head.labels, row_scores, head.multi_label)
                lines.append(json.dumps({**place, key: found[key]}, ensure_ascii=False))
            job.progress(min(1.0, (start + len(chunk)) / len(documents)))
        bucket, prefix = parse_s3_uri(request["OutputDataConfig"]["S3Uri"])
        folder = f"{prefix.rstrip('/')}/" if prefix.strip("/") else ""
        output = f"{folder}{job.scope.account_id}-CLN-{job_id}/output/output.tar.gz"
        objects.write(self.bench.blobs, job.scope, bucket, output, _archive(lines))
        return f"s3://{bucket}/{output}"

    def _documents(
        self, job: RunningJob, uri: str, per_line: bool
    ) -> list[tuple[dict[str, str], str]]:
        """(where, text) of every document under ``uri``; where: File (and Line)."""
        documents: list[tuple[dict[str, str], str]] = []
        files = objects.input_files(self.bench.blobs, job, uri, MAX_FILE_BYTES, MAX_TOTAL_BYTES)
        for _, file in files:
            for document in objects.documents(file, per_line):
                place = {"File": document.file}
                if document.line is not None:
                    place["Line"] = str(document.line)
                documents.append((place, _clip(document.text)))
        if not documents:
            raise JobFailed(f"The input under {uri} holds no text to classify.")
        return documents


def _clip(text: str) -> str:
    return text.encode("utf-8")[:MAX_DOCUMENT_BYTES].decode("utf-8", errors="ignore")


def _archive(lines: list[str]) -> bytes:
    body = ("\n".join(lines) + "\n").encode("utf-8")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        member = tarfile.TarInfo("predictions.jsonl")
        member.size = len(body)
        archive.addfile(member, io.BytesIO(body))
    return buffer.getvalue()


def job_arn(ctx: RequestContext, job_id: str) -> str:
    return ctx.arn(SERVICE, f"document-classification-job/{job_id}")


def _started(ctx: RequestContext, row: ClassificationJobRow) -> Shape:
    return {
        "JobId": row.job_id,
        "JobArn": job_arn(ctx, row.job_id),
        "JobStatus": row.status,
        "DocumentClassifierArn": row.classifier_arn,
    }


def job_properties(ctx: RequestContext, row: ClassificationJobRow) -> Shape:
    answer_: Shape = {
        "JobId": row.job_id,
        "JobArn": job_arn(ctx, row.job_id),
        "JobStatus": row.status,
        "SubmitTime": aware(row.created_at),
        "DocumentClassifierArn": row.classifier_arn,
        **row.request,
    }
    if row.name:
        answer_["JobName"] = row.name
    if row.message:
        answer_["Message"] = row.message
    if row.ended_at:
        answer_["EndTime"] = aware(row.ended_at)
    if row.output_uri:
        answer_["OutputDataConfig"] = {**row.request["OutputDataConfig"], "S3Uri": row.output_uri}
    return answer_


class ClassificationKind(JobKind[str]):
    name = KIND
    accelerated = True

    def __init__(self, jobs: ClassificationJobs) -> None:
        self.jobs = jobs

    def run(self, job: RunningJob) -> str:
        return self.jobs.classify(job)

    def started(self, session: Session, job: JobRow) -> None:
        if (row := session.get(ClassificationJobRow, int(job.resource))) is not None:
            row.status = "IN_PROGRESS"

    def succeeded(self, session: Session, job: JobRow, outcome: str) -> dict[str, Any] | None:
        if (row := session.get(ClassificationJobRow, int(job.resource))) is not None:
            row.status = "COMPLETED"
            row.output_uri = outcome
            row.ended_at = utcnow()
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        if (row := session.get(ClassificationJobRow, int(job.resource))) is not None:
            row.status = "FAILED"
            row.message = reason
            row.ended_at = utcnow()

    def requeued(self, session: Session, job: JobRow) -> None:
        if (row := session.get(ClassificationJobRow, int(job.resource))) is not None:
            row.status = "SUBMITTED"
