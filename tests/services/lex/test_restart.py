"""A Lex-only server: builds survive a crash; speech asks for the services it needs."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import LiveServer
from tests.services.lex.flowers import create_bot


def test_build_survives_a_crash_and_speech_names_missing_services(
    fresh_server: LiveServer,
) -> None:
    lex = fresh_server.start().client("lexv2-models")
    bot = create_bot(lex)
    where = {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}
    greetings = ("hello", "hi there", "good morning", "hey, how are you")
    lex.create_intent(
        **where, intentName="Greet", sampleUtterances=[{"utterance": u} for u in greetings]
    )
    assert lex.build_bot_locale(**where)["botLocaleStatus"] == "Building"
    fresh_server.kill()  # no goodbye: the build is left queued or running

    lex = fresh_server.start().client("lexv2-models")
    assert lex.describe_bot_locale(**where)["botLocaleStatus"] in ("Building", "Built")
    lex.get_waiter("bot_locale_built").wait(**where, WaiterConfig={"Delay": 1, "MaxAttempts": 240})

    runtime = fresh_server.client("lexv2-runtime")
    target = {**{k: where[k] for k in ("botId", "localeId")}, "botAliasId": "TSTALIASID"}
    session = uuid.uuid4().hex
    reply = runtime.recognize_text(**target, sessionId=session, text="hello")
    assert reply["sessionState"]["intent"]["name"] == "Greet"
    with pytest.raises(runtime.exceptions.DependencyFailedException) as raised:
        runtime.recognize_utterance(
            **target,
            sessionId=session,
            requestContentType="audio/mpeg",
            inputStream=b"not even audio",
        )
    message = raised.value.response["Error"]["Message"]
    assert "transcribe" in message and "SENSORIUM_SERVICES" in message
    with pytest.raises(runtime.exceptions.DependencyFailedException) as raised:
        runtime.put_session(
            **target,
            sessionId=session,
            sessionState={"dialogAction": {"type": "Close"}},
            messages=[{"contentType": "PlainText", "content": "Goodbye."}],
            responseContentType="audio/mpeg",
        )
    assert "polly" in raised.value.response["Error"]["Message"]
