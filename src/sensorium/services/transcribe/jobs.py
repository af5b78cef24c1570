"""Transcription jobs: validated and persisted on Start, run by the shared job pool.

A job is QUEUED when started, IN_PROGRESS while a worker holds it, then COMPLETED (the
result JSON written to the output bucket) or FAILED with a reason the caller can act on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sensorium.blobs import BlobStore, parse_s3_uri
from sensorium.context import RequestContext
from sensorium.errors import BlobError, BlobNotFound, InvalidBlobKey, ServiceError
from sensorium.models.stt import (
    DecodedAudio,
    EmptyAudio,
    UndecodableAudio,
    WhisperEngine,
    decode_audio,
)
from sensorium.services.pagination import BadToken, make_token, read_token
from sensorium.services.transcribe import transcript
from sensorium.services.transcribe.languages import transcribe_code, whisper_code
from sensorium.services.transcribe.tables import TranscriptionJobRow
from sensorium.services.transcribe.vocabularies import find as find_vocabulary
from sensorium.services.transcribe.vocabularies import hotwords
from sensorium.storage.database import Database

log = logging.getLogger(__name__)

MAX_MEDIA_BYTES = 2 * 1024**3  # Transcribe's limit for batch jobs
MAX_MEDIA_SECONDS = 4 * 3600
MAX_ATTEMPTS = 2  # a job interrupted by a restart is retried once, then failed
DEFAULT_PAGE_SIZE = 5  # AWS's default MaxResults
SUPPORTED_FORMATS = ("amr", "flac", "m4a", "mp3", "mp4", "ogg", "wav", "webm")

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


class JobFailed(Exception):
    """The job cannot complete; the message becomes its FailureReason."""


@dataclass(frozen=True)
class OutputPlace:
    bucket: str
    key: str
    customer_bucket: bool


def not_found() -> ServiceError:
    return ServiceError(
        "NotFoundException",
        "The requested job couldn't be found. Check the job name and try your request again.",
    )


class JobService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        engine: WhisperEngine,
        loaded_engine: Callable[[], WhisperEngine],
        submit: Callable[[int], Any],
        service_bucket: str,
        s3_endpoint: str | None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.engine = engine
        self.loaded_engine = loaded_engine
        self.submit = submit
        self.service_bucket = service_bucket
        self.s3_endpoint = s3_endpoint.rstrip("/") if s3_endpoint else None

    # Start, get, list, delete

    def start(self, ctx: RequestContext, params: dict[str, Any]) -> TranscriptionJobRow:
        name = params["TranscriptionJobName"]
        self._check_supported(params)
        language = self._check_language(params)
        media_uri = params["Media"].get("MediaFileUri")
        if not media_uri:
            raise ServiceError("BadRequestException", "Media.MediaFileUri is required.")
        try:
            parse_s3_uri(media_uri)
        except InvalidBlobKey as error:
            raise ServiceError("BadRequestException", str(error)) from None
        output = self._output_place(ctx, name, params)
        request = {key: value for key, value in params.items() if key != "TranscriptionJobName"}
        try:
            with self.db.transaction() as session:
                if _find(session, ctx, name) is not None:
                    raise _conflict()
                self._check_vocabulary(session, ctx, params, language)
                row = TranscriptionJobRow(
                    account_id=ctx.account_id,
                    region=ctx.region,
                    name=name,
                    status="QUEUED",
                    request=request,
                    language_code=language,
                    media_format=params.get("MediaFormat"),
                    sample_rate=params.get("MediaSampleRateHertz"),
                    output_bucket=output.bucket,
                    output_key=output.key,
                    customer_bucket=output.customer_bucket,
                    attempts=0,
                    created_at=dt.datetime.now(dt.UTC),
                )
                session.add(row)
        except IntegrityError:  # a concurrent start with the same name won the race
            raise _conflict() from None
        self.submit(row.id)
        return row

    def get(self, ctx: RequestContext, name: str) -> TranscriptionJobRow:
        with self.db.reading() as session:
            row = _find(session, ctx, name)
        if row is None:
            raise not_found()
        return row

    def delete(self, ctx: RequestContext, name: str) -> None:
        with self.db.transaction() as session:
            row = _find(session, ctx, name)
            if row is None:
                # DeleteTranscriptionJob models no NotFoundException; AWS answers BadRequest.
                raise ServiceError(
                    "BadRequestException",
                    "The requested job couldn't be found. Check the job name and try again.",
                )
            managed = None if row.customer_bucket else (row.output_bucket, row.output_key)
            session.delete(row)
        if managed is not None:
            # The transcript in the service's own bucket goes with the job, as on AWS; one
            # in the caller's bucket is the caller's.
            with contextlib.suppress(BlobError):
                self.blobs.delete(*managed)

    def page(
        self,
        ctx: RequestContext,
        status: str | None,
        name_contains: str | None,
        max_results: int | None,
        token: str | None,
    ) -> tuple[list[TranscriptionJobRow], str | None]:
        """Newest first, as Transcribe lists them."""
        scope = f"jobs:{ctx.account_id}:{ctx.region}:{status}:{name_contains}"
        before: int | None = None
        if token:
            try:
                before = int(read_token(scope, token))
            except (BadToken, ValueError, TypeError):
                raise ServiceError("BadRequestException", "Invalid NextToken.") from None
        limit = max_results or DEFAULT_PAGE_SIZE
        query = select(TranscriptionJobRow).where(
            TranscriptionJobRow.account_id == ctx.account_id,
            TranscriptionJobRow.region == ctx.region,
        )
        if before is not None:
            query = query.where(TranscriptionJobRow.id < before)
        if status:
            query = query.where(TranscriptionJobRow.status == status)
        if name_contains:
            query = query.where(TranscriptionJobRow.name.icontains(name_contains, autoescape=True))
        query = query.order_by(TranscriptionJobRow.id.desc()).limit(limit + 1)
        with self.db.reading() as session:
            rows = list(session.scalars(query))
        next_token = make_token(scope, rows[limit - 1].id) if len(rows) > limit else None
        return rows[:limit], next_token

    def transcript_uri(self, row: TranscriptionJobRow) -> str:
        """Where the caller fetches the result: the S3-compatible endpoint's path-style URL
        when one is configured (as AWS returns https://s3.REGION.amazonaws.com/BUCKET/KEY),
        else the s3:// URI of the local bucket (the file DATA_DIR/s3/BUCKET/KEY)."""
        if self.s3_endpoint:
            return f"{self.s3_endpoint}/{row.output_bucket}/{row.output_key}"
        return f"s3://{row.output_bucket}/{row.output_key}"

    # Running

    def recover(self) -> None:
        """After a restart: retry or fail interrupted jobs, then queue every QUEUED one."""
        with self.db.transaction() as session:
            interrupted = session.scalars(
                select(TranscriptionJobRow).where(TranscriptionJobRow.status == "IN_PROGRESS")
            )
            for row in interrupted:
                if row.attempts >= MAX_ATTEMPTS:
                    _settle_failed(
                        row,
                        f"The server stopped while this job was running, {row.attempts} times; "
                        "it was not retried again.",
                    )
                else:
                    row.status = "QUEUED"
                    row.started_at = None
            queued = list(
                session.scalars(
                    select(TranscriptionJobRow.id)
                    .where(TranscriptionJobRow.status == "QUEUED")
                    .order_by(TranscriptionJobRow.id)
                )
            )
        for job_id in queued:
            self.submit(job_id)
        if queued:
            log.info("transcribe: resumed %d queued jobs", len(queued))

    def run(self, job_id: int) -> None:
        with self.db.transaction() as session:
            row = session.get(TranscriptionJobRow, job_id)
            if row is None or row.status != "QUEUED":
                return  # deleted, or already taken
            row.status = "IN_PROGRESS"
            row.started_at = dt.datetime.now(dt.UTC)
            row.attempts += 1
            attempt = row.attempts
        try:
            fields = self._transcribe(row)
        except JobFailed as failure:
            self._finish(job_id, attempt, failure=str(failure))
        except Exception as error:
            log.exception("transcription job %s failed unexpectedly", row.name)
            self._finish(job_id, attempt, failure=f"Internal error: {type(error).__name__}")
        else:
            self._finish(job_id, attempt, fields=fields)

    def _transcribe(self, row: TranscriptionJobRow) -> dict[str, Any]:
        """Read, decode, transcribe, write the result; the fields COMPLETED sets."""
        request = row.request
        audio = self.decode(self.read_media(request["Media"]["MediaFileUri"]), request)
        prompt = self._hotwords(row)
        language = row.language_code
        engine = self.loaded_engine()
        transcription = engine.transcribe(
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
        document = transcript.result_document(row.name, row.account_id, language, transcription)
        try:
            self.blobs.write(row.output_bucket, row.output_key, transcript.encode(document))
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
            "transcript_uri": self.transcript_uri(row),
        }

    def decode(self, data: bytes, request: dict[str, Any]) -> DecodedAudio:
        try:
            audio = decode_audio(data)
        except EmptyAudio as error:
            raise JobFailed(f"The media file contains no audio: {error}.") from None
        except UndecodableAudio as error:
            raise JobFailed(f"Failed to parse audio file: {error}.") from None
        if audio.media_format is None:
            raise JobFailed(
                f"The media format ({audio.container}) is not supported. Use one of: "
                f"{', '.join(SUPPORTED_FORMATS)}."
            )
        declared = request.get("MediaFormat")
        if declared and _family(declared) != audio.media_format:
            raise JobFailed(
                f"The media format that you specified ({declared}) doesn't match the detected "
                f"media format ({audio.media_format}). Check the media format and try again."
            )
        rate = request.get("MediaSampleRateHertz")
        if rate and audio.source_rate and rate != audio.source_rate:
            raise JobFailed(
                f"The specified sample rate {rate} Hz doesn't match the media file's "
                f"{audio.source_rate} Hz."
            )
        if audio.duration > MAX_MEDIA_SECONDS:
            raise JobFailed("The media file is longer than 4 hours.")
        return audio

    def _hotwords(self, row: TranscriptionJobRow) -> str | None:
        name = row.request.get("Settings", {}).get("VocabularyName")
        if not name:
            return None
        ctx = RequestContext(request_id="job", account_id=row.account_id, region=row.region)
        with self.db.reading() as session:
            vocabulary = find_vocabulary(session, ctx, name)
            if vocabulary is None or vocabulary.state != "READY":
                raise JobFailed(f"The vocabulary {name} was deleted before the job ran.")
            return hotwords(vocabulary.phrases)

    def read_media(self, uri: str, max_bytes: int = MAX_MEDIA_BYTES) -> bytes:
        try:
            bucket, key = parse_s3_uri(uri)
            return self.blobs.read(bucket, key, max_bytes=max_bytes)
        except BlobNotFound:
            raise JobFailed(
                f"The URI that you provided doesn't point to an S3 object ({uri}). Make sure "
                "that the object exists and try your request again."
            ) from None
        except BlobError as error:
            raise JobFailed(f"The media file can't be read: {error}") from None

    def _finish(
        self,
        job_id: int,
        attempt: int,
        *,
        fields: dict[str, Any] | None = None,
        failure: str | None = None,
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        values: dict[str, Any] = {"completed_at": now}
        if failure is not None:
            values.update(status="FAILED", failure_reason=failure)
        else:
            values.update(status="COMPLETED", **(fields or {}))
        with self.db.transaction() as session:
            # Only the attempt that took the job settles it (a deleted job stays deleted).
            session.execute(
                update(TranscriptionJobRow)
                .where(
                    TranscriptionJobRow.id == job_id,
                    TranscriptionJobRow.status == "IN_PROGRESS",
                    TranscriptionJobRow.attempts == attempt,
                )
                .values(**values)
            )

    # Validation at Start

    def _check_supported(self, params: dict[str, Any]) -> None:
        refused = [what for key, what in _UNSUPPORTED.items() if params.get(key)]
        settings = params.get("Settings", {})
        refused += [what for key, what in _UNSUPPORTED_SETTINGS.items() if settings.get(key)]
        if params["Media"].get("RedactedMediaFileUri"):
            refused.append("redacted media")
        if refused:
            raise ServiceError(
                "BadRequestException",
                "This server does not support " + ", ".join(refused) + ".",
            )

    def _check_language(self, params: dict[str, Any]) -> str | None:
        """The job's language code; None when it is to be identified."""
        code = params.get("LanguageCode")
        identify = bool(params.get("IdentifyLanguage"))
        if bool(code) == identify:
            raise ServiceError(
                "BadRequestException",
                "Specify exactly one of LanguageCode and IdentifyLanguage.",
            )
        if code:
            if not self.engine.serves(whisper_code(code)):
                raise _unserved(code, self.engine)
            return str(code)
        options: list[str] = params.get("LanguageOptions") or []
        served = [option for option in options if self.engine.serves(whisper_code(option))]
        if options and not served:
            raise _unserved(", ".join(options), self.engine)
        if not self.engine.multilingual:
            # One language installed: identification has a single candidate.
            return served[0] if served else "en-US"
        return None

    def _check_vocabulary(
        self, session: Session, ctx: RequestContext, params: dict[str, Any], language: str | None
    ) -> None:
        name = params.get("Settings", {}).get("VocabularyName")
        if not name:
            return
        vocabulary = find_vocabulary(session, ctx, name)
        if vocabulary is None or vocabulary.state != "READY":
            raise ServiceError(
                "BadRequestException",
                f"The requested vocabulary {name} couldn't be found or isn't READY. Check the "
                "vocabulary name and try your request again.",
            )
        if language and whisper_code(vocabulary.language_code) != whisper_code(language):
            raise ServiceError(
                "BadRequestException",
                f"The vocabulary {name} is for {vocabulary.language_code}, not {language}.",
            )

    def _output_place(self, ctx: RequestContext, name: str, params: dict[str, Any]) -> OutputPlace:
        bucket = params.get("OutputBucketName")
        key = params.get("OutputKey")
        if not bucket:
            if key:
                raise ServiceError(
                    "BadRequestException", "OutputKey needs OutputBucketName as well."
                )
            return OutputPlace(
                self.service_bucket, f"{ctx.account_id}/{ctx.region}/{name}.json", False
            )
        if not key:
            key = f"{name}.json"
        elif key.endswith("/"):
            key = f"{key}{name}.json"
        elif not key.endswith(".json"):
            key = f"{key}.json"
        return OutputPlace(bucket, key, True)


def _find(session: Session, ctx: RequestContext, name: str) -> TranscriptionJobRow | None:
    return session.scalar(
        select(TranscriptionJobRow).filter_by(
            account_id=ctx.account_id, region=ctx.region, name=name
        )
    )


def _family(media_format: str) -> str:
    return "mp4" if media_format == "m4a" else media_format


def _settle_failed(row: TranscriptionJobRow, reason: str) -> None:
    row.status = "FAILED"
    row.failure_reason = reason
    row.completed_at = dt.datetime.now(dt.UTC)


def _conflict() -> ServiceError:
    return ServiceError(
        "ConflictException", "The requested job name already exists. Use a different job name."
    )


def _unserved(code: str, engine: WhisperEngine) -> ServiceError:
    kind = "multilingual" if engine.multilingual else "English-only"
    return ServiceError(
        "BadRequestException",
        f"No installed speech model serves {code}: the Whisper model at {engine.model_dir} is "
        f"{kind}. Configure a multilingual model with SENSORIUM_WHISPER_MODEL.",
    )
