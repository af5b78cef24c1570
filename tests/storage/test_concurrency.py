"""Concurrent writes of one account end as they would one after another: on PostgreSQL
(READ COMMITTED, many writers at once) as on SQLite (one writer at a time). A create that
loses a race is the service's conflict error, an upsert or a tag is applied, never a 500."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from sensorium.storage.database import Database, contended
from tests.conftest import LiveServer, migrated

CALLERS = 8
ONCE = Config(retries={"total_max_attempts": 1})  # a 500 is not hidden by a retry


def race(call: Callable[[], Any]) -> Counter[str]:
    """``call`` made by CALLERS threads at the same moment: how many ended how (``ok`` or
    the error code)."""
    start = threading.Barrier(CALLERS)

    def one() -> str:
        start.wait()
        try:
            call()
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(CALLERS) as pool:
        return Counter(pool.map(lambda _: one(), range(CALLERS)))


def test_one_create_wins_the_others_conflict(server: LiveServer) -> None:
    rekognition = server.client("rekognition", config=ONCE)
    name = f"race-{uuid.uuid4().hex[:8]}"
    outcome = race(lambda: rekognition.create_collection(CollectionId=name))
    assert outcome == {"ok": 1, "ResourceAlreadyExistsException": CALLERS - 1}
    rekognition.create_user(CollectionId=name, UserId="first")  # the collection is whole

    outcome = race(lambda: rekognition.create_user(CollectionId=name, UserId="u"))
    assert outcome == {"ok": 1, "ConflictException": CALLERS - 1}

    lex = server.client("lexv2-models", config=ONCE)
    bot = lex.create_bot(
        botName=name,
        roleArn="arn:aws:iam::123456789012:role/LexBotRole",
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )["botId"]
    outcome = race(
        lambda: lex.create_bot_locale(
            botId=bot, botVersion="DRAFT", localeId="en_US", nluIntentConfidenceThreshold=0.4
        )
    )
    assert outcome == {"ok": 1, "ConflictException": CALLERS - 1}
    intents = lex.list_intents(botId=bot, botVersion="DRAFT", localeId="en_US")
    assert [i["intentName"] for i in intents["intentSummaries"]] == ["FallbackIntent"]


def test_concurrent_upserts_and_tags_all_apply(server: LiveServer) -> None:
    rekognition = server.client("rekognition", config=ONCE)
    name = f"tags-{uuid.uuid4().hex[:8]}"
    arn = rekognition.create_collection(CollectionId=name)["CollectionArn"]
    outcome = race(lambda: rekognition.tag_resource(ResourceArn=arn, Tags={"team": "a"}))
    assert outcome == {"ok": CALLERS}
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "a"}

    polly = server.client("polly", config=ONCE)
    lexicon = f"race{uuid.uuid4().hex[:8]}"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><lexicon version="1.0" '
        'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" '
        'xml:lang="en-US"><lexeme><grapheme>W3C</grapheme><alias>WWW</alias></lexeme></lexicon>'
    )
    outcome = race(lambda: polly.put_lexicon(Name=lexicon, Content=content))
    assert outcome == {"ok": CALLERS}
    assert polly.get_lexicon(Name=lexicon)["Lexicon"]["Content"] == content


def deadlock(db: Database) -> DBAPIError:
    """Two PostgreSQL transactions that each wait for the other: the one PostgreSQL aborts."""
    start = threading.Barrier(2)

    def take(first: int, second: int) -> DBAPIError | None:
        with db.engine.connect() as connection, connection.begin():
            lock = text("SELECT pg_advisory_xact_lock(:key)")
            connection.execute(lock, {"key": first})
            start.wait()
            try:
                connection.execute(lock, {"key": second})
            except DBAPIError as error:
                return error
        return None

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(take, (1, 2), (2, 1)))
    [victim] = [outcome for outcome in outcomes if outcome is not None]
    return victim


def busy(db: Database) -> DBAPIError:
    """A second SQLite writer that gave up waiting for the first."""
    impatient = create_engine(db.url, connect_args={"timeout": 0.05})
    with db.engine.connect() as writer, writer.begin():
        writer.execute(text("DELETE FROM server_secrets WHERE name = 'none'"))
        with impatient.connect() as other, pytest.raises(DBAPIError) as refused:
            other.exec_driver_sql("BEGIN IMMEDIATE")
    impatient.dispose()
    return refused.value


def test_transactions_in_each_others_way_are_told_apart(tmp_path: Path) -> None:
    db = migrated(tmp_path)
    error = deadlock(db) if db.dialect == "postgresql" else busy(db)
    assert contended(error)  # answered with the service's retryable throttling error
    with pytest.raises(DBAPIError) as broken, db.engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
    assert not contended(broken.value)
    db.dispose()
