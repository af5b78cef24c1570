"""An OrderFlowers bot built through boto3, then a conversation through lexv2-runtime."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.services.lex.flowers import Bot, build, create_bot, define_flowers


@pytest.fixture(scope="module")
def models(database: str, server: LiveServer) -> Any:
    return server.client("lexv2-models")


@pytest.fixture(scope="module")
def runtime(database: str, server: LiveServer) -> Any:
    return server.client("lexv2-runtime")


@pytest.fixture(scope="module")
def flowers(database: str, models: Any) -> Iterator[Bot]:
    bot = create_bot(models)
    define_flowers(models, bot)
    described = build(models, bot)
    assert described["botLocaleStatus"] == "Built", described.get("failureReasons")
    yield bot
    models.delete_bot(botId=bot.bot_id)


def say(runtime: Any, bot: Bot, session: str, text: str, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = runtime.recognize_text(
        botId=bot.bot_id,
        botAliasId="TSTALIASID",
        localeId="en_US",
        sessionId=session,
        text=text,
        **extra,
    )
    return response


def contents(response: dict[str, Any]) -> list[str]:
    return [m["content"] for m in response.get("messages", [])]


def test_full_order_with_synonym_relative_date_and_confirmation(runtime: Any, flowers: Bot) -> None:
    session = uuid.uuid4().hex
    first = say(runtime, flowers, session, "I would like to order some flowers")
    state = first["sessionState"]
    assert state["intent"]["name"] == "OrderFlowers"
    assert state["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "FlowerType"}
    # Every slot of the intent is listed, unfilled ones as null, as AWS sends them.
    assert state["intent"]["slots"] == {"FlowerType": None, "PickupDate": None, "PickupTime": None}
    assert contents(first) == ["What type of flowers would you like to order?"]
    top = first["interpretations"][0]
    assert top["intent"]["name"] == "OrderFlowers"
    assert 0.4 <= top["nluConfidence"]["score"] <= 1.0
    assert any(i["intent"]["name"] == "FallbackIntent" for i in first["interpretations"])

    second = say(runtime, flowers, session, "rose")  # a synonym, resolved to its value
    slot = second["sessionState"]["intent"]["slots"]["FlowerType"]["value"]
    assert slot["originalValue"] == "rose"
    assert slot["interpretedValue"] == "roses"
    assert slot["resolvedValues"] == ["roses"]
    assert second["sessionState"]["dialogAction"]["slotToElicit"] == "PickupDate"
    assert contents(second) == ["What day do you want the roses to be picked up?"]

    third = say(runtime, flowers, session, "tomorrow at 5 pm")  # fills date and time
    slots = third["sessionState"]["intent"]["slots"]
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    assert slots["PickupDate"]["value"]["interpretedValue"] == tomorrow.isoformat()
    assert slots["PickupTime"]["value"]["interpretedValue"] == "17:00"
    assert third["sessionState"]["dialogAction"] == {"type": "ConfirmIntent"}
    assert contents(third) == [
        f"Okay, your roses will be ready for pickup by 17:00 on {tomorrow.isoformat()}. "
        "Does this sound okay?"
    ]

    closed = say(runtime, flowers, session, "yes")
    intent = closed["sessionState"]["intent"]
    assert intent["confirmationState"] == "Confirmed"
    assert intent["state"] == "ReadyForFulfillment"
    assert closed["sessionState"]["dialogAction"] == {"type": "Close"}
    assert contents(closed) == ["Thanks! Your roses order is placed."]


def test_declined_confirmation_closes_failed(runtime: Any, flowers: Bot) -> None:
    session = uuid.uuid4().hex
    opened = say(runtime, flowers, session, "send me tulips on friday at 10:30 am")
    slots = opened["sessionState"]["intent"]["slots"]
    assert slots["FlowerType"]["value"]["interpretedValue"] == "tulips"
    assert slots["PickupTime"]["value"]["interpretedValue"] == "10:30"
    assert dt.date.fromisoformat(slots["PickupDate"]["value"]["interpretedValue"]).weekday() == 4
    assert opened["sessionState"]["dialogAction"]["type"] == "ConfirmIntent"
    declined = say(runtime, flowers, session, "no")
    assert declined["sessionState"]["intent"]["confirmationState"] == "Denied"
    assert declined["sessionState"]["intent"]["state"] == "Failed"
    assert contents(declined) == ["Okay, I will not place your order."]


def test_reprompts_an_unusable_answer(runtime: Any, flowers: Bot) -> None:
    session = uuid.uuid4().hex
    say(runtime, flowers, session, "I want to buy some lilies")
    asked = say(runtime, flowers, session, "whenever it suits you, honestly")
    assert asked["sessionState"]["dialogAction"] == {
        "type": "ElicitSlot",
        "slotToElicit": "PickupDate",
    }
    assert contents(asked) == ["What day do you want the lilies to be picked up?"]


def test_off_topic_goes_to_fallback(runtime: Any, flowers: Bot) -> None:
    response = say(runtime, flowers, uuid.uuid4().hex, "what is the capital of france")
    assert response["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert response["sessionState"]["dialogAction"] == {"type": "Close"}
    assert response["interpretations"][0]["intent"]["name"] == "FallbackIntent"
    assert "nluConfidence" not in response["interpretations"][0]


def test_other_intent_and_session_attributes(runtime: Any, flowers: Bot) -> None:
    session = uuid.uuid4().hex
    response = say(
        runtime,
        flowers,
        session,
        "what are your opening hours?",
        sessionState={"sessionAttributes": {"customer": "ada"}},
    )
    assert response["sessionState"]["intent"]["name"] == "StoreHours"
    assert response["sessionState"]["intent"]["state"] == "ReadyForFulfillment"
    assert contents(response) == ["We are open from 9 am to 6 pm every day."]
    kept = runtime.get_session(
        botId=flowers.bot_id, botAliasId="TSTALIASID", localeId="en_US", sessionId=session
    )
    assert kept["sessionState"]["sessionAttributes"] == {"customer": "ada"}
    assert kept["sessionState"]["intent"]["name"] == "StoreHours"


def test_put_get_delete_session(runtime: Any, flowers: Bot) -> None:
    where = {"botId": flowers.bot_id, "botAliasId": "TSTALIASID", "localeId": "en_US"}
    session = uuid.uuid4().hex
    runtime.put_session(
        **where,
        sessionId=session,
        sessionState={
            "dialogAction": {"type": "ElicitSlot", "slotToElicit": "PickupTime"},
            "intent": {
                "name": "OrderFlowers",
                "state": "InProgress",
                "slots": {
                    "FlowerType": {
                        "value": {
                            "originalValue": "lily",
                            "interpretedValue": "lilies",
                            "resolvedValues": ["lilies"],
                        }
                    },
                    "PickupDate": {
                        "value": {
                            "originalValue": "2030-05-01",
                            "interpretedValue": "2030-05-01",
                            "resolvedValues": ["2030-05-01"],
                        }
                    },
                },
            },
            "sessionAttributes": {"source": "put"},
        },
    )
    got = runtime.get_session(**where, sessionId=session)
    assert got["sessionState"]["dialogAction"]["slotToElicit"] == "PickupTime"
    answered = say(runtime, flowers, session, "noon")
    assert (
        answered["sessionState"]["intent"]["slots"]["PickupTime"]["value"]["interpretedValue"]
        == "12:00"
    )
    assert answered["sessionState"]["dialogAction"]["type"] == "ConfirmIntent"
    assert answered["sessionState"]["sessionAttributes"] == {"source": "put"}
    runtime.delete_session(**where, sessionId=session)
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.get_session(**where, sessionId=session)


def test_unknown_bot_alias_and_locale(runtime: Any, flowers: Bot) -> None:
    with pytest.raises(runtime.exceptions.ResourceNotFoundException) as raised:
        runtime.recognize_text(
            botId="NOSUCHBOT1", botAliasId="TSTALIASID", localeId="en_US", sessionId="s1", text="hi"
        )
    assert "NOSUCHBOT1" in raised.value.response["Error"]["Message"]
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.recognize_text(
            botId=flowers.bot_id, botAliasId="NOSUCHALIA", localeId="en_US", sessionId="s1",
            text="hi",
        )  # fmt: skip
    with pytest.raises(runtime.exceptions.ResourceNotFoundException) as raised:
        runtime.recognize_text(
            botId=flowers.bot_id, botAliasId="TSTALIASID", localeId="en_GB", sessionId="s1",
            text="hi",
        )  # fmt: skip
    assert "built" in raised.value.response["Error"]["Message"]
