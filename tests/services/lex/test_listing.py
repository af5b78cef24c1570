"""List operations through boto3: keyset pages, sortBy, filters and refused tokens."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.services.lex.flowers import Bot, create_bot


@pytest.fixture(scope="module")
def lex(database: str, server: LiveServer) -> Any:
    return server.client("lexv2-models")


def where(bot: Bot) -> dict[str, str]:
    return {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}


def add_intents(lex: Any, bot: Bot, names: list[str]) -> None:
    for name in names:
        lex.create_intent(**where(bot), intentName=name)


def every_page(list_call: Callable[..., dict[str, Any]], key: str, **params: Any) -> list[Any]:
    """Each page's items, following nextToken."""
    pages = []
    token = None
    while True:
        response = list_call(**params, **({"nextToken": token} if token else {}))
        pages.append(response[key])
        token = response.get("nextToken")
        if not token:
            return pages


def test_intents_page_by_name_with_max_results(lex: Any) -> None:
    bot = create_bot(lex)
    add_intents(lex, bot, ["Echo", "Alpha", "Delta", "Charlie", "Bravo"])
    by_name = {"attribute": "IntentName", "order": "Ascending"}
    pages = every_page(
        lex.list_intents, "intentSummaries", **where(bot), sortBy=by_name, maxResults=2
    )
    assert [len(page) for page in pages] == [2, 2, 2]
    names = [intent["intentName"] for page in pages for intent in page]
    assert names == ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "FallbackIntent"]

    descending = {"attribute": "IntentName", "order": "Descending"}
    pages = every_page(
        lex.list_intents, "intentSummaries", **where(bot), sortBy=descending, maxResults=4
    )
    names = [intent["intentName"] for page in pages for intent in page]
    assert names == ["FallbackIntent", "Echo", "Delta", "Charlie", "Bravo", "Alpha"]
    lex.delete_bot(botId=bot.bot_id)


def test_rows_added_between_pages_do_not_shift_the_next_page(lex: Any) -> None:
    bot = create_bot(lex)
    add_intents(lex, bot, ["Bravo", "Delta", "Foxtrot"])
    by_name = {"attribute": "IntentName", "order": "Ascending"}
    first = lex.list_intents(**where(bot), sortBy=by_name, maxResults=2)
    assert [i["intentName"] for i in first["intentSummaries"]] == ["Bravo", "Delta"]
    add_intents(lex, bot, ["Alpha"])  # sorts before the page already read
    second = lex.list_intents(
        **where(bot), sortBy=by_name, maxResults=2, nextToken=first["nextToken"]
    )
    assert [i["intentName"] for i in second["intentSummaries"]] == [
        "FallbackIntent",
        "Foxtrot",
    ]
    assert "nextToken" not in second
    lex.delete_bot(botId=bot.bot_id)


def test_last_updated_order_and_name_filters(lex: Any) -> None:
    bot = create_bot(lex)
    add_intents(lex, bot, ["OrderPizza", "OrderDrinks", "CheckStatus"])
    newest_first = {"attribute": "LastUpdatedDateTime", "order": "Descending"}
    pages = every_page(
        lex.list_intents, "intentSummaries", **where(bot), sortBy=newest_first, maxResults=1
    )
    assert [i["intentName"] for page in pages for i in page] == [
        "CheckStatus",
        "OrderDrinks",
        "OrderPizza",
        "FallbackIntent",
    ]
    contains = [{"name": "IntentName", "values": ["order"], "operator": "CO"}]
    pages = every_page(
        lex.list_intents, "intentSummaries", **where(bot), filters=contains, maxResults=1
    )
    assert [[i["intentName"] for i in page] for page in pages] == [["OrderPizza"], ["OrderDrinks"]]
    equal = [{"name": "IntentName", "values": ["checkstatus"], "operator": "EQ"}]
    listed = lex.list_intents(**where(bot), filters=equal)["intentSummaries"]
    assert [i["intentName"] for i in listed] == ["CheckStatus"]
    lex.delete_bot(botId=bot.bot_id)


