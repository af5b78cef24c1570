"""Polly fixtures: a client on the shared server, audio decoding, and the packaged Whisper."""

from __future__ import annotations

import io
import json
from typing import Any

import av
import numpy as np
import pytest

from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def polly(database: str, server: LiveServer) -> Any:
    return server.client("polly")


def speak(polly: Any, text: str, **kwargs: Any) -> bytes:
    args = {"VoiceId": "Joanna", "OutputFormat": "pcm", "Text": text, **kwargs}
    data: bytes = polly.synthesize_speech(**args)["AudioStream"].read()
    return data


def pcm_seconds(data: bytes, rate: int = 16000) -> float:
    return len(data) / 2 / rate


def decode(data: bytes) -> tuple[int, float]:
    """(sample rate, seconds) of an encoded file, decoded with PyAV."""
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        samples = sum(int(frame.samples) for frame in container.decode(stream))
        return int(stream.rate), samples / stream.rate


def marks(polly: Any, text: str, types: list[str], **kwargs: Any) -> list[dict[str, Any]]:
    raw = speak(polly, text, OutputFormat="json", SpeechMarkTypes=types, **kwargs)
    return [json.loads(line) for line in raw.decode().splitlines() if line]


def samples(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768
