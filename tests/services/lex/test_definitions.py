"""Intents, slot types, slots and aliases through boto3: outputs, special rules and errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer
from tests.services.lex.flowers import Bot, create_bot, prompt

MISSING = "Failed to retrieve resource since it does not exist: "
VALUES = [{"sampleValue": {"value": "red"}}, {"sampleValue": {"value": "blue"}}]


@pytest.fixture(scope="module")
def lex(database: str, server: LiveServer) -> Any:
    return server.client("lexv2-models")


def where(bot: Bot) -> dict[str, str]:
    return {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}


def refused(error: type[ClientError], call: Callable[..., Any], **params: Any) -> str:
    """The message of the error ``call`` answers."""
    with pytest.raises(error) as raised:
        call(**params)
    message: str = raised.value.response["Error"]["Message"]
    return message


def required(text: str) -> dict[str, Any]:
    return {"slotConstraint": "Required", "promptSpecification": prompt(text)}


def test_intent_rules(lex: Any) -> None:
    bot = create_bot(lex)
    errors = lex.exceptions
    created = lex.create_intent(**where(bot), intentName="Greet", description="hi")
    assert "lastUpdatedDateTime" not in created and "slotPriorities" not in created
    assert (created["intentName"], created["localeId"]) == ("Greet", "en_US")
    intent = created["intentId"]
    assert lex.describe_intent(**where(bot), intentId=intent)["slotPriorities"] == []
    assert refused(
        errors.ConflictException, lex.create_intent, **where(bot), intentName="Greet"
    ) == ("An intent named Greet exists.")
    signature = {**where(bot), "intentName": "Help", "parentIntentSignature": "AMAZON.HelpIntent"}
    assert "AMAZON.HelpIntent is not supported" in refused(
        errors.ValidationException, lex.create_intent, **signature
    )
    fallback = {**signature, "parentIntentSignature": "AMAZON.FallbackIntent"}
    assert "already has a FallbackIntent" in refused(
        errors.ConflictException, lex.create_intent, **fallback
    )
    renamed = {**where(bot), "intentId": intent, "intentName": "FallbackIntent"}
    assert refused(errors.ConflictException, lex.update_intent, **renamed) == (
        "An intent named FallbackIntent exists."
    )
    updated = lex.update_intent(**where(bot), intentId=intent, intentName="Hello")
    assert (updated["intentName"], "description" in updated) == ("Hello", False)
    assert "lastUpdatedDateTime" in updated
    kept = lex.update_intent(
        **where(bot), intentId="FALLBCKINT", intentName="FallbackIntent", description="other"
    )
    assert kept["parentIntentSignature"] == "AMAZON.FallbackIntent"
    assert (
        refused(errors.ValidationException, lex.delete_intent, **where(bot), intentId="FALLBCKINT")
        == "FallbackIntent cannot be deleted."
    )
    lex.delete_intent(**where(bot), intentId=intent)
    assert (
        refused(
            errors.ResourceNotFoundException, lex.describe_intent, **where(bot), intentId=intent
        )
        == f"{MISSING}intent {intent}"
    )
    assert (
        refused(
            errors.PreconditionFailedException, lex.delete_intent, **where(bot), intentId=intent
        )
        == f"{MISSING}intent {intent}"
    )
    lex.delete_bot(botId=bot.bot_id)


def test_slot_types_and_slots(lex: Any) -> None:
    bot = create_bot(lex)
    errors = lex.exceptions
    assert "needs slotTypeValues" in refused(
        errors.ValidationException, lex.create_slot_type, **where(bot), slotTypeName="Colors"
    )
    colors = lex.create_slot_type(**where(bot), slotTypeName="Colors", slotTypeValues=VALUES)
    assert "lastUpdatedDateTime" not in colors
    assert colors["valueSelectionSetting"] == {"resolutionStrategy": "OriginalValue"}
    type_id = colors["slotTypeId"]
    assert refused(
        errors.ConflictException, lex.create_slot_type, **where(bot), slotTypeName="Colors",
        slotTypeValues=VALUES,
    ) == "A slot type named Colors exists."  # fmt: skip
    intent = lex.create_intent(**where(bot), intentName="Paint")["intentId"]
    slot = {**where(bot), "intentId": intent, "slotName": "Color", "slotTypeId": type_id}
    created = lex.create_slot(**slot, valueElicitationSetting=required("Which color?"))
    assert (created["intentId"], "lastUpdatedDateTime" in created) == (intent, False)
    slot_id = created["slotId"]
    priorities = lex.describe_intent(**where(bot), intentId=intent)["slotPriorities"]
    assert priorities == [{"priority": 1, "slotId": slot_id}]
    assert refused(
        errors.ConflictException, lex.create_slot, **slot,
        valueElicitationSetting=required("Which color?"),
    ) == "A slot named Color exists."  # fmt: skip
    unknown = {**slot, "slotName": "Shade", "slotTypeId": "NOSUCHTYPE"}
    assert refused(
        errors.PreconditionFailedException, lex.create_slot, **unknown,
        valueElicitationSetting=required("Which shade?"),
    ) == f"{MISSING}slot type NOSUCHTYPE"  # fmt: skip
    assert "needs a promptSpecification" in refused(
        errors.ValidationException, lex.create_slot, **{**slot, "slotName": "Hue"},
        valueElicitationSetting={"slotConstraint": "Required"},
    )  # fmt: skip
    listed = lex.list_slots(**where(bot), intentId=intent)
    assert listed["intentId"] == intent
    [summary] = listed["slotSummaries"]
    assert (summary["slotName"], summary["slotConstraint"]) == ("Color", "Required")
    in_use = {**where(bot), "slotTypeId": type_id}
    assert refused(errors.PreconditionFailedException, lex.delete_slot_type, **in_use) == (
        "Slot type Colors is used by slots Color."
    )
    updated = lex.update_slot(
        **{**slot, "slotName": "Colour"}, slotId=slot_id,
        valueElicitationSetting={"slotConstraint": "Optional"},
    )  # fmt: skip
    assert updated["slotName"] == "Colour"
    lex.delete_slot(**where(bot), intentId=intent, slotId=slot_id)
    assert lex.describe_intent(**where(bot), intentId=intent)["slotPriorities"] == []
    assert refused(
        errors.ResourceNotFoundException, lex.describe_slot, **where(bot), intentId=intent,
        slotId=slot_id,
    ) == f"{MISSING}slot {slot_id}"  # fmt: skip
    [listed_type] = lex.list_slot_types(**where(bot))["slotTypeSummaries"]
    assert (listed_type["slotTypeName"], listed_type["slotTypeCategory"]) == ("Colors", "Custom")
    lex.delete_slot_type(**in_use)
    assert refused(errors.ResourceNotFoundException, lex.describe_slot_type, **in_use) == (
        f"{MISSING}slot type {type_id}"
    )
    lex.delete_bot(botId=bot.bot_id)


def test_deleting_an_intent_deletes_its_slots(lex: Any) -> None:
    bot = create_bot(lex)
    intent = lex.create_intent(**where(bot), intentName="Book")["intentId"]
    lex.create_slot(
        **where(bot), intentId=intent, slotName="Day", slotTypeId="AMAZON.Date",
        valueElicitationSetting=required("Which day?"),
    )  # fmt: skip
    lex.delete_intent(**where(bot), intentId=intent)
    assert lex.list_slots(**where(bot), intentId=intent)["slotSummaries"] == []
    lex.delete_bot(botId=bot.bot_id)


def test_alias_rules(lex: Any) -> None:
    bot = create_bot(lex)
    errors = lex.exceptions
    named = {"botId": bot.bot_id, "botAliasName": "live"}
    created = lex.create_bot_alias(**named, tags={"team": "flowers"})
    assert (created["botVersion"], created["botAliasStatus"]) == ("DRAFT", "Creating")
    assert created["tags"] == {"team": "flowers"} and "lastUpdatedDateTime" not in created
    assert refused(errors.ConflictException, lex.create_bot_alias, **named) == (
        "An alias named live exists."
    )
    assert refused(
        errors.PreconditionFailedException, lex.create_bot_alias, **{**named, "botAliasName": "v7"},
        botVersion="7",
    ) == f"{MISSING}bot {bot.bot_id} version 7"  # fmt: skip
    alias = created["botAliasId"]
    updated = lex.update_bot_alias(**named, botAliasId=alias, description="main")
    assert (updated["description"], updated["botAliasStatus"]) == ("main", "Available")
    deleted = lex.delete_bot_alias(botId=bot.bot_id, botAliasId=alias)
    assert deleted["botAliasStatus"] == "Deleting"
    assert refused(
        errors.ResourceNotFoundException, lex.describe_bot_alias, botId=bot.bot_id,
        botAliasId=alias,
    ) == f"{MISSING}alias {alias} of bot {bot.bot_id}"  # fmt: skip
    assert (
        refused(errors.PreconditionFailedException, lex.update_bot_alias, **named, botAliasId=alias)
        == f"{MISSING}alias {alias} of bot {bot.bot_id}"
    )
    lex.delete_bot(botId=bot.bot_id)
