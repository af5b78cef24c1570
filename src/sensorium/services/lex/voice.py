"""RecognizeUtterance's audio: speech in through Whisper, the reply out through Polly voices,
and the gzip+base64 header encoding Lex uses for structured response headers."""

from __future__ import annotations

import base64
import binascii
import gzip
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.models.stt import AudioError, WhisperEngine, decode_audio

# Response-Content-Type -> Polly output format and sample rate.
AUDIO_OUT = {
    "audio/mpeg": ("mp3", "22050"),
    "audio/ogg": ("ogg_vorbis", "22050"),
    "audio/pcm": ("pcm", "16000"),
}
DEFAULT_VOICE = "Joanna"


def encode_header(value: Any) -> str:
    raw = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return base64.b64encode(gzip.compress(raw.encode())).decode("ascii")


def decode_request_header(value: str, name: str) -> Any:
    """Request headers (sessionState, requestAttributes) are base64 JSON, gzip optional."""
    try:
        raw = base64.b64decode(value)
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw)
    except (binascii.Error, ValueError, OSError):
        raise ServiceError("ValidationException", f"{name} is not base64-encoded JSON.") from None


def transcribe(engine: Callable[[], WhisperEngine], content_type: str, data: bytes) -> str:
    kind = content_type.split(";")[0].strip().lower()
    if kind == "audio/l16" or kind == "audio/lpcm":
        samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32)
        samples /= 32768.0
        rate = _parameter(content_type, "rate", "16000")
        if rate != "16000":
            raise ServiceError("ValidationException", "audio/l16 input must be 16000 Hz.")
    else:
        try:
            samples = decode_audio(data).samples
        except AudioError as error:
            raise ServiceError(
                "ValidationException", f"The audio cannot be read: {error}"
            ) from None
    return engine().transcribe(samples, language="en").text.strip()


def _parameter(content_type: str, name: str, default: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == name:
            return value.strip()
    return default


def speak(
    synthesizer: Any, ctx: RequestContext, text: str, content_type: str, voice_id: str
) -> bytes:
    kind = content_type.split(";")[0].strip().lower()
    if kind not in AUDIO_OUT:
        raise ServiceError(
            "ValidationException",
            f"responseContentType {content_type} is not supported; use text/plain; "
            f"charset=utf-8 or one of {', '.join(AUDIO_OUT)}.",
        )
    output_format, rate = AUDIO_OUT[kind]
    params = {"Text": text, "OutputFormat": output_format, "VoiceId": voice_id, "SampleRate": rate}
    prepared = synthesizer.prepare(ctx, params)
    return b"".join(synthesizer.stream(prepared))
