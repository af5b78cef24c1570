"""RecognizeUtterance: Polly speech of a request reaches the intent; the reply comes as audio."""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.services.lex.flowers import Bot, build, create_bot, define_flowers


def unpack(header: str) -> Any:
    return json.loads(gzip.decompress(base64.b64decode(header)))


@pytest.fixture(scope="module")
def bot(database: str, server: LiveServer) -> Iterator[Bot]:
    lex = server.client("lexv2-models")
    made = create_bot(lex)
    define_flowers(lex, made)
    assert build(lex, made)["botLocaleStatus"] == "Built"
    yield made
    lex.delete_bot(botId=made.bot_id)


def test_speech_in_speech_out(server: LiveServer, bot: Bot) -> None:
    polly = server.client("polly")
    speech = polly.synthesize_speech(
        Text="I would like to order some flowers", OutputFormat="mp3", VoiceId="Joanna"
    )["AudioStream"].read()
    runtime = server.client("lexv2-runtime")
    reply = runtime.recognize_utterance(
        botId=bot.bot_id,
        botAliasId="TSTALIASID",
        localeId="en_US",
        sessionId=uuid.uuid4().hex,
        requestContentType="audio/mpeg",
        responseContentType="audio/mpeg",
        inputStream=speech,
    )
    assert reply["inputMode"] == "Speech"
    transcript = gzip.decompress(base64.b64decode(reply["inputTranscript"])).decode()
    assert "flowers" in transcript.lower()
    state = unpack(reply["sessionState"])
    assert state["intent"]["name"] == "OrderFlowers"
    assert state["dialogAction"]["slotToElicit"] == "FlowerType"
    assert unpack(reply["messages"])[0]["content"].startswith("What type of flowers")
    assert reply["contentType"] == "audio/mpeg"
    audio = reply["audioStream"].read()
    assert len(audio) > 2000


def test_text_in_text_out(server: LiveServer, bot: Bot) -> None:
    runtime = server.client("lexv2-runtime")
    reply = runtime.recognize_utterance(
        botId=bot.bot_id,
        botAliasId="TSTALIASID",
        localeId="en_US",
        sessionId=uuid.uuid4().hex,
        requestContentType="text/plain; charset=utf-8",
        inputStream=b"what are your opening hours",
    )
    assert reply["inputMode"] == "Text"
    assert unpack(reply["sessionState"])["intent"]["name"] == "StoreHours"
    interpretations = unpack(reply["interpretations"])
    assert interpretations[0]["nluConfidence"]["score"] > 0.4


def test_unknown_bot_is_told_before_the_audio_is_read(server: LiveServer) -> None:
    runtime = server.client("lexv2-runtime")
    with pytest.raises(runtime.exceptions.ResourceNotFoundException) as raised:
        runtime.recognize_utterance(
            botId="NOSUCHBOT1",
            botAliasId="TSTALIASID",
            localeId="en_US",
            sessionId=uuid.uuid4().hex,
            requestContentType="audio/mpeg",
            inputStream=b"this is not audio at all",
        )
    assert "NOSUCHBOT1" in raised.value.response["Error"]["Message"]


def test_garbage_audio_for_a_real_bot_is_refused(server: LiveServer, bot: Bot) -> None:
    runtime = server.client("lexv2-runtime")
    with pytest.raises(runtime.exceptions.ValidationException) as raised:
        runtime.recognize_utterance(
            botId=bot.bot_id,
            botAliasId="TSTALIASID",
            localeId="en_US",
            sessionId=uuid.uuid4().hex,
            requestContentType="audio/mpeg",
            inputStream=b"this is not audio at all",
        )
    assert "audio" in raised.value.response["Error"]["Message"]
