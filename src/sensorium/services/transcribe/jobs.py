"""Transcription jobs: validated and persisted on Start, run by the job system.

A job is QUEUED when started, IN_PROGRESS while a worker holds it, then COMPLETED (the
result JSON written to the output bucket) or FAILED with a reason the caller can act on.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.context import RequestContext, Scope
from sensorium.errors import BlobError, InvalidBlobKey
from sensorium.jobs import JobFailed, JobKind, JobRow, JobSystem, RunningJob
from sensorium.services.transcribe import media, transcript
from sensorium.services.transcribe.errors import (
    BadRequestException,
    ConflictException,
    NotFoundException,
)
from sensorium.services.transcribe.languages import transcribe_code, whisper_code
from sensorium.services.transcribe.recogniser import Recogniser
from sensorium.services.transcribe.tables import TranscriptionJobRow
from sensorium.services.transcribe.vocabularies import find as find_vocabulary
from sensorium.services.transcribe.vocabularies import hotwords
from sensorium.storage.database import Database
from sensorium.storage.owned import utcnow
from sensorium.storage.paging import Listing, Page, Paginator

KIND = "transcribe.transcription"
DEFAULT_PAGE_SIZE = 5  # AWS's default MaxResults

# Request members this server cannot honour: refused up front rather than silently ignored.
_UNSUPPORTED = {
    "IdentifyMultipleLanguages": "identifying several languages in one file",
    "ContentRedaction": "PII redaction",
    "Subtitles": "subtitle files",
    "ModelSettings": "custom language models",
    "ToxicityDetection": "toxicity detection",
    "OutputEncryptionKMSKeyId": "KMS encryption of the output",
    "KMSEncryptionContext": "KMS encryption of the output",
    "LanguageIdSettings": "per-language settings for language identification",
}
_UNSUPPORTED_SETTINGS = {
    "ShowSpeakerLabels": "speaker diarization",
    "ChannelIdentification": "channel identification",
    "ShowAlternatives": "alternative transcriptions",
    "VocabularyFilterName": "vocabulary filters",
}


@dataclass(frozen=True)
class OutputPlace:
    bucket: str
    key: str
    customer_bucket: bool


def not_found() -> NotFoundException:
    return NotFoundException(
        "The requested job couldn't be found. Check the job name and try your request again."
    )


class TranscriptionJobs:
    def __init__(
        self,
        db: Database,
        blobs: Buckets,
        jobs: JobSystem,
        recogniser: Recogniser,
        paginator: Paginator,
        service_bucket: str,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.jobs = jobs
        self.recogniser = recogniser
        self.paginator = paginator
        self.service_bucket = service_bucket
        jobs.register(TranscriptionKind(self))

    # Start, get, list, delete

    def start(self, ctx: RequestContext, params: dict[str, Any]) -> TranscriptionJobRow:
        name = params["TranscriptionJobName"]
        self._check_supported(params)
        language = self._check_language(params)
        media_uri = params["Media"].get("MediaFileUri")
        if not media_uri:
            raise BadRequestException("Media.MediaFileUri is required.")
        try:
            parse_s3_uri(media_uri)
        except InvalidBlobKey as error:
            raise BadRequestException(str(error)) from None
        output = self._output_place(ctx, name, params)
        request = {key: value for key, value in params.items() if key != "TranscriptionJobName"}
        try:
            with self.db.transaction(ctx.scope) as session:
                if _find(session, name) is not None:
                    raise _conflict()
                self._check_vocabulary(session, params, language)
                row = TranscriptionJobRow(
                    name=name,
                    status="QUEUED",
                    request=request,
                    language_code=language,
                    media_format=params.get("MediaFormat"),
                    sample_rate=params.get("MediaSampleRateHertz"),
                    output_bucket=output.bucket,
                    output_key=output.key,
                    customer_bucket=output.customer_bucket,
                )
                session.add(row)
                session.flush()
                self.jobs.submit(session, KIND, ctx.scope, str(row.id))
        except IntegrityError:  # a concurrent start with the same name won the race
            raise _conflict() from None
        return row

    def get(self, ctx: RequestContext, name: str) -> TranscriptionJobRow:
        with self.db.reading(ctx.scope) as session:
            row = _find(session, name)
        if row is None:
            raise not_found()
        return row

    def delete(self, ctx: RequestContext, name: str) -> None:
        with self.db.transaction(ctx.scope) as session:
            row = _find(session, name)
            if row is None:
                # DeleteTranscriptionJob models no NotFoundException; AWS answers BadRequest.
                raise BadRequestException(
                    "The requested job couldn't be found. Check the job name and try again."
                )
            managed = None if row.customer_bucket else (row.output_bucket, row.output_key)
            self.jobs.cancel(session, KIND, str(row.id))
            session.delete(row)
        if managed is not None:
            # The transcript in the service's own bucket goes with the job, as on AWS; one
            # in the caller's bucket is the caller's.
            with contextlib.suppress(BlobError):
                self.blobs.delete(ctx.scope, *managed)

    def page(
        self,
        ctx: RequestContext,
        status: str | None,
        name_contains: str | None,
        max_results: int | None,
        token: str | None,
    ) -> Page[TranscriptionJobRow]:
        """Newest first, as Transcribe lists them."""
        query = select(TranscriptionJobRow)
        if status:
            query = query.where(TranscriptionJobRow.status == status)
        if name_contains:
            query = query.where(TranscriptionJobRow.name.icontains(name_contains, autoescape=True))
        listing = Listing(
            "ListTranscriptionJobs", (TranscriptionJobRow.id,), [status, name_contains], True
        )
        with self.db.reading(ctx.scope) as session:
            return self.paginator.page(
                session, query, listing, max_results or DEFAULT_PAGE_SIZE, token
            )

    def transcript_url(self, ctx: RequestContext, row: TranscriptionJobRow) -> str:
        """Where the caller downloads the transcript, built at each answer as AWS gives it: a
        presigned URL for Transcribe's own bucket, a plain one for the caller's bucket."""
        if row.customer_bucket:
            return self.blobs.url(ctx, row.output_bucket, row.output_key)
        return self.blobs.presigned_url(ctx, row.output_bucket, row.output_key)

    # Running (called by the job kind)

    def transcribe(self, scope: Scope, job_pk: int) -> dict[str, Any]:
        """Read, decode, transcribe, write the result; the fields COMPLETED sets."""
        with self.db.reading(scope) as session:
            row = session.get(TranscriptionJobRow, job_pk)
            if row is None:
                raise JobFailed("The transcription job was deleted.")
            prompt = self._hotwords(session, row)
        request = row.request
        try:
            data = media.read_media(self.blobs, scope, request["Media"]["MediaFileUri"])
            audio = media.decode(data, request)
        except media.MediaProblem as problem:
            raise JobFailed(str(problem)) from None
        language = row.language_code
        transcription = self.recogniser.model().transcribe(
            audio.samples, whisper_code(language) if language else None, prompt
        )
        score: float | None = None
        if language is None:
            options = request.get("LanguageOptions")
            language = transcribe_code(transcription.language, options)
            if language is None:
                raise JobFailed(
                    f"The identified language ({transcription.language}) is not among "
                    f"LanguageOptions {options}."
                )
            score = transcription.language_probability
        document = transcript.result_document(row.name, scope.account_id, language, transcription)
        try:
            self.blobs.write(scope, row.output_bucket, row.output_key, transcript.encode(document))
        except BlobError as error:
            raise JobFailed(
                f"The transcript can't be written to s3://{row.output_bucket}/"
                f"{row.output_key}: {error}"
            ) from None
        return {
            "language_code": language,
            "identified_language_score": score,
            "media_format": request.get("MediaFormat") or audio.media_format,
            "sample_rate": audio.source_rate,
            # The object written; the URL the caller gets is built when it asks.
            "transcript_uri": f"s3://{row.output_bucket}/{row.output_key}",
        }

    @staticmethod
    def _hotwords(session: Session, row: TranscriptionJobRow) -> str | None:
        name = row.request.get("Settings", {}).get("VocabularyName")
        if not name:
            return None
        vocabulary = find_vocabulary(session, name)
        if vocabulary is None or vocabulary.state != "READY":
            raise JobFailed(f"The vocabulary {name} was deleted before the job ran.")
        return hotwords(vocabulary.phrases)

    # Validation at Start

    def _check_supported(self, params: dict[str, Any]) -> None:
        refused = [what for key, what in _UNSUPPORTED.items() if params.get(key)]
        settings = params.get("Settings", {})
        refused += [what for key, what in _UNSUPPORTED_SETTINGS.items() if settings.get(key)]
        if params["Media"].get("RedactedMediaFileUri"):
            refused.append("redacted media")
        if refused:
            raise BadRequestException("This server does not support " + ", ".join(refused) + ".")

    def _check_language(self, params: dict[str, Any]) -> str | None:
        """The job's language code; None when it is to be identified."""
        code = params.get("LanguageCode")
        identify = bool(params.get("IdentifyLanguage"))
        if bool(code) == identify:
            raise BadRequestException("Specify exactly one of LanguageCode and IdentifyLanguage.")
        if code:
            if not self.recogniser.serves(whisper_code(code)):
                raise self.recogniser.unserved(code)
            return str(code)
        options: list[str] = params.get("LanguageOptions") or []
        served = [option for option in options if self.recogniser.serves(whisper_code(option))]
        if options and not served:
            raise self.recogniser.unserved(", ".join(options))
        if not self.recogniser.multilingual:
            # One language installed: identification has a single candidate.
            return served[0] if served else "en-US"
        return None

    @staticmethod
    def _check_vocabulary(session: Session, params: dict[str, Any], language: str | None) -> None:
        name = params.get("Settings", {}).get("VocabularyName")
        if not name:
            return
        vocabulary = find_vocabulary(session, name)
        if vocabulary is None or vocabulary.state != "READY":
            raise BadRequestException(
                f"The requested vocabulary {name} couldn't be found or isn't READY. Check the "
                "vocabulary name and try your request again."
            )
        if language and whisper_code(vocabulary.language_code) != whisper_code(language):
            raise BadRequestException(
                f"The vocabulary {name} is for {vocabulary.language_code}, not {language}."
            )

    def _output_place(self, ctx: RequestContext, name: str, params: dict[str, Any]) -> OutputPlace:
        bucket = params.get("OutputBucketName")
        key = params.get("OutputKey")
        if not bucket:
            if key:
                raise BadRequestException("OutputKey needs OutputBucketName as well.")
            return OutputPlace(
                self.service_bucket, f"{ctx.account_id}/{ctx.region}/{name}.json", False
            )
        if not key:
            key = f"{name}.json"
        elif key.endswith("/"):
            key = f"{key}{name}.json"
        elif not key.endswith(".json"):
            key = f"{key}.json"
        try:
            self.blobs.exists(ctx.scope, bucket, key)  # the caller's to write, a valid key
        except BlobError as error:
            raise BadRequestException(f"The output location s3://{bucket}/{key}: {error}") from None
        return OutputPlace(bucket, key, True)


