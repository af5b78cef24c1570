"""Transcribe operations: modelled input dict in, modelled output dict out."""

from __future__ import annotations

from typing import Any

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.transcribe.jobs import TranscriptionJobs
from sensorium.services.transcribe.synchronous import SynchronousTranscriber
from sensorium.services.transcribe.tables import TranscriptionJobRow, VocabularyRow
from sensorium.services.transcribe.vocabularies import VocabularyService
from sensorium.storage.owned import aware

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
        return {"TranscriptionJob": _job(jobs.start(ctx, params))}

    @registry.handler(SERVICE, "GetTranscriptionJob")
    def get_transcription_job(ctx: RequestContext, params: Params) -> Params:
        return {"TranscriptionJob": _job(jobs.get(ctx, params["TranscriptionJobName"]))}

    @registry.handler(SERVICE, "ListTranscriptionJobs")
    def list_transcription_jobs(ctx: RequestContext, params: Params) -> Params:
        status = params.get("Status")
        page = jobs.page(
            ctx,
            status,
            params.get("JobNameContains"),
            params.get("MaxResults"),
            params.get("NextToken"),
        )
        result = page.output("TranscriptionJobSummaries", _summary)
        if status:
            result["Status"] = status
        return result

    @registry.handler(SERVICE, "DeleteTranscriptionJob")
    def delete_transcription_job(ctx: RequestContext, params: Params) -> Params:
        jobs.delete(ctx, params["TranscriptionJobName"])
        return {}

    @registry.handler(SERVICE, "CreateVocabulary")
    def create_vocabulary(ctx: RequestContext, params: Params) -> Params:
        row = vocabularies.create(
            ctx,
            params["VocabularyName"],
            params["LanguageCode"],
            params.get("Phrases"),
            params.get("VocabularyFileUri"),
        )
        return _vocabulary(row)

    @registry.handler(SERVICE, "UpdateVocabulary")
    def update_vocabulary(ctx: RequestContext, params: Params) -> Params:
        row = vocabularies.update(
            ctx,
            params["VocabularyName"],
            params["LanguageCode"],
            params.get("Phrases"),
            params.get("VocabularyFileUri"),
        )
        return _vocabulary_summary(row)  # UpdateVocabulary's output has no FailureReason

    @registry.handler(SERVICE, "GetVocabulary")
    def get_vocabulary(ctx: RequestContext, params: Params) -> Params:
        return _vocabulary(vocabularies.get(ctx, params["VocabularyName"]))

    @registry.handler(SERVICE, "ListVocabularies")
    def list_vocabularies(ctx: RequestContext, params: Params) -> Params:
        state = params.get("StateEquals")
        page = vocabularies.page(
            ctx,
            state,
            params.get("NameContains"),
            params.get("MaxResults"),
            params.get("NextToken"),
        )
        result = page.output("Vocabularies", _vocabulary_summary)
        if state:
            result["Status"] = state
        return result

    @registry.handler(SERVICE, "DeleteVocabulary")
    def delete_vocabulary(ctx: RequestContext, params: Params) -> Params:
        vocabularies.delete(ctx, params["VocabularyName"])
        return {}


def _job(row: TranscriptionJobRow) -> Params:
    request: dict[str, Any] = row.request
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
    if row.status == "COMPLETED" and row.transcript_uri:
        job["Transcript"] = {"TranscriptFileUri": row.transcript_uri}
    if row.failure_reason:
        job["FailureReason"] = row.failure_reason
    if row.identified_language_score is not None:
        job["IdentifiedLanguageScore"] = row.identified_language_score
    job.update({key: request[key] for key in _ECHOED if key in request})
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
