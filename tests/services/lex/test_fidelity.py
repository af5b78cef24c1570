"""Every lexv2-models and lexv2-runtime operation answered at least once with a success, on
definitions that use the optional settings this server keeps: the response-fidelity check
(tests/fidelity.py) walks each answer against its output shape. The other tests exercise
the rules; this one reaches the operations and members they leave out."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.services.lex.flowers import build, create_bot, define_flowers, message, prompt

MODELS_OPERATIONS = {
    "CreateBot", "DescribeBot", "UpdateBot", "ListBots", "DeleteBot",
    "CreateBotLocale", "DescribeBotLocale", "UpdateBotLocale", "ListBotLocales",
    "DeleteBotLocale", "BuildBotLocale",
    "CreateBotVersion", "DescribeBotVersion", "ListBotVersions", "DeleteBotVersion",
    "CreateBotAlias", "DescribeBotAlias", "UpdateBotAlias", "ListBotAliases", "DeleteBotAlias",
    "CreateIntent", "DescribeIntent", "UpdateIntent", "ListIntents", "DeleteIntent",
    "CreateSlotType", "DescribeSlotType", "UpdateSlotType", "ListSlotTypes", "DeleteSlotType",
    "CreateSlot", "DescribeSlot", "UpdateSlot", "ListSlots", "DeleteSlot",
}  # fmt: skip
RUNTIME_OPERATIONS = {
    "RecognizeText", "RecognizeUtterance", "PutSession", "GetSession", "DeleteSession",
}  # fmt: skip


def counted(client: Any) -> Counter[str]:
    """The operations ``client`` gets a successful answer to, from now on."""
    seen: Counter[str] = Counter()

    def count(http_response: Any, model: Any, **_: Any) -> None:
        if http_response.status_code < 300:
            seen[model.name] += 1

    client.meta.events.register("after-call", count)
    return seen


@pytest.fixture(scope="module")
def lex(database: str, server: LiveServer) -> Any:
    return server.client("lexv2-models")


def test_every_operation_answers_as_modelled(server: LiveServer, lex: Any) -> None:
    runtime = server.client("lexv2-runtime")
    models_calls, runtime_calls = counted(lex), counted(runtime)
    bot = create_bot(lex, f"Fidelity{uuid.uuid4().hex[:8]}")
    ids = define_flowers(lex, bot)
    where = {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}

    lex.update_bot(
        botId=bot.bot_id,
        botName=lex.describe_bot(botId=bot.bot_id)["botName"],
        description="Orders flowers",
        roleArn="arn:aws:iam::123456789012:role/LexBotRole",
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=600,
    )
    lex.list_bots(filters=[{"name": "BotName", "values": ["Fidelity"], "operator": "CO"}])
    lex.update_bot_locale(
        **where,
        description="English",
        nluIntentConfidenceThreshold=0.5,
        voiceSettings={"voiceId": "Joanna", "engine": "neural"},
    )
    lex.list_bot_locales(botId=bot.bot_id, botVersion="DRAFT")

    lex.describe_slot_type(**where, slotTypeId=ids["FlowerTypes"])
    lex.update_slot_type(
        **where,
        slotTypeId=ids["FlowerTypes"],
        slotTypeName="FlowerTypes",
        description="Flowers we sell",
        valueSelectionSetting={"resolutionStrategy": "TopResolution"},
        slotTypeValues=[
            {"sampleValue": {"value": "roses"}, "synonyms": [{"value": "rose"}]},
            {"sampleValue": {"value": "lilies"}, "synonyms": [{"value": "lily"}]},
            {"sampleValue": {"value": "tulips"}, "synonyms": [{"value": "tulip"}]},
            {"sampleValue": {"value": "sunflowers"}, "synonyms": [{"value": "sunflower"}]},
        ],
    )
    lex.list_slot_types(**where)
    intent = ids["OrderFlowers"]
    lex.describe_intent(**where, intentId=intent)
    lex.list_intents(**where)
    slot = ids["FlowerType"]
    lex.describe_slot(**where, intentId=intent, slotId=slot)
    lex.update_slot(
        **where,
        intentId=intent,
        slotId=slot,
        slotName="FlowerType",
        slotTypeId=ids["FlowerTypes"],
        description="Which flowers",
        valueElicitationSetting={
            "slotConstraint": "Required",
            "promptSpecification": prompt("What type of flowers would you like to order?"),
            "sampleUtterances": [{"utterance": "I want {FlowerType}"}],
        },
        obfuscationSetting={"obfuscationSettingType": "None"},
    )
    lex.list_slots(**where, intentId=intent)

    # A second intent with a slot of its own type, to delete bottom-up.
    spare_type = lex.create_slot_type(
        **where,
        slotTypeName="Colours",
        slotTypeValues=[{"sampleValue": {"value": "red"}}, {"sampleValue": {"value": "blue"}}],
    )["slotTypeId"]
    spare = lex.create_intent(
        **where,
        intentName="Wrap",
        description="Gift wrapping",
        sampleUtterances=[{"utterance": "wrap it please"}],
        intentClosingSetting={"closingResponse": message("Wrapped."), "active": True},
    )["intentId"]
    colour = lex.create_slot(
        **where,
        intentId=spare,
        slotName="Colour",
        slotTypeId=spare_type,
        valueElicitationSetting={"slotConstraint": "Optional"},
    )["slotId"]
    lex.update_intent(
        **where,
        intentId=spare,
        intentName="Wrap",
        sampleUtterances=[{"utterance": "wrap it please"}, {"utterance": "wrap it in {Colour}"}],
        slotPriorities=[{"priority": 1, "slotId": colour}],
    )
    lex.delete_slot(**where, intentId=spare, slotId=colour)
    lex.delete_intent(**where, intentId=spare)
    lex.delete_slot_type(**where, slotTypeId=spare_type)

    assert build(lex, bot)["botLocaleStatus"] == "Built"
    spec = {"en_US": {"sourceBotVersion": "DRAFT"}}
    version = lex.create_bot_version(
        botId=bot.bot_id, description="First", botVersionLocaleSpecification=spec
    )["botVersion"]
    lex.describe_bot_version(botId=bot.bot_id, botVersion=version)
    lex.list_bot_versions(botId=bot.bot_id)
    alias = lex.create_bot_alias(
        botId=bot.bot_id,
        botAliasName="live",
        description="Production",
        botVersion=version,
        botAliasLocaleSettings={"en_US": {"enabled": True}},
        sentimentAnalysisSettings={"detectSentiment": False},
    )["botAliasId"]
    lex.describe_bot_alias(botId=bot.bot_id, botAliasId=alias)
    lex.list_bot_aliases(botId=bot.bot_id)
    lex.update_bot_alias(
        botId=bot.bot_id, botAliasId=alias, botAliasName="live", botVersion=version
    )

    talk = {"botId": bot.bot_id, "botAliasId": alias, "localeId": "en_US"}
    session = uuid.uuid4().hex
    runtime.recognize_text(**talk, sessionId=session, text="I want to buy some roses")
    runtime.recognize_utterance(
        **talk,
        sessionId=session,
        requestContentType="text/plain; charset=utf-8",
        inputStream=b"tomorrow",
    )
    runtime.get_session(**talk, sessionId=session)
    runtime.put_session(
        **talk,
        sessionId=session,
        sessionState={
            "dialogAction": {"type": "ElicitSlot", "slotToElicit": "PickupTime"},
            "intent": {
                "name": "OrderFlowers",
                "slots": {"FlowerType": {"value": {"interpretedValue": "roses"}}},
            },
            "sessionAttributes": {"customer": "ada"},
        },
        requestAttributes={"channel": "web"},
    )
    runtime.delete_session(**talk, sessionId=session)

    lex.delete_bot_alias(botId=bot.bot_id, botAliasId=alias)
    lex.delete_bot_version(botId=bot.bot_id, botVersion=version)
    lex.delete_bot_locale(**where)
    lex.delete_bot(botId=bot.bot_id)

    assert MODELS_OPERATIONS - set(models_calls) == set()
    assert RUNTIME_OPERATIONS - set(runtime_calls) == set()
