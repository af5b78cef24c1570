"""Helpers for SageMaker tests: a few ESC-10 clips in the live server's buckets, and one
small classifier trained on them, shared by the tests of a module."""

from __future__ import annotations

import csv
import io
import time
import uuid
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sensorium.models.stt.audio import SAMPLE_RATE, decode_audio
from tests.conftest import LiveServer, shared_data

ROLE = "arn:aws:iam::000000000000:role/sagemaker"
BUCKET = "sagemaker-tests"
CLASSIFICATION = "sensorium/sound-classification:1"
ANOMALY = "sensorium/sound-anomaly-detection:1"
CLASSES = ("dog", "rooster", "sea_waves")
CLIPS_PER_CLASS = 6
# A network small enough to train in seconds: the tests check the machinery, the bench
# (bench/sound_esc10.py) the accuracy.
FAST = {
    "epochs": "2",
    "window_seconds": "2",
    "n_mels": "32",
    "width": "8",
    "batch_size": "8",
}
WAIT = {"Delay": 1, "MaxAttempts": 600}


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def esc10_clips(classes: tuple[str, ...] = CLASSES, count: int = CLIPS_PER_CLASS) -> list[Path]:
    """The first ``count`` clips of each class, across folds."""
    root = shared_data("sound", "esc10")
    with (root / "manifest.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    chosen: list[Path] = []
    for label in classes:
        chosen += [root / row["filename"] for row in rows if row["category"] == label][:count]
    return chosen


def label_of(path: Path) -> str:
    root = path.parent
    with (root / "manifest.csv").open() as handle:
        return next(r["category"] for r in csv.DictReader(handle) if r["filename"] == path.name)


def put(server: LiveServer, key: str, data: bytes, bucket: str = BUCKET) -> str:
    path = server.data_dir / "s3" / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"s3://{bucket}/{key}"


def class_folders(server: LiveServer, clips: list[Path]) -> str:
    """The clips under PREFIX/<label>/; the channel's S3 URI."""
    prefix = unique("train")
    for clip in clips:
        put(server, f"{prefix}/{label_of(clip)}/{clip.name}", clip.read_bytes())
    return f"s3://{BUCKET}/{prefix}/"


def wav_bytes(flac: Path) -> bytes:
    """The clip as 16-bit PCM WAV."""
    samples = decode_audio(flac.read_bytes()).samples
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def training_request(
    name: str,
    train_uri: str,
    image: str = CLASSIFICATION,
    hyperparameters: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "TrainingJobName": name,
        "RoleArn": ROLE,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "HyperParameters": FAST if hyperparameters is None else hyperparameters,
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": train_uri}},
            }
        ],
        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/output"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        **extra,
    }


def settled(sagemaker: Any, name: str, limit: float = 600) -> dict[str, Any]:
    """The job once Completed, Failed or Stopped (botocore's waiter raises on Failed; these
    tests want the description); the limit only guards a hang."""
    deadline = time.monotonic() + limit
    while True:
        job: dict[str, Any] = sagemaker.describe_training_job(TrainingJobName=name)
        if job["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
            return job
        if time.monotonic() > deadline:
            return job
        time.sleep(0.3)


@pytest.fixture(scope="module")
def sagemaker(server: LiveServer) -> Any:
    return server.client("sagemaker")


@pytest.fixture(scope="module")
def runtime(server: LiveServer) -> Any:
    return server.client("sagemaker-runtime")


@pytest.fixture(scope="module")
def trained(server: LiveServer, sagemaker: Any) -> dict[str, Any]:
    """A completed classification job on a few ESC-10 clips of three classes."""
    clips = esc10_clips()
    name = unique("train")
    request = training_request(name, class_folders(server, clips))
    sagemaker.create_training_job(**request)
    sagemaker.get_waiter("training_job_completed_or_stopped").wait(
        TrainingJobName=name, WaiterConfig=WAIT
    )
    job: dict[str, Any] = sagemaker.describe_training_job(TrainingJobName=name)
    return job
