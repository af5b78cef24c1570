"""lexv2-runtime operations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.models.stt import WhisperEngine
from sensorium.operations import OperationRegistry, Params
from sensorium.services.lex import voice
from sensorium.services.lex.runtime import Runtime

SERVICE = "lexv2-runtime"
TEXT = "text/plain; charset=utf-8"


def register(
    registry: OperationRegistry,
    runtime: Runtime,
    whisper: Callable[[], WhisperEngine],
    synthesizer: Callable[[], Any],
) -> None:
    @registry.handler(SERVICE, "RecognizeText")
    def recognize_text(ctx: RequestContext, params: Params) -> Params:
        return runtime.recognize(ctx, params, params["text"])

    @registry.handler(SERVICE, "PutSession")
    def put_session(ctx: RequestContext, params: Params) -> Params:
        result = runtime.put_session(ctx, params)
        wanted = params.get("responseContentType") or TEXT
        spoken = " ".join(m["content"] for m in result.get("messages", []) if "content" in m)
        if not wanted.startswith("text/") and spoken:
            audio = voice.speak(synthesizer(), ctx, spoken, wanted, _voice(runtime, ctx, params))
            result["audioStream"] = audio
        result["contentType"] = wanted
        return _encode_headers(result)

    @registry.handler(SERVICE, "GetSession")
    def get_session(ctx: RequestContext, params: Params) -> Params:
        return runtime.get_session(ctx, params)

    @registry.handler(SERVICE, "DeleteSession")
    def delete_session(ctx: RequestContext, params: Params) -> Params:
        runtime.delete(ctx, runtime.target(ctx, params))
        keys = ("botId", "botAliasId", "localeId", "sessionId")
        return {key: params[key] for key in keys}

    @registry.handler(SERVICE, "RecognizeUtterance")
    def recognize_utterance(ctx: RequestContext, params: Params) -> Params:
        content_type = params["requestContentType"]
        data: bytes = params.get("inputStream") or b""
        if isinstance(params.get("sessionState"), str):
            params["sessionState"] = voice.decode_request_header(
                params["sessionState"], "sessionState"
            )
        if isinstance(params.get("requestAttributes"), str):
            params["requestAttributes"] = voice.decode_request_header(
                params["requestAttributes"], "requestAttributes"
            )
        if content_type.lower().startswith("text/plain"):
            mode, text = "Text", data.decode("utf-8", errors="replace")
        elif content_type.lower().startswith("audio/"):
            mode, text = "Speech", voice.transcribe(whisper, content_type, data)
        else:
            raise ServiceError(
                "ValidationException",
                f"requestContentType {content_type} is not supported (text/plain or audio/*).",
            )
        runtime.target(ctx, params)  # unknown bot/alias/locale before any work
        result = runtime.recognize(ctx, params, text)
        wanted = params.get("responseContentType") or TEXT
        result.update(inputMode=mode, inputTranscript=text, contentType=wanted)
        spoken = " ".join(m["content"] for m in result.get("messages", []) if "content" in m)
        if not wanted.lower().startswith("text/") and spoken:
            voice_id = _voice(runtime, ctx, params)
            result["audioStream"] = voice.speak(synthesizer(), ctx, spoken, wanted, voice_id)
        return _encode_headers(result)


def _voice(runtime: Runtime, ctx: RequestContext, params: Params) -> str:
    settings = runtime.target(ctx, params).definition.get("voiceSettings") or {}
    return str(settings.get("voiceId") or voice.DEFAULT_VOICE)


def _encode_headers(result: Params) -> Params:
    for name in ("messages", "interpretations", "sessionState", "inputTranscript"):
        if name in result:
            result[name] = voice.encode_header(result[name])
    if "requestAttributes" in result:
        result["requestAttributes"] = voice.encode_header(result["requestAttributes"])
    return result
