"""A model that cannot load: /ready says why, and its operations answer the service's own
error with that reason, never InternalFailure."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, shared_data
from tests.services.transcribe.conftest import put_media, start, wait_for


def test_a_model_that_cannot_load_is_reported_with_its_reason(tmp_path: Path) -> None:
    missing = tmp_path / "no-whisper-here"
    server = LiveServer(
        tmp_path / "data",
        env={
            "SENSORIUM_SERVICES": "transcribe",
            "SENSORIUM_TRANSCRIBE_WHISPER_MODEL": str(missing),
            "SENSORIUM_JOBS_MAX_ATTEMPTS": "1",
        },
    ).start()
    try:
        clip = shared_data("speech", "librivox", "sense_and_sensibility_01_austen_64kb-0880.wav")
        client = server.client("transcribe")
        with pytest.raises(client.exceptions.InternalFailureException) as raised:
            client.transcribe_audio(Media={"MediaBytes": clip.read_bytes()}, Language="en")
        message = raised.value.response["Error"]["Message"]
        assert "The model whisper is not available" in message and str(missing) in message

        ready = httpx.get(f"{server.endpoint}/ready", timeout=5)
        assert ready.status_code == 503
        assert ready.json()["models"]["whisper"].startswith("failed: ")

        name = start(client, put_media(server, clip.read_bytes()))
        job = wait_for(client, name)
        assert job["TranscriptionJobStatus"] == "FAILED"
        assert "The model whisper is not available" in job["FailureReason"]
    finally:
        server.stop()
