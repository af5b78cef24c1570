"""``sensorium faces index`` / ``faces search`` against a live server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer, shared_data
from tests.services.rekognition.faces_data import faces_dir


def run(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "sa-east-1",
    }
    return subprocess.run(
        [sys.executable, "-m", "sensorium", "faces", *args, "--endpoint", server.endpoint],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_index_folder_resumes_and_search_prints_matches(server: LiveServer, tmp_path: Path) -> None:
    photos = tmp_path / "people"
    for person, name in (("obama", "obama.jpg"), ("obama", "obama2.jpg"), ("biden", "biden.jpg")):
        (photos / person).mkdir(parents=True, exist_ok=True)
        shutil.copy(faces_dir() / "face_recognition" / "examples" / name, photos / person / name)
    (photos / "broken.jpg").write_bytes(b"not a photo")
    state = tmp_path / "state.jsonl"

    first = run(
        server,
        "index",
        str(photos),
        "--collection",
        "cli-people",
        "--external-id-from",
        "folder",
        "--state",
        str(state),
    )
    assert first.returncode == 1, first.stderr  # one file failed, and was reported
    assert "broken.jpg" in first.stderr
    assert "3 faces indexed" in first.stderr

    again = run(
        server,
        "index",
        str(photos),
        "--collection",
        "cli-people",
        "--external-id-from",
        "folder",
        "--state",
        str(state),
    )
    assert "3 already done" in again.stderr
    assert "0 faces indexed" in again.stderr

    search = run(
        server, "search", str(photos / "obama" / "obama2.jpg"), "--collection", "cli-people"
    )
    assert search.returncode == 0, search.stderr
    assert search.stdout.count("obama") >= 2
    assert "biden" not in search.stdout


def test_index_video_gives_one_face_per_person(server: LiveServer, tmp_path: Path) -> None:
    clip = tmp_path / "hamilton.mp4"
    shutil.copy(shared_data("video", "short_hamilton_clip.mp4"), clip)
    state = tmp_path / "state.jsonl"
    indexed = run(server, "index", str(clip), "--collection", "cli-video", "--state", str(state))
    assert indexed.returncode == 0, indexed.stderr
    count = int(re.search(r"(\d+) faces indexed", indexed.stderr)[1])  # type: ignore[index]
    rekognition = server.client("rekognition", region="sa-east-1")  # the command's region
    faces = rekognition.list_faces(CollectionId="cli-video")["Faces"]
    assert 1 <= count == len(faces) <= 4  # a few people, each once, not one per sighting
    names = sorted(face["ExternalImageId"] for face in faces)
    assert all(re.fullmatch(r"hamilton:person\d+:\d+ms", name) for name in names), names
    assert len({name.split(":")[1] for name in names}) == count

    still = faces_dir() / "face_recognition" / "examples" / "lin-manuel-miranda.png"
    search = run(server, "search", str(still), "--collection", "cli-video")
    assert search.returncode == 0, search.stderr
    assert search.stdout.count("hamilton:person") == 1  # the performer, indexed once
