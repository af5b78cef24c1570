"""``sensorium sound train`` and ``sensorium sound classify`` against a live server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer
from tests.services.sagemaker.conftest import CLASSES, FAST, esc10_clips, label_of, unique


def run(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return subprocess.run(
        [sys.executable, "-m", "sensorium", "sound", *args, "--endpoint-url", server.endpoint],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_train_deploy_and_classify_with_a_plot(server: LiveServer, tmp_path: Path) -> None:
    clips = esc10_clips(count=4)
    for clip in clips:
        folder = tmp_path / "sounds" / label_of(clip)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(clip, folder / clip.name)
    endpoint = unique("cli")
    hyperparameters = [item for k, v in FAST.items() for item in ("-p", f"{k}={v}")]
    trained = run(
        server, "train", str(tmp_path / "sounds"), "--kind", "classification",
        *hyperparameters, "--deploy", endpoint,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert "model.tar.gz" in trained.stdout and endpoint in trained.stdout

    plot = tmp_path / "clip.png"
    classified = run(server, "classify", str(clips[0]), "--endpoint", endpoint, "--plot", str(plot))
    assert classified.returncode == 0, classified.stdout + classified.stderr
    answer = json.loads(classified.stdout.split("plot:")[0])
    assert answer["label"] in CLASSES
    assert plot.read_bytes().startswith(b"\x89PNG")
