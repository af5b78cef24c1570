"""Model building through boto3: statuses, errors, versions and aliases, determinism."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.services.lex.flowers import Bot, build, create_bot, define_flowers


@pytest.fixture(scope="module")
def lex(database: str, server: LiveServer) -> Any:
    return server.client("lexv2-models")


def where(bot: Bot) -> dict[str, str]:
    return {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}


def test_bot_crud_and_fallback_intent(lex: Any) -> None:
    bot = create_bot(lex)
    assert lex.describe_bot(botId=bot.bot_id)["botStatus"] == "Available"
    locale = lex.describe_bot_locale(**where(bot))
    assert locale["botLocaleStatus"] == "NotBuilt"
    assert locale["localeName"] == "English (US)"
    intents = lex.list_intents(**where(bot))["intentSummaries"]
    assert [(i["intentId"], i["intentName"]) for i in intents] == [("FALLBCKINT", "FallbackIntent")]
    aliases = lex.list_bot_aliases(botId=bot.bot_id)["botAliasSummaries"]
    assert [(a["botAliasId"], a["botVersion"]) for a in aliases] == [("TSTALIASID", "DRAFT")]
    lex.delete_bot(botId=bot.bot_id)
    with pytest.raises(lex.exceptions.ResourceNotFoundException):
        lex.describe_bot(botId=bot.bot_id)


def test_empty_locale_build_fails_with_reason(lex: Any) -> None:
    bot = create_bot(lex)
    lex.build_bot_locale(**where(bot))
    with pytest.raises(Exception, match="Failed"):
        lex.get_waiter("bot_locale_built").wait(
            **where(bot), WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
    failed = lex.describe_bot_locale(**where(bot))
    assert failed["botLocaleStatus"] == "Failed"
    assert "sample utterances" in failed["failureReasons"][0]
    lex.create_intent(**where(bot), intentName="Again")
    assert lex.describe_bot_locale(**where(bot))["botLocaleStatus"] == "NotBuilt"


def test_utterance_with_missing_slot_is_rejected(lex: Any) -> None:
    bot = create_bot(lex)
    with pytest.raises(lex.exceptions.ValidationException) as raised:
        lex.create_intent(
            **where(bot), intentName="Book", sampleUtterances=[{"utterance": "book {Day}"}]
        )
    assert "{Day}" in raised.value.response["Error"]["Message"]


def test_unknown_parents(lex: Any) -> None:
    with pytest.raises(lex.exceptions.PreconditionFailedException):
        lex.create_bot_locale(
            botId="NOSUCHBOT1", botVersion="DRAFT", localeId="en_US",
            nluIntentConfidenceThreshold=0.4,
        )  # fmt: skip
    bot = create_bot(lex)
    with pytest.raises(lex.exceptions.ValidationException):
        lex.create_bot_locale(
            botId=bot.bot_id, botVersion="DRAFT", localeId="fr_FR",
            nluIntentConfidenceThreshold=0.4,
        )  # fmt: skip
    with pytest.raises(lex.exceptions.ResourceNotFoundException):
        lex.describe_intent(**where(bot), intentId="NOSUCHINT1")


def test_build_is_deterministic_and_versions_serve(server: LiveServer, lex: Any) -> None:
    runtime = server.client("lexv2-runtime")
    bot = create_bot(lex, f"Twice{uuid.uuid4().hex[:6]}")
    define_flowers(lex, bot)
    probes = ["I'd like some tulips please", "are you open tomorrow", "sing me a song"]

    def answers(alias: str) -> list[Any]:
        return [
            runtime.recognize_text(
                botId=bot.bot_id, botAliasId=alias, localeId="en_US",
                sessionId=uuid.uuid4().hex, text=text,
            )["interpretations"]
            for text in probes
        ]  # fmt: skip

    assert build(lex, bot)["botLocaleStatus"] == "Built"
    first = answers("TSTALIASID")
    assert build(lex, bot)["botLocaleStatus"] == "Built"
    assert answers("TSTALIASID") == first
    version = lex.create_bot_version(
        botId=bot.bot_id, botVersionLocaleSpecification={"en_US": {"sourceBotVersion": "DRAFT"}}
    )["botVersion"]
    assert version == "1"
    # The version keeps a copy of the built locale, as its own resource.
    copied = lex.describe_bot_locale(botId=bot.bot_id, botVersion=version, localeId="en_US")
    assert copied["botLocaleStatus"] == "Built"
    listed = lex.list_bot_versions(botId=bot.bot_id)["botVersionSummaries"]
    assert [v["botVersion"] for v in listed] == ["1"]
    alias = lex.create_bot_alias(
        botId=bot.bot_id,
        botAliasName="live",
        botVersion=version,
        botAliasLocaleSettings={"en_US": {"enabled": True}},
    )["botAliasId"]
    assert lex.describe_bot_alias(botId=bot.bot_id, botAliasId=alias)["botVersion"] == "1"
    assert answers(alias) == first
    lex.delete_bot(botId=bot.bot_id)