def test_bots_filtered_by_name_page_through(lex: Any) -> None:
    prefix = f"Pg{uuid.uuid4().hex[:6]}"
    bots = [create_bot(lex, f"{prefix}{suffix}") for suffix in ("C", "A", "B")]
    contains = [{"name": "BotName", "values": [prefix.lower()], "operator": "CO"}]
    pages = every_page(lex.list_bots, "botSummaries", filters=contains, maxResults=1)
    assert [[b["botName"] for b in page] for page in pages] == [
        [f"{prefix}A"],
        [f"{prefix}B"],
        [f"{prefix}C"],
    ]
    not_a = [{"name": "BotName", "values": [f"{prefix}A"], "operator": "NE"}]
    names = {b["botName"] for b in lex.list_bots(filters=not_a, maxResults=1000)["botSummaries"]}
    assert {f"{prefix}B", f"{prefix}C"} <= names
    assert f"{prefix}A" not in names
    for bot in bots:
        lex.delete_bot(botId=bot.bot_id)


def test_forged_and_foreign_tokens_are_refused(lex: Any) -> None:
    bot = create_bot(lex)
    other = create_bot(lex)
    add_intents(lex, bot, ["Alpha", "Bravo"])
    token = lex.list_intents(**where(bot), maxResults=1)["nextToken"]

    body, _, signature = token.partition(".")
    forged = f"{body[:-2]}{'AA' if body[-2:] != 'AA' else 'BB'}.{signature}"
    for bad in (forged, "not-a-token", token + "x"):
        with pytest.raises(lex.exceptions.ValidationException):
            lex.list_intents(**where(bot), maxResults=1, nextToken=bad)
    with pytest.raises(lex.exceptions.ValidationException):  # another bot's listing
        lex.list_intents(**where(other), maxResults=1, nextToken=token)
    with pytest.raises(lex.exceptions.ValidationException):  # other filters
        lex.list_intents(
            **where(bot),
            maxResults=1,
            nextToken=token,
            filters=[{"name": "IntentName", "values": ["a"], "operator": "CO"}],
        )
    with pytest.raises(lex.exceptions.ValidationException):  # another operation
        lex.list_slot_types(**where(bot), maxResults=1, nextToken=token)
    for made in (bot, other):
        lex.delete_bot(botId=made.bot_id)


def test_another_callers_token_is_refused(server: LiveServer, lex: Any) -> None:
    bots = [create_bot(lex), create_bot(lex)]
    token = lex.list_bots(maxResults=1)["nextToken"]
    elsewhere = server.client("lexv2-models", region="eu-west-1")
    with pytest.raises(elsewhere.exceptions.ValidationException):
        elsewhere.list_bots(maxResults=1, nextToken=token)
    for bot in bots:
        lex.delete_bot(botId=bot.bot_id)


def test_locales_filter_on_their_names_and_aliases_page(lex: Any) -> None:
    bot = create_bot(lex)
    lex.create_bot_locale(
        botId=bot.bot_id, botVersion="DRAFT", localeId="en_GB", nluIntentConfidenceThreshold=0.4
    )
    draft = {"botId": bot.bot_id, "botVersion": "DRAFT"}

    def locales(operator: str, value: str) -> list[str]:
        filters = [{"name": "BotLocaleName", "values": [value], "operator": operator}]
        listed = lex.list_bot_locales(**draft, filters=filters)["botLocaleSummaries"]
        return [locale["localeId"] for locale in listed]

    assert locales("CO", "gb") == ["en_GB"]
    assert locales("EQ", "english (us)") == ["en_US"]
    by_name = {"attribute": "BotLocaleName", "order": "Descending"}
    listed = lex.list_bot_locales(**draft, sortBy=by_name)["botLocaleSummaries"]
    assert [locale["localeName"] for locale in listed] == ["English (US)", "English (GB)"]

    external = [{"name": "ExternalSourceType", "values": ["S3"], "operator": "EQ"}]
    assert lex.list_slot_types(**where(bot), filters=external)["slotTypeSummaries"] == []

    for name in ("live", "staging"):
        lex.create_bot_alias(botId=bot.bot_id, botAliasName=name)
    pages = every_page(lex.list_bot_aliases, "botAliasSummaries", botId=bot.bot_id, maxResults=2)
    names = [[alias["botAliasName"] for alias in page] for page in pages]
    assert names == [["TestBotAlias", "live"], ["staging"]]
    lex.delete_bot(botId=bot.bot_id)