class TranscriptionKind(JobKind[dict[str, Any]]):
    """Runs a transcription; mirrors the job's state into the Transcribe job row."""

    name = KIND
    accelerated = True

    def __init__(self, service: TranscriptionJobs) -> None:
        self.service = service

    def run(self, job: RunningJob) -> dict[str, Any]:
        return self.service.transcribe(job.scope, int(job.resource))

    def started(self, session: Session, job: JobRow) -> None:
        row = session.get(TranscriptionJobRow, int(job.resource))
        if row is not None:
            row.status = "IN_PROGRESS"
            row.started_at = utcnow()

    def succeeded(
        self, session: Session, job: JobRow, outcome: dict[str, Any]
    ) -> dict[str, Any] | None:
        row = session.get(TranscriptionJobRow, int(job.resource))
        if row is not None:
            for field, value in outcome.items():
                setattr(row, field, value)
            row.status = "COMPLETED"
            row.completed_at = utcnow()
        return None

    def failed(self, session: Session, job: JobRow, reason: str) -> None:
        row = session.get(TranscriptionJobRow, int(job.resource))
        if row is not None:
            row.status = "FAILED"
            row.failure_reason = reason
            row.completed_at = utcnow()

    def requeued(self, session: Session, job: JobRow) -> None:
        row = session.get(TranscriptionJobRow, int(job.resource))
        if row is not None:
            row.status = "QUEUED"
            row.started_at = None


def _find(session: Session, name: str) -> TranscriptionJobRow | None:
    return session.scalar(select(TranscriptionJobRow).filter_by(name=name))


def _conflict() -> ConflictException:
    return ConflictException("The requested job name already exists. Use a different job name.")
