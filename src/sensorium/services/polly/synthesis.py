"""SynthesizeSpeech: check the request, plan the utterance, stream audio or speech marks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from sensorium.context import RequestContext
from sensorium.models.registry import ModelRegistry
from sensorium.models.tts import plan, ssml
from sensorium.models.tts.encode import CONTENT_TYPES, encode_stream
from sensorium.models.tts.kokoro.model import KokoroModel
from sensorium.models.tts.kokoro.phonemes import phonemiser
from sensorium.models.tts.piper_voice import PiperVoiceModel
from sensorium.models.tts.render import Renderer
from sensorium.models.tts.speaking import Voice
from sensorium.models.tts.voices import VoiceSpec
from sensorium.services.polly.catalog import Resolved, VoiceCatalog
from sensorium.services.polly.errors import (
    InvalidSampleRateException,
    InvalidSsmlException,
    LanguageNotSupportedException,
    LexiconNotFoundException,
    MarksNotSupportedForFormatException,
    ServiceFailureException,
    SsmlMarksNotSupportedForTextTypeException,
    TextLengthExceededException,
    ValidationException,
)
from sensorium.services.polly.lexicons import Entry, LexiconStore


@dataclass(frozen=True)
class Limits:
    """What one request may ask for: Polly's character limits, and this server's bounds on
    the audio it makes (estimated from the plan before any is made)."""

    billed: int
    total: int
    audio_seconds: float
    pause_seconds: float


SYNC_LIMITS = Limits(3000, 6000, audio_seconds=30 * 60, pause_seconds=2 * 60)
TASK_LIMITS = Limits(100_000, 200_000, audio_seconds=6 * 3600, pause_seconds=30 * 60)
SAMPLE_RATES = {
    "mp3": ("8000", "16000", "22050", "24000"),
    "ogg_vorbis": ("8000", "16000", "22050", "24000"),
    "ogg_opus": ("8000", "16000", "24000", "48000"),
    "pcm": ("8000", "16000"),
}
EXTENSIONS = {"mp3": "mp3", "ogg_vorbis": "ogg", "ogg_opus": "ogg", "pcm": "pcm", "json": "marks"}


KOKORO = "polly:kokoro"  # one model for every neural voice


def model_name(spec: VoiceSpec) -> str:
    return f"polly:{spec.key}"


@dataclass(frozen=True)
class Prepared:
    voice: Voice
    sentences: list[plan.Sentence]
    output_format: str
    sample_rate: int
    mark_types: frozenset[str]
    billed: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.output_format]


class Synthesizer:
    """Speech for Polly and for every service that speaks (Lex). Without a lexicon store
    (the command line), requests naming lexicons are refused."""

    def __init__(
        self, models: ModelRegistry, catalog: VoiceCatalog, lexicons: LexiconStore | None
    ) -> None:
        self.models = models
        self.catalog = catalog
        self.lexicons = lexicons

    def prepare(
        self, ctx: RequestContext, params: dict[str, object], limits: Limits = SYNC_LIMITS
    ) -> Prepared:
        text = str(params["Text"])
        output_format = str(params["OutputFormat"])
        engine = _str(params.get("Engine"))
        marks = frozenset(str(mark) for mark in params.get("SpeechMarkTypes") or [])  # type: ignore[attr-defined]
        is_ssml = params.get("TextType") == "ssml"
        _sample_rate(output_format, params.get("SampleRate"), engine or "standard")
        _check_marks(output_format, marks, is_ssml)
        if not text.strip():
            raise ValidationException("Text must contain something to say.")
        if is_ssml:
            try:
                events, billed = ssml.parse(text)
            except ssml.SsmlError as error:
                raise InvalidSsmlException(f"Invalid SSML request: {error}") from None
        else:
            events, billed = [plan.plain_run(text)], len(text)
        if billed > limits.billed or len(text) > limits.total:
            raise TextLengthExceededException(
                f"Maximum text length has been exceeded: {billed} billed characters "
                f"(max {limits.billed}), {len(text)} in total (max {limits.total}).",
            )
        resolved = self.catalog.resolve(
            str(params["VoiceId"]), engine, _str(params.get("LanguageCode"))
        )
        rate = _sample_rate(output_format, params.get("SampleRate"), resolved.engine)
        names = [str(name) for name in params.get("LexiconNames") or []]  # type: ignore[attr-defined]
        if names and self.lexicons is None:
            raise LexiconNotFoundException("Lexicons are kept by the server, not here.")
        entries = self.lexicons.entries(ctx, names) if names and self.lexicons else {}
        sentences = plan.build(events, _lookup(entries))
        _check_length(sentences, limits)
        voice = self.voice(resolved)
        if marks & {"word", "viseme", "ssml", "sentence"} and not voice.aligned:
            raise ServiceFailureException(
                f"Voice {params['VoiceId']} cannot report phoneme durations, so speech marks "
                "are unavailable (install the onnx package).",
            )
        return Prepared(voice, sentences, output_format, rate, marks, billed)

    def voice(self, resolved: Resolved) -> Voice:
        target = resolved.target
        if isinstance(target, VoiceSpec):
            return self.models.get(model_name(target), PiperVoiceModel)
        phonemes = phonemiser(target.language)
        if phonemes is None:
            raise LanguageNotSupportedException(
                f"The neural engine cannot phonemise {target.language} here."
            )
        kokoro = self.models.get(KOKORO, KokoroModel)
        try:
            return kokoro.voice(target.key, phonemes)
        except (OSError, ValueError) as error:
            raise ServiceFailureException(
                f"The neural voice {target.key} is not available ({error}); run "
                "`sensorium models fetch`."
            ) from None

    def stream(self, prepared: Prepared) -> Iterator[bytes]:
        pieces = Renderer(prepared.voice).pieces(prepared.sentences)
        if prepared.output_format == "json":
            for piece in pieces:
                lines = [
                    json.dumps(mark.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"
                    for mark in piece.marks
                    if mark.type in prepared.mark_types
                ]
                if lines:
                    yield "".join(lines).encode()
            return
        audio = (piece.audio for piece in pieces)
        yield from encode_stream(
            audio, prepared.output_format, prepared.voice.sample_rate, prepared.sample_rate
        )


def _check_length(sentences: list[plan.Sentence], limits: Limits) -> None:
    speech, pauses = plan.estimated_seconds(sentences)
    if pauses > limits.pause_seconds:
        raise InvalidSsmlException(
            f"The breaks add up to {pauses:.0f} seconds; at most {limits.pause_seconds:.0f} "
            "per request."
        )
    if speech + pauses > limits.audio_seconds:
        raise ValidationException(
            f"The speech would last about {(speech + pauses) / 60:.0f} minutes; at most "
            f"{limits.audio_seconds / 60:.0f} per request."
        )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _lookup(entries: dict[str, Entry]) -> plan.Lexicon:
    folded = {grapheme.lower(): entry for grapheme, entry in entries.items()}

    def lookup(written: str) -> tuple[str | None, str | None]:
        entry = entries.get(written) or folded.get(written.lower())
        return (entry.alias, entry.ipa) if entry else (None, None)

    return lookup


def _sample_rate(output_format: str, requested: object, engine: str) -> int:
    if output_format == "json":
        return 0
    if output_format not in SAMPLE_RATES:
        raise ValidationException(f"OutputFormat {output_format} is not supported by Sensorium.")
    allowed = SAMPLE_RATES[output_format]
    if requested is None:
        if output_format == "pcm":
            return 16000
        if output_format == "ogg_opus":
            return 48000
        return 22050 if engine == "standard" else 24000
    if str(requested) not in allowed:
        raise InvalidSampleRateException(
            f"Sample rate {requested} is not valid for {output_format}; "
            f"use one of {', '.join(allowed)}.",
        )
    return int(str(requested))


def _check_marks(output_format: str, marks: frozenset[str], is_ssml: bool) -> None:
    if output_format == "json" and not marks:
        raise MarksNotSupportedForFormatException("json output needs SpeechMarkTypes.")
    if output_format != "json" and marks:
        raise MarksNotSupportedForFormatException(
            f"Speech marks are only available with OutputFormat json, not {output_format}.",
        )
    if "ssml" in marks and not is_ssml:
        raise SsmlMarksNotSupportedForTextTypeException("ssml speech marks need TextType ssml.")
