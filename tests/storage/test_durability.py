"""State survives restarts, and a SIGKILL mid-burst leaves a consistent database."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import create_engine

from tests.conftest import LiveServer, store_url


def test_collections_survive_a_restart(fresh_server: LiveServer) -> None:
    fresh_server.start()
    client = fresh_server.client("rekognition")
    arn = client.create_collection(CollectionId="kept", Tags={"k": "v"})["CollectionArn"]
    created = client.describe_collection(CollectionId="kept")["CreationTimestamp"]

    fresh_server.restart()
    client = fresh_server.client("rekognition")
    described = client.describe_collection(CollectionId="kept")
    assert described["CollectionARN"] == arn
    assert described["CreationTimestamp"] == created
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"k": "v"}


def test_sigkill_during_a_burst_leaves_consistent_state(fresh_server: LiveServer) -> None:
    fresh_server.start()
    stop = threading.Event()
    acknowledged: list[str] = []

    def writer(worker: int) -> None:
        client = fresh_server.client("rekognition")
        for n in range(10_000):
            if stop.is_set():
                return
            name = f"burst-{worker}-{n}"
            try:
                client.create_collection(CollectionId=name, Tags={"name": name})
            except (ClientError, BotoCoreError):
                return
            acknowledged.append(name)

    with ThreadPoolExecutor(4) as pool:
        for worker in range(4):
            pool.submit(writer, worker)
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        fresh_server.kill()
        stop.set()
    assert len(acknowledged) >= 40, fresh_server.log()

    fresh_server.start()
    engine = create_engine(store_url(fresh_server.data_dir))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        orphans = connection.exec_driver_sql(
            "SELECT count(*) FROM resource_tags WHERE resource_arn NOT IN "
            "(SELECT arn FROM collections)"
        ).scalar()
        assert orphans == 0
    engine.dispose()

    client: Any = fresh_server.client("rekognition")
    stored = [
        cid
        for page in client.get_paginator("list_collections").paginate()
        for cid in page["CollectionIds"]
    ]
    # Every acknowledged write is durable; anything stored is whole (collection + its tag).
    assert set(acknowledged) <= set(stored)
    for name in stored:
        arn = client.describe_collection(CollectionId=name)["CollectionARN"]
        assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"name": name}
