"""Reading and decoding the media a transcription names, with Transcribe's limits."""

from __future__ import annotations

from typing import Any

from sensorium.blobs import Buckets, parse_s3_uri
from sensorium.context import Scope
from sensorium.errors import BlobError, BlobNotFound, InvalidBlobKey
from sensorium.models.stt import (
    AudioTooLong,
    DecodedAudio,
    EmptyAudio,
    UndecodableAudio,
    decode_audio,
)

MAX_MEDIA_BYTES = 2 * 1024**3  # Transcribe's limit for batch jobs
MAX_MEDIA_SECONDS = 4 * 3600
SUPPORTED_FORMATS = ("amr", "flac", "m4a", "mp3", "mp4", "ogg", "wav", "webm")


class MediaProblem(Exception):
    """The media cannot be transcribed; the message says why, in Transcribe's words."""


def read_media(blobs: Buckets, scope: Scope, uri: str, max_bytes: int = MAX_MEDIA_BYTES) -> bytes:
    try:
        bucket, key = parse_s3_uri(uri)
        return blobs.read(scope, bucket, key, max_bytes=max_bytes)
    except BlobNotFound:
        raise MediaProblem(
            f"The URI that you provided doesn't point to an S3 object ({uri}). Make sure "
            "that the object exists and try your request again."
        ) from None
    except (BlobError, InvalidBlobKey) as error:
        raise MediaProblem(f"The media file can't be read: {error}") from None


def decode(
    data: bytes, request: dict[str, Any], max_seconds: float = MAX_MEDIA_SECONDS
) -> DecodedAudio:
    """The audio, checked against the format and rate the request declares; no more than
    ``max_seconds`` of it is ever decoded."""
    try:
        audio = decode_audio(data, max_seconds)
    except AudioTooLong:
        raise MediaProblem(_too_long(max_seconds)) from None
    except EmptyAudio as error:
        raise MediaProblem(f"The media file contains no audio: {error}.") from None
    except UndecodableAudio as error:
        raise MediaProblem(f"Failed to parse audio file: {error}.") from None
    if audio.media_format is None:
        raise MediaProblem(
            f"The media format ({audio.container}) is not supported. Use one of: "
            f"{', '.join(SUPPORTED_FORMATS)}."
        )
    declared = request.get("MediaFormat")
    if declared and _family(declared) != audio.media_format:
        raise MediaProblem(
            f"The media format that you specified ({declared}) doesn't match the detected "
            f"media format ({audio.media_format}). Check the media format and try again."
        )
    rate = request.get("MediaSampleRateHertz")
    if rate and audio.source_rate and rate != audio.source_rate:
        raise MediaProblem(
            f"The specified sample rate {rate} Hz doesn't match the media file's "
            f"{audio.source_rate} Hz."
        )
    return audio


def _too_long(max_seconds: float) -> str:
    hours = max_seconds / 3600
    return f"The media file is longer than {hours:g} hour{'s' if hours != 1 else ''}."


def _family(media_format: str) -> str:
    return "mp4" if media_format == "m4a" else media_format
