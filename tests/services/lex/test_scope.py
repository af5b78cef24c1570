"""A bot of six Banking77 intents: requests it was not taught fall back to FallbackIntent,
taught ones do not, and a rebuild after one intent changed encodes only what changed."""

from __future__ import annotations

import csv
import re
import uuid
from typing import Any

import pytest

from sensorium.models.nlu.background import BACKGROUND
from tests.conftest import LiveServer, shared_data
from tests.services.lex.flowers import Bot, build, create_bot

INTENTS = (
    "card_arrival",
    "exchange_rate",
    "lost_or_stolen_phone",
    "pin_blocked",
    "terminate_account",
    "top_up_failed",
)
PER_INTENT = 20
OUT_OF_SCOPE = (
    "what will the weather be like in paris tomorrow",
    "play the latest album by adele",
    "book a table for four at an italian restaurant tonight",
    "add this song to my workout playlist",
)
IN_SCOPE = {
    "when will my new card arrive": "card_arrival",
    "i want to close my account": "terminate_account",
    "what exchange rate do you use": "exchange_rate",
}


def samples() -> dict[str, list[str]]:
    path = shared_data("intent", "banking77", "banking_data", "train.csv")
    chosen: dict[str, list[str]] = {name: [] for name in INTENTS}
    with path.open() as f:
        for row in csv.DictReader(f):
            texts = chosen.get(row["category"])
            text = re.sub(r"[^a-z0-9' ]+", " ", row["text"].lower()).strip()
            if texts is not None and len(texts) < PER_INTENT and text not in texts:
                texts.append(" ".join(text.split()))
    return chosen


@pytest.fixture(scope="module")
def lex(database: str, server: LiveServer) -> Any:
    return server.client("lexv2-models")


@pytest.fixture(scope="module")
def banking(lex: Any) -> tuple[Bot, dict[str, str]]:
    bot = create_bot(lex, f"Banking{uuid.uuid4().hex[:8]}")
    where = {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}
    ids = {}
    for name, texts in samples().items():
        ids[name] = lex.create_intent(
            **where, intentName=name, sampleUtterances=[{"utterance": t} for t in texts]
        )["intentId"]
    assert build(lex, bot)["botLocaleStatus"] == "Built"
    return bot, ids


def recognise(server: LiveServer, bot: Bot, text: str) -> dict[str, Any]:
    answer: dict[str, Any] = server.client("lexv2-runtime").recognize_text(
        botId=bot.bot_id,
        botAliasId="TSTALIASID",
        localeId="en_US",
        sessionId=uuid.uuid4().hex,
        text=text,
    )
    return answer


def test_out_of_scope_falls_back_and_in_scope_does_not(
    server: LiveServer, banking: tuple[Bot, dict[str, str]]
) -> None:
    bot, _ = banking
    for text in OUT_OF_SCOPE:
        answer = recognise(server, bot, text)
        assert answer["sessionState"]["intent"]["name"] == "FallbackIntent", text
        # The taught intents are still offered, each under the threshold.
        scores = [i["nluConfidence"]["score"] for i in answer["interpretations"][1:]]
        assert scores and max(scores) < 0.4
    for text, intent in IN_SCOPE.items():
        answer = recognise(server, bot, text)
        assert answer["sessionState"]["intent"]["name"] == intent, text
        assert answer["interpretations"][0]["nluConfidence"]["score"] >= 0.4


def build_line(server: LiveServer, bot: Bot) -> list[str]:
    return [line for line in server.log().splitlines() if f"lex build {bot.bot_id}/" in line]


def test_rebuild_encodes_only_the_changed_intent(
    lex: Any, server: LiveServer, banking: tuple[Bot, dict[str, str]]
) -> None:
    bot, ids = banking
    where = {"botId": bot.bot_id, "botVersion": "DRAFT", "localeId": "en_US"}
    intent = lex.describe_intent(**where, intentId=ids["card_arrival"])
    utterances = [*intent["sampleUtterances"], {"utterance": "where on earth is my card"}]
    lex.update_intent(
        **where,
        intentId=ids["card_arrival"],
        intentName="card_arrival",
        sampleUtterances=utterances,
    )
    assert build(lex, bot)["botLocaleStatus"] == "Built"
    first, second = build_line(server, bot)[-2:]
    examples, background = len(INTENTS) * PER_INTENT, len(BACKGROUND)
    assert f"{examples} examples, {examples + background} utterances encoded, 0 from" in first
    assert f"{examples + 1} examples, 1 utterances encoded, {examples + background} from" in second
    answer = recognise(server, bot, "when will my new card arrive")
    assert answer["sessionState"]["intent"]["name"] == "card_arrival"
