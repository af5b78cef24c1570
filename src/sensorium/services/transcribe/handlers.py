"""Transcribe operations: modelled input dict in, modelled output dict out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sensorium.context import RequestContext
from sensorium.operations import Handler, OperationRegistry, Params
from sensorium.services.transcribe.jobs import TranscriptionJobs
from sensorium.services.transcribe.synchronous import SynchronousTranscriber
from sensorium.services.transcribe.tables import TranscriptionJobRow, VocabularyRow
from sensorium.services.transcribe.vocabularies import VocabularyInput, VocabularyService
from sensorium.storage.owned import aware
from sensorium.storage.paging import Page

SERVICE = "transcribe"
_ECHOED = ("Settings", "JobExecutionSettings", "IdentifyLanguage", "LanguageOptions", "Tags")


def register(
    registry: OperationRegistry,
    jobs: TranscriptionJobs,
    vocabularies: VocabularyService,
    synchronous: SynchronousTranscriber,
) -> None:
    @registry.handler(SERVICE, "TranscribeAudio")
    def transcribe_audio(ctx: RequestContext, params: Params) -> Params:
        return synchronous.transcribe(ctx, params)

    @registry.handler(SERVICE, "StartTranscriptionJob")
    def start_transcription_job(ctx: RequestContext, params: Params) -> Params:
        return {"TranscriptionJob": _job(jobs.start(ctx, params), None)}

    @registry.handler(SERVICE, "GetTranscriptionJob")
    def get_transcription_job(ctx: RequestContext, params: Params) -> Params:
        row = jobs.get(ctx, params["TranscriptionJobName"])
        done = row.status == "COMPLETED"
        return {"TranscriptionJob": _job(row, jobs.transcript_url(ctx, row) if done else None)}

    @registry.handler(SERVICE, "DeleteTranscriptionJob")
    def delete_transcription_job(ctx: RequestContext, params: Params) -> Params:
        jobs.delete(ctx, params["TranscriptionJobName"])
        return {}

    @registry.handler(SERVICE, "CreateVocabulary")
    def create_vocabulary(ctx: RequestContext, params: Params) -> Params:
        return _vocabulary(vocabularies.create(ctx, VocabularyInput.of(params)))

    @registry.handler(SERVICE, "UpdateVocabulary")
    def update_vocabulary(ctx: RequestContext, params: Params) -> Params:
        # UpdateVocabulary's output has no FailureReason.
        return _vocabulary_summary(vocabularies.update(ctx, VocabularyInput.of(params)))

    @registry.handler(SERVICE, "GetVocabulary")
    def get_vocabulary(ctx: RequestContext, params: Params) -> Params:
        row = vocabularies.get(ctx, params["VocabularyName"])
        result = _vocabulary(row)
        download = vocabularies.download_url(ctx, row)
        if download:
            result["DownloadUri"] = download
        return result

    registry.add(
        SERVICE,
        "ListTranscriptionJobs",
        _listing(jobs.page, "TranscriptionJobSummaries", _summary, "Status", "JobNameContains"),
    )
    registry.add(
        SERVICE,
        "ListVocabularies",
        _listing(
            vocabularies.page, "Vocabularies", _vocabulary_summary, "StateEquals", "NameContains"
        ),
    )

    @registry.handler(SERVICE, "DeleteVocabulary")
    def delete_vocabulary(ctx: RequestContext, params: Params) -> Params:
        vocabularies.delete(ctx, params["VocabularyName"])
        return {}


def _listing(
    page: Callable[..., Page[Any]],
    key: str,
    summary: Callable[[Any], Params],
    status_member: str,
    contains_member: str,
) -> Handler:
    """A List operation filtered by a status and a part of the name; its output echoes the
    status it was filtered by."""

    def handler(ctx: RequestContext, params: Params) -> Params:
        status = params.get(status_member)
        found = page(
            ctx,
            status,
            params.get(contains_member),
            params.get("MaxResults"),
            params.get("NextToken"),
        )
        result = found.output(key, summary)
        if status:
            result["Status"] = status
        return result

    return handler


def _job(row: TranscriptionJobRow, transcript: str | None) -> Params:
    """The job as AWS describes it; ``transcript``: the URL of its result, once COMPLETED."""
    request: dict[str, Any] = row.request
    settings = request.get("Settings", {})
    job: Params = {
        "TranscriptionJobName": row.name,
        "TranscriptionJobStatus": row.status,
        "Media": request["Media"],
        "CreationTime": aware(row.created_at),
        "Transcript": {},
    }
    if row.language_code:
        job["LanguageCode"] = row.language_code
    if row.media_format:
        job["MediaFormat"] = row.media_format
    if row.sample_rate:
        job["MediaSampleRateHertz"] = row.sample_rate
    if row.started_at:
        job["StartTime"] = aware(row.started_at)
    if row.completed_at:
        job["CompletionTime"] = aware(row.completed_at)
    if transcript:
        job["Transcript"] = {"TranscriptFileUri": transcript}
    if row.failure_reason:
        job["FailureReason"] = row.failure_reason
    if row.identified_language_score is not None:
        job["IdentifiedLanguageScore"] = row.identified_language_score
    job.update({key: request[key] for key in _ECHOED if key in request})
    # AWS always answers these two, false when the request left them out.
    job["Settings"] = {"ChannelIdentification": False, "ShowAlternatives": False, **settings}
    return job


def _summary(row: TranscriptionJobRow) -> Params:
    summary: Params = {
        "TranscriptionJobName": row.name,
        "CreationTime": aware(row.created_at),
        "TranscriptionJobStatus": row.status,
        "OutputLocationType": "CUSTOMER_BUCKET" if row.customer_bucket else "SERVICE_BUCKET",
    }
    if row.language_code:
        summary["LanguageCode"] = row.language_code
    if row.started_at:
        summary["StartTime"] = aware(row.started_at)
    if row.completed_at:
        summary["CompletionTime"] = aware(row.completed_at)
    if row.failure_reason:
        summary["FailureReason"] = row.failure_reason
    if row.request.get("IdentifyLanguage"):
        summary["IdentifyLanguage"] = True
    if row.identified_language_score is not None:
        summary["IdentifiedLanguageScore"] = row.identified_language_score
    return summary


def _vocabulary(row: VocabularyRow) -> Params:
    result: Params = {
        "VocabularyName": row.name,
        "LanguageCode": row.language_code,
        "VocabularyState": row.state,
        "LastModifiedTime": aware(row.updated_at),
    }
    if row.failure_reason:
        result["FailureReason"] = row.failure_reason
    return result


def _vocabulary_summary(row: VocabularyRow) -> Params:
    result = _vocabulary(row)
    result.pop("FailureReason", None)
    return result
