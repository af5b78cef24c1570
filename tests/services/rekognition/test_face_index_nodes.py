"""The approximate face index through boto3: the same matches as exact search, kept in step
across two API nodes sharing one store of record, and saved and reloaded across restarts."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.services.rekognition.faces_data import photo, single_person_photos

# Every collection gets a graph (from its first face) and is saved after every change.
APPROXIMATE = {
    "SENSORIUM_SERVICES": "rekognition",
    "SENSORIUM_FACES_ANN_MIN_FACES": "1",
    "SENSORIUM_FACES_ANN_CANDIDATES": "2",
    "SENSORIUM_FACES_SNAPSHOT_CHANGES": "1",
}


@pytest.fixture(scope="module")
def nodes(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveServer]]:
    """Two API nodes on one data directory and one database."""
    data_dir = tmp_path_factory.mktemp("nodes") / "data"
    started = [LiveServer(data_dir, env=APPROXIMATE).start() for _ in range(2)]
    yield started
    for node in started:
        node.stop()


def image(relative: str) -> dict[str, bytes]:
    return {"Bytes": photo(relative)}


def people(count: int = 5) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Up to three photos to index of ``count`` people, and another photo of each."""
    indexed: dict[str, list[str]] = {}
    held_out: dict[str, str] = {}
    for identity, photos in sorted(single_person_photos().items()):
        if identity.startswith("unlabeled") or len(photos) < 2 or len(indexed) == count:
            continue
        held_out[identity] = photos[0]
        indexed[identity] = photos[1:4]
    return indexed, held_out


def fill(client: Any, indexed: dict[str, list[str]]) -> str:
    collection = f"ann-{uuid.uuid4().hex[:10]}"
    client.create_collection(CollectionId=collection)
    for identity, photos in indexed.items():
        for relative in photos:
            client.index_faces(
                CollectionId=collection, Image=image(relative), ExternalImageId=identity
            )
    return collection


def matches(result: dict[str, Any]) -> list[tuple[str, float]]:
    return [
        (match["Face"]["ExternalImageId"], round(match["Similarity"], 3))
        for match in result["FaceMatches"]
    ]


def snapshots(node: LiveServer) -> list[Path]:
    return sorted((node.data_dir / "indexes" / "rekognition").glob("*/*/meta.json"))


def test_approximate_search_gives_the_exact_matches(
    nodes: list[LiveServer], server: LiveServer
) -> None:
    indexed, held_out = people()
    assert len(held_out) == 5
    approximate, exact = nodes[0].client("rekognition"), server.client("rekognition")
    collections = fill(approximate, indexed), fill(exact, indexed)
    asked = 0
    for relative in held_out.values():
        for options in ({}, {"FaceMatchThreshold": 0, "MaxFaces": 5}, {"MaxFaces": 1}):
            found = [
                matches(
                    client.search_faces_by_image(CollectionId=c, Image=image(relative), **options)
                )
                for client, c in zip((approximate, exact), collections, strict=True)
            ]
            assert found[0] == found[1], (relative, options)
            asked += bool(found[0])
    assert asked >= len(held_out)
    assert snapshots(nodes[0])  # the collection has a graph, saved


def test_a_face_written_on_one_node_is_searched_on_the_other(nodes: list[LiveServer]) -> None:
    a, b = (node.client("rekognition") for node in nodes)
    indexed, held_out = people()
    identity = next(iter(indexed))
    first, query = indexed[identity][0], held_out[identity]
    collection = f"nodes-{uuid.uuid4().hex[:10]}"
    a.create_collection(CollectionId=collection)
    search = {"CollectionId": collection, "Image": image(query)}
    assert b.search_faces_by_image(**search)["FaceMatches"] == []  # b loads it empty

    face_id = a.index_faces(CollectionId=collection, Image=image(first))["FaceRecords"][0]["Face"][
        "FaceId"
    ]
    assert [m["Face"]["FaceId"] for m in b.search_faces_by_image(**search)["FaceMatches"]] == [
        face_id
    ]

    a.create_user(CollectionId=collection, UserId="someone")
    a.associate_faces(CollectionId=collection, UserId="someone", FaceIds=[face_id])
    users = b.search_users_by_image(**search)["UserMatches"]
    assert [match["User"]["UserId"] for match in users] == ["someone"]
    a.disassociate_faces(CollectionId=collection, UserId="someone", FaceIds=[face_id])
    assert b.search_users_by_image(**search)["UserMatches"] == []

    assert a.delete_faces(CollectionId=collection, FaceIds=[face_id])["DeletedFaces"] == [face_id]
    assert b.search_faces_by_image(**search)["FaceMatches"] == []
    with pytest.raises(b.exceptions.ResourceNotFoundException):
        b.search_faces(CollectionId=collection, FaceId=face_id)


def wait_for_snapshot(node: LiveServer, version: int, since: float) -> None:
    """Until the snapshot at ``version`` of a collection saved after ``since`` is in place."""
    deadline = time.monotonic() + 30
    while not [
        path
        for path in snapshots(node)
        if path.parent.name.endswith(f"-{version}") and path.stat().st_mtime >= since
    ]:
        assert time.monotonic() < deadline, "no snapshot written"
        time.sleep(0.1)


def test_a_restarted_node_reloads_the_snapshot_or_rebuilds(nodes: list[LiveServer]) -> None:
    a, b = nodes
    some, held_out = people(3)
    since = time.time() - 1
    collection = fill(a.client("rekognition"), some)
    wait_for_snapshot(a, sum(len(photos) for photos in some.values()), since)
    queries = [held_out[identity] for identity in some]

    def searched() -> list[list[tuple[str, float]]]:
        client = b.client("rekognition")
        return [
            matches(client.search_faces_by_image(CollectionId=collection, Image=image(q)))
            for q in queries
        ]

    expected = searched()
    assert any(expected)
    logged = len(b.log())
    b.restart()
    assert searched() == expected
    assert "snapshot at version" in b.log()[logged:]

    for graph in (a.data_dir / "indexes" / "rekognition").glob("*/*/graph.usearch"):
        graph.write_bytes(b"damaged")
    logged = len(b.log())
    b.restart()
    assert searched() == expected
    log = b.log()[logged:]
    assert "unreadable" in log and "loaded from the database" in log
