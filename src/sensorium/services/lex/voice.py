"""RecognizeUtterance's audio: speech in through Transcribe's recogniser, the reply out through
Polly's synthesizer, and the gzip+base64 header encoding Lex uses for structured headers."""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.models.stt import SAMPLE_RATE, AudioError, AudioTooLong, decode_audio
from sensorium.services.lex.errors import DependencyFailedException, ValidationException

if TYPE_CHECKING:
    from sensorium.services.polly.synthesis import Synthesizer
    from sensorium.services.transcribe.recogniser import Recogniser

# Response-Content-Type -> Polly output format and sample rate.
AUDIO_OUT = {
    "audio/mpeg": ("mp3", "22050"),
    "audio/ogg": ("ogg_vorbis", "22050"),
    "audio/pcm": ("pcm", "16000"),
}
DEFAULT_VOICE = "Joanna"
MAX_HEADER_JSON_BYTES = 1024 * 1024
MAX_SPEECH_SECONDS = 15  # Lex's quota on speech input


class Voice:
    """Lex's ears and mouth: the Transcribe and Polly services' models, when they are
    enabled (None when not)."""

    def __init__(self, recogniser: Recogniser | None, synthesizer: Synthesizer | None) -> None:
        self.recogniser = recogniser
        self.synthesizer = synthesizer

    def listen(self, content_type: str, data: bytes, locale_id: str) -> str:
        """What was said, in the locale's language."""
        if self.recogniser is None:
            raise _needs("Speech input", "transcribe")
        samples = _samples(content_type, data)
        language = locale_id.split("_")[0]  # Whisper's code: en_US -> en
        return self.recogniser.model().transcribe(samples, language).text.strip()

    def speak(self, ctx: RequestContext, text: str, content_type: str, voice_id: str) -> bytes:
        kind = content_type.split(";")[0].strip().lower()
        if kind not in AUDIO_OUT:
            raise ValidationException(
                f"responseContentType {content_type} is not supported; use text/plain; "
                f"charset=utf-8 or one of {', '.join(AUDIO_OUT)}.",
            )
        if self.synthesizer is None:
            raise _needs("Speech output", "polly")
        output_format, rate = AUDIO_OUT[kind]
        params: dict[str, object] = {
            "Text": text,
            "OutputFormat": output_format,
            "VoiceId": voice_id,
            "SampleRate": rate,
        }
        try:
            prepared = self.synthesizer.prepare(ctx, params)
            return b"".join(self.synthesizer.stream(prepared))
        except ServiceError as error:  # Polly's own error: Lex names it a dependency's
            raise DependencyFailedException(f"Amazon Polly: {error.message}") from None


def _needs(what: str, service: str) -> DependencyFailedException:
    return DependencyFailedException(
        f"{what} needs the {service} service, which this server does not run; add {service} "
        "to SENSORIUM_SERVICES."
    )


def _samples(content_type: str, data: bytes) -> npt.NDArray[np.float32]:
    """16 kHz mono samples of the request's audio."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("audio/l16", "audio/lpcm"):
        if _parameter(content_type, "rate", "16000") != "16000":
            raise ValidationException("audio/l16 input must be 16000 Hz.")
        if len(data) // 2 > MAX_SPEECH_SECONDS * SAMPLE_RATE:
            raise _too_long()
        pcm = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2")
        return pcm.astype(np.float32) / np.float32(32768.0)
    try:
        return decode_audio(data, MAX_SPEECH_SECONDS).samples
    except AudioTooLong:
        raise _too_long() from None
    except AudioError as error:
        raise ValidationException(f"The audio cannot be read: {error}") from None


def _too_long() -> ValidationException:
    return ValidationException(f"Speech input can be up to {MAX_SPEECH_SECONDS} seconds long.")


def _parameter(content_type: str, name: str, default: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == name:
            return value.strip()
    return default


def encode_header(value: Any) -> str:
    raw = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return base64.b64encode(gzip.compress(raw.encode())).decode("ascii")


def decode_request_header(value: str, name: str) -> Any:
    """Request headers (sessionState, requestAttributes) are base64 JSON, gzip optional; what
    they unpack to is bounded (a gzip bomb, JSON nested past parsing, lone surrogates)."""
    try:
        raw = base64.b64decode(value)
        if raw[:2] == b"\x1f\x8b":
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = inflater.decompress(raw, MAX_HEADER_JSON_BYTES)
            if inflater.unconsumed_tail:
                raise ValidationException(f"{name} unpacks to more than 1 MB.")
        parsed = json.loads(raw)
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")  # no lone surrogates
    except (binascii.Error, ValueError, zlib.error):  # UnicodeError is a ValueError
        raise ValidationException(f"{name} is not base64-encoded JSON.") from None
    except RecursionError:
        raise ValidationException(f"{name} is nested too deeply.") from None
    return parsed
