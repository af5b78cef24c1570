"""The OrderFlowers bot, created only through boto3 lexv2-models calls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/LexBotRole"


def message(text: str) -> dict[str, Any]:
    return {"messageGroups": [{"message": {"plainTextMessage": {"value": text}}}]}


def prompt(text: str, retries: int = 2) -> dict[str, Any]:
    return {**message(text), "maxRetries": retries, "allowInterrupt": True}


@dataclass(frozen=True)
class Bot:
    bot_id: str
    locale: str = "en_US"
    version: str = "DRAFT"


def create_bot(lex: Any, name: str | None = None) -> Bot:
    created = lex.create_bot(
        botName=name or f"OrderFlowers{uuid.uuid4().hex[:8]}",
        roleArn=ROLE,
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )
    bot = Bot(created["botId"])
    lex.create_bot_locale(
        botId=bot.bot_id,
        botVersion="DRAFT",
        localeId="en_US",
        nluIntentConfidenceThreshold=0.4,
        voiceSettings={"voiceId": "Joanna"},
    )
    return bot


def define_flowers(lex: Any, bot: Bot) -> dict[str, str]:
    where = {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}
    flower_type = lex.create_slot_type(
        **where,
        slotTypeName="FlowerTypes",
        valueSelectionSetting={"resolutionStrategy": "TopResolution"},
        slotTypeValues=[
            {"sampleValue": {"value": "roses"}, "synonyms": [{"value": "rose"}]},
            {"sampleValue": {"value": "lilies"}, "synonyms": [{"value": "lily"}]},
            {"sampleValue": {"value": "tulips"}, "synonyms": [{"value": "tulip"}]},
            {
                "sampleValue": {"value": "sunflowers"},
                "synonyms": [{"value": "helianthus"}, {"value": "sunflower"}],
            },
        ],
    )["slotTypeId"]
    intent = lex.create_intent(
        **where,
        intentName="OrderFlowers",
        sampleUtterances=[{"utterance": "I would like to order some flowers"}],
    )["intentId"]
    slots = {}
    for name, type_id, text in (
        ("FlowerType", flower_type, "What type of flowers would you like to order?"),
        ("PickupDate", "AMAZON.Date", "What day do you want the {FlowerType} to be picked up?"),
        ("PickupTime", "AMAZON.Time", "At what time do you want the {FlowerType} to be picked up?"),
    ):
        slots[name] = lex.create_slot(
            **where,
            intentId=intent,
            slotName=name,
            slotTypeId=type_id,
            valueElicitationSetting={
                "slotConstraint": "Required",
                "promptSpecification": prompt(text),
            },
        )["slotId"]
    lex.update_intent(
        **where,
        intentId=intent,
        intentName="OrderFlowers",
        sampleUtterances=[
            {"utterance": u}
            for u in (
                "I would like to order some flowers",
                "I would like to pick up flowers",
                "Can I please get flowers",
                "I want to buy some {FlowerType}",
                "order {FlowerType}",
                "I'd like to order {FlowerType} for {PickupDate}",
                "send me {FlowerType} on {PickupDate} at {PickupTime}",
                "buy flowers",
                "I need a bouquet",
            )
        ],
        slotPriorities=[
            {"priority": i + 1, "slotId": slots[n]}
            for i, n in enumerate(("FlowerType", "PickupDate", "PickupTime"))
        ],
        intentConfirmationSetting={
            "promptSpecification": prompt(
                "Okay, your {FlowerType} will be ready for pickup by {PickupTime} on "
                "{PickupDate}. Does this sound okay?"
            ),
            "declinationResponse": message("Okay, I will not place your order."),
        },
        intentClosingSetting={
            "closingResponse": message("Thanks! Your {FlowerType} order is placed."),
            "active": True,
        },
    )
    hours = lex.create_intent(
        **where,
        intentName="StoreHours",
        sampleUtterances=[
            {"utterance": u}
            for u in (
                "when are you open",
                "what are your opening hours",
                "what time do you close",
                "are you open on sundays",
                "what are the store hours",
                "how late are you open today",
            )
        ],
        intentClosingSetting={
            "closingResponse": message("We are open from 9 am to 6 pm every day."),
            "active": True,
        },
    )["intentId"]
    return {"OrderFlowers": intent, "StoreHours": hours, "FlowerTypes": flower_type, **slots}


def build(lex: Any, bot: Bot) -> dict[str, Any]:
    where = {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}
    started = lex.build_bot_locale(**where)
    assert started["botLocaleStatus"] == "Building"
    lex.get_waiter("bot_locale_built").wait(**where, WaiterConfig={"Delay": 1, "MaxAttempts": 240})
    described: dict[str, Any] = lex.describe_bot_locale(**where)
    return described
