"""``sensorium faces index --workers N --endpoint A,B``: concurrent requests, in turn to two
API nodes sharing one database, and a state file that stays exact (one complete line per
indexed file) so that a cut-off run resumes with what it had not done."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer
from tests.services.rekognition.faces_data import faces_dir, single_person_photos

COPIES = 3
PEOPLE = 4


@pytest.fixture
def two_nodes(database: str, tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    env = {"SENSORIUM_SERVICES": "rekognition"}
    first = LiveServer(tmp_path / "data", env=env).start()
    second = LiveServer(tmp_path / "data", env=env).start()
    try:
        yield first, second
    finally:
        second.stop()
        first.stop()


def index(
    folder: Path, state: Path, endpoints: list[str], workers: int
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    command = [sys.executable, "-m", "sensorium", "faces", "index", str(folder)]
    command += ["--collection", "workers", "--state", str(state), "--workers", str(workers)]
    command += ["--endpoint", ",".join(endpoints)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)


def index_requests(node: LiveServer) -> int:
    count = 0
    for line in node.log().splitlines():
        entry = json.loads(line) if line.startswith("{") else {}
        count += entry.get("operation") == "IndexFaces" and entry.get("status") == 200
    return count


def test_index_with_workers_on_two_nodes_keeps_an_exact_state(
    two_nodes: tuple[LiveServer, LiveServer], tmp_path: Path
) -> None:
    first, second = two_nodes
    folder = tmp_path / "photos"
    folder.mkdir()
    people = sorted(single_person_photos().items())[:PEOPLE]
    for person, photos in people:
        for copy in range(COPIES):
            source = faces_dir() / photos[0]
            shutil.copy(source, folder / f"{person}-{copy}{source.suffix}")
    files = PEOPLE * COPIES
    state = tmp_path / "state.jsonl"
    endpoints = [first.endpoint, second.endpoint]

    done = index(folder, state, endpoints, workers=3)
    assert done.returncode == 0, done.stderr
    assert f"{files} faces indexed" in done.stderr
    assert "3 workers, 2 endpoints" in done.stderr
    lines = [json.loads(line) for line in state.read_text().splitlines()]
    assert len({line["key"] for line in lines}) == len(lines) == files
    assert index_requests(first) == index_requests(second) == files // 2  # in turn
    faces = first.client("rekognition").list_faces(CollectionId="workers", MaxResults=100)
    assert len(faces["Faces"]) == files

    # A run cut off mid-write: its last lines lost, one half written. The rest is redone.
    kept = state.read_text().splitlines()[: files - 4]
    state.write_text("\n".join(kept) + '\n{"key": "cut sho')
    again = index(folder, state, endpoints, workers=2)
    assert again.returncode == 0, again.stderr
    assert f"{files - 4} already done" in again.stderr
    assert "4 sent" in again.stderr
    assert index_requests(first) + index_requests(second) == files + 4
    complete = []
    for line in state.read_text().splitlines():
        with contextlib.suppress(ValueError):
            complete.append(json.loads(line)["key"])
    assert len(set(complete)) == len(complete) == files
