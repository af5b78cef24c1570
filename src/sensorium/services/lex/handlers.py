"""lexv2-runtime operations."""

from __future__ import annotations

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.lex import voice
from sensorium.services.lex.errors import ValidationException
from sensorium.services.lex.runtime import Runtime, Target
from sensorium.services.lex.voice import Voice

SERVICE = "lexv2-runtime"
TEXT = "text/plain; charset=utf-8"
MAX_TEXT = 1024
HEADERS = ("sessionState", "requestAttributes")  # JSON sent in request headers


def register(registry: OperationRegistry, runtime: Runtime, speech: Voice) -> None:
    @registry.handler(SERVICE, "RecognizeText")
    def recognize_text(ctx: RequestContext, params: Params) -> Params:
        return runtime.recognize(ctx, params, params["text"])

    @registry.handler(SERVICE, "PutSession")
    def put_session(ctx: RequestContext, params: Params) -> Params:
        target = runtime.target(ctx, params)
        result = runtime.put_session(ctx, params, target)
        wanted = params.get("responseContentType") or TEXT
        _answer_aloud(speech, ctx, target, result, wanted)
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
        content_type: str = params["requestContentType"]
        kind = content_type.lower()
        for name in HEADERS:
            if isinstance(params.get(name), str):
                params[name] = voice.decode_request_header(params[name], name)
        if not kind.startswith(("text/plain", "audio/")):
            raise ValidationException(
                f"requestContentType {content_type} is not supported (text/plain or audio/*).",
            )
        target = runtime.target(ctx, params)  # an unknown bot is told before any listening
        data: bytes = params.get("inputStream") or b""
        if kind.startswith("text/plain"):
            mode, text = "Text", data.decode("utf-8", errors="replace")
            if len(text) > MAX_TEXT:  # RecognizeText's model says as much for its text
                raise ValidationException(f"Text input can be up to {MAX_TEXT} characters long.")
        else:
            mode, text = "Speech", speech.listen(content_type, data, target.locale_id)
        result = runtime.recognize(ctx, params, text, target)
        wanted = params.get("responseContentType") or TEXT
        result.update(inputMode=mode, inputTranscript=text, contentType=wanted)
        _answer_aloud(speech, ctx, target, result, wanted)
        return _encode_headers(result)


def _answer_aloud(
    speech: Voice, ctx: RequestContext, target: Target, result: Params, wanted: str
) -> None:
    """The reply's messages as audio, when an audio response type is asked."""
    spoken = " ".join(m["content"] for m in result.get("messages", []) if "content" in m)
    if wanted.lower().startswith("text/") or not spoken:
        return
    settings = target.definition.get("voiceSettings") or {}
    voice_id = str(settings.get("voiceId") or voice.DEFAULT_VOICE)
    result["audioStream"] = speech.speak(ctx, spoken, wanted, voice_id)


def _encode_headers(result: Params) -> Params:
    for name in ("messages", "interpretations", "sessionState", "inputTranscript"):
        if name in result:
            result[name] = voice.encode_header(result[name])
    if "requestAttributes" in result:
        result["requestAttributes"] = voice.encode_header(result["requestAttributes"])
    return result
