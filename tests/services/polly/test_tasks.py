"""Long-form synthesis tasks written to a local bucket, surviving a restart."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from sensorium.blobs import parse_s3_uri
from tests.conftest import LiveServer
from tests.services.polly.conftest import decode


def wait(polly: Any, task_id: str, limit: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        task: dict[str, Any] = polly.get_speech_synthesis_task(TaskId=task_id)["SynthesisTask"]
        if task["TaskStatus"] in ("completed", "failed"):
            return task
        time.sleep(0.2)
    raise AssertionError(f"task {task_id} did not finish")


def output_object(server: LiveServer, uri: str) -> bytes:
    """The task's output, read through S3 with the caller's credentials, as from AWS."""
    assert uri.startswith(f"{server.endpoint}/"), uri
    bucket, key = parse_s3_uri(uri)
    s3 = server.client("s3", config=Config(s3={"addressing_style": "path"}))
    body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def test_task_writes_audio_and_is_listed(server: LiveServer, polly: Any) -> None:
    started = polly.start_speech_synthesis_task(
        Text="A long story begins. It goes on for a while.",
        VoiceId="Joanna",
        OutputFormat="mp3",
        OutputS3BucketName="polly-out",
        OutputS3KeyPrefix="stories/",
    )["SynthesisTask"]
    assert started["TaskStatus"] in ("scheduled", "inProgress", "completed")
    task = wait(polly, started["TaskId"])
    assert task["TaskStatus"] == "completed", task.get("TaskStatusReason")
    assert task["OutputUri"].startswith(f"{server.endpoint}/polly-out/stories/")
    assert task["OutputUri"] == started["OutputUri"]
    rate, seconds = decode(output_object(server, task["OutputUri"]))
    assert rate == 24000 and seconds > 1.5  # Joanna is neural: Polly's 24 kHz default
    listed = polly.list_speech_synthesis_tasks(Status="completed")["SynthesisTasks"]
    assert started["TaskId"] in {item["TaskId"] for item in listed}


def test_task_errors(polly: Any) -> None:
    with pytest.raises(polly.exceptions.SynthesisTaskNotFoundException):
        polly.get_speech_synthesis_task(TaskId="nope")
    with pytest.raises(polly.exceptions.ValidationException):  # the model's bucket pattern
        polly.start_speech_synthesis_task(
            Text="Hi.", VoiceId="Joanna", OutputFormat="mp3", OutputS3BucketName="Bad_Bucket"
        )


def test_tasks_survive_a_restart(fresh_server: LiveServer, tmp_path: Path) -> None:
    fresh_server.env["SENSORIUM_SERVICES"] = "polly,s3"  # S3 to read the output with
    polly = fresh_server.start().client("polly")
    task_id = polly.start_speech_synthesis_task(
        Text="Persisted speech.", VoiceId="Matthew", OutputFormat="pcm", OutputS3BucketName="out"
    )["SynthesisTask"]["TaskId"]
    fresh_server.kill()
    polly = fresh_server.start().client("polly")
    task = wait(polly, task_id)
    assert task["TaskStatus"] == "completed"
    assert len(output_object(fresh_server, task["OutputUri"])) > 16000
