"""TranscribeAudio: one media file in, its transcript in the same response (no job)."""

from __future__ import annotations

import json
from typing import Any

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.context import RequestContext
from sensorium.errors import BlobError, InvalidBlobKey, ServiceError
from sensorium.services.transcribe import media
from sensorium.services.transcribe.errors import BadRequestException
from sensorium.services.transcribe.languages import transcribe_code, whisper_code
from sensorium.services.transcribe.recogniser import Recogniser
from sensorium.services.transcribe.vocabularies import VocabularyService, hotwords

MIN_SECONDS = 0.5  # AWS: the audio must be between 0.5 seconds and 1 hour long
MAX_SECONDS = 3600.0
MAX_URI_BYTES = 500 * 1024 * 1024  # AWS: 500 MB from S3 (inline bytes: 25 MB, in the model)

# Options of the request that this server cannot honour: refused, never silently ignored.
_UNSUPPORTED = {
    "ChannelIdentification": "channel identification",
    "ShowSpeakerLabels": "speaker labels",
    "VocabularyFilterSettings": "vocabulary filters",
    "ContentRedaction": "content redaction",
}


def bad_request(message: str) -> ServiceError:
    return BadRequestException(message)


class SynchronousTranscriber:
    def __init__(
        self, recogniser: Recogniser, vocabularies: VocabularyService, blobs: Buckets
    ) -> None:
        self.recogniser = recogniser
        self.vocabularies = vocabularies
        self.blobs = blobs

    def transcribe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refused = [what for key, what in _UNSUPPORTED.items() if params.get(key)]
        if refused:
            raise bad_request("This server does not support " + ", ".join(refused) + ".")
        language, options = self._language(params)
        prompt = self._hotwords(ctx, params.get("VocabularySettings") or [], language, options)
        output = params.get("OutputConfiguration")
        if output:  # the caller's to write, checked before any work
            self._check_output(ctx, output["OutputMediaFileUri"])
        given = params["Media"]
        try:
            if "MediaBytes" in given:
                data = given["MediaBytes"]
            elif "MediaFileUri" in given:
                data = media.read_media(self.blobs, ctx.scope, given["MediaFileUri"], MAX_URI_BYTES)
            else:
                raise bad_request("Media needs MediaBytes or MediaFileUri.")
            audio = media.decode(data, {}, MAX_SECONDS)
        except media.MediaProblem as problem:
            raise bad_request(str(problem)) from None
        if audio.duration < MIN_SECONDS:
            raise bad_request(
                f"The audio is {audio.duration:.2f} s long; TranscribeAudio takes between "
                f"{MIN_SECONDS} seconds and 1 hour."
            )
        transcription = self.recogniser.model().transcribe(
            audio.samples, whisper_code(language) if language else None, prompt
        )
        code = transcribe_code(transcription.language, options if not language else [language])
        if code is None:
            raise bad_request(
                f"The identified language ({transcription.language}) is not among "
                f"LanguageOptions {options}."
            )
        items: list[dict[str, Any]] = []
        for index, token in enumerate(transcription.tokens):
            item: dict[str, Any] = {"Id": index, "Content": token.content, "LanguageCode": code}
            if token.kind == "pronunciation":
                item["StartTime"] = token.start
                item["EndTime"] = token.end
            items.append(item)
        response = {
            "Metadata": {
                "LanguageCode": code,
                "MediaFormat": audio.media_format,
                "MediaSampleRateHertz": audio.source_rate,
                "NumberOfChannels": audio.channels,
            },
            "Results": {"Transcript": transcription.text, "Items": items},
        }
        output = params.get("OutputConfiguration")
        if output:
            self._write(ctx, output["OutputMediaFileUri"], response)
            return {"OutputConfiguration": output}
        return {"TranscriptResponse": response}

    def _language(self, params: dict[str, Any]) -> tuple[str | None, list[str]]:
        """The language to transcribe (None: identify it) and the identification options."""
        language: str | None = params.get("Language")
        identify = params.get("LanguageDetectionMode") == "IDENTIFY_LANGUAGE"
        if bool(language) == identify:
            raise bad_request("Specify exactly one of Language and LanguageDetectionMode.")
        engine = self.recogniser
        if language:
            code = "en-US" if language == "en" else language
            if not engine.serves(whisper_code(code)):
                raise bad_request(f"No installed speech model serves {language}.")
            return code, []
        options = [str(option) for option in params.get("LanguageOptions") or []]
        served = [option for option in options if engine.serves(whisper_code(option))]
        if options and not served:
            raise bad_request(f"No installed speech model serves {', '.join(options)}.")
        if not engine.multilingual:
            return (served[0] if served else "en-US"), served
        return None, served

    def _hotwords(
        self,
        ctx: RequestContext,
        settings: list[dict[str, Any]],
        language: str | None,
        options: list[str],
    ) -> str | None:
        phrases: list[str] = []
        for entry in settings:
            if language and whisper_code(entry["Language"]) != whisper_code(language):
                continue
            for phrase in entry.get("Phrases") or []:
                phrases.append(phrase.get("DisplayAs") or phrase["Text"])
            name = entry.get("VocabularyName")
            if name:
                try:
                    vocabulary = self.vocabularies.get(ctx, name)
                except ServiceError as error:
                    raise bad_request(error.message) from None
                if vocabulary.state != "READY":
                    raise bad_request(f"The vocabulary {name} isn't READY.")
                phrases += vocabulary.phrases
        return hotwords(phrases) if phrases else None

    def _check_output(self, ctx: RequestContext, uri: str) -> None:
        try:
            bucket, key = parse_s3_uri(uri)
            self.blobs.allow(ctx.scope, bucket, key)
        except (BlobError, InvalidBlobKey) as error:
            raise bad_request(f"The transcript can't be written to {uri}: {error}") from None

    def _write(self, ctx: RequestContext, uri: str, response: dict[str, Any]) -> None:
        try:
            bucket, key = parse_s3_uri(uri)
            body = json.dumps({"TranscriptResponse": response}, ensure_ascii=False).encode()
            self.blobs.write(ctx.scope, bucket, key, body)
        except (BlobError, InvalidBlobKey) as error:
            raise bad_request(f"The transcript can't be written to {uri}: {error}") from None
