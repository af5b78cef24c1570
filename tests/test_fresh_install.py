"""As a new user without make: a fresh virtualenv, ``pip install '.[all]'``, then
``sensorium serve`` on an empty data directory fetches the weights it lacks and indexes and
searches a face through boto3."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest

from tests import fidelity
from tests.conftest import ROOT, free_port, shared_data

INSTALL_SECONDS = 1800  # guards a hang only: pip may have to download every wheel


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
         "--quiet", f"{ROOT}[all]"],
        check=True,
        timeout=INSTALL_SECONDS,
    )  # fmt: skip
    return venv


def test_pip_install_then_serve_indexes_and_searches_a_face(
    fresh_venv: Path, tmp_path: Path
) -> None:
    photos = shared_data("faces", "face_recognition", "examples")
    port = free_port()
    models = tmp_path / "models"
    env = {name: value for name, value in os.environ.items() if not name.startswith("SENSORIUM_")}
    env.update(SENSORIUM_MODELS_DIR=str(models), SENSORIUM_CREDENTIALS="AKIDFRESH:fresh-secret")
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(fresh_venv / "bin" / "sensorium"), "serve", "--port", str(port),
         "--data-dir", str(tmp_path / "data")],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        endpoint = f"http://127.0.0.1:{port}"
        _wait_for_health(server, endpoint, tmp_path / "serve.log")
        assert sorted(path.name for path in (models / "mtcnn").iterdir()) == [
            "onet.pt",
            "pnet.pt",
            "rnet.pt",
        ]
        rekognition = fidelity.attach(
            boto3.client(
                "rekognition",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="AKIDFRESH",
                aws_secret_access_key="fresh-secret",
            )
        )
        rekognition.create_collection(CollectionId="family")
        indexed = rekognition.index_faces(
            CollectionId="family",
            Image={"Bytes": (photos / "obama.jpg").read_bytes()},
            ExternalImageId="obama",
        )
        assert len(indexed["FaceRecords"]) == 1
        found = rekognition.search_faces_by_image(
            CollectionId="family", Image={"Bytes": (photos / "obama2.jpg").read_bytes()}
        )
        assert [match["Face"]["ExternalImageId"] for match in found["FaceMatches"]] == ["obama"]
        assert found["FaceMatches"][0]["Similarity"] >= 80
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for_health(server: subprocess.Popen[bytes], endpoint: str, log: Path) -> None:
    """Until the server answers (the first start fetches weights first); the limit only
    guards a hang."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"sensorium serve exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{endpoint}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"sensorium serve never answered:\n{log.read_text(errors='replace')}")
