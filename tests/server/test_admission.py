"""Admission control: past a model's capacity and queue, and past an account's rate, the
server refuses at once with the service's retryable throttling error."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import (
    ACCESS_KEY,
    OTHER_ACCESS_KEY,
    OTHER_SECRET_KEY,
    SECRET_KEY,
    LiveServer,
)

LONG_TEXT = "The quick brown fox jumps over the lazy dog, and then it rests. " * 30


def throttled(call: object, **params: object) -> tuple[int, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)  # type: ignore[operator]
    error = raised.value.response
    return int(error["ResponseMetadata"]["HTTPStatusCode"]), str(error["Error"]["Code"])


def test_a_full_model_refuses_with_the_retryable_error(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path / "data",
        env={
            "SENSORIUM_SERVICES": "polly",
            "SENSORIUM_ADMISSION_CONCURRENCY": "1",
            "SENSORIUM_ADMISSION_QUEUE": "0",
        },
    ).start()
    try:
        polly = server.client("polly")
        warm = polly.synthesize_speech(Text="warm up", VoiceId="Joanna", OutputFormat="pcm")
        warm["AudioStream"].read()
        started = threading.Event()
        # A turn is given back as its stream ends; boto3's retries cover the moment between.
        retrying = server.client("polly", config=Config(retries={"mode": "standard"}))

        def long_one() -> None:
            response = retrying.synthesize_speech(
                Text=LONG_TEXT, VoiceId="Joanna", OutputFormat="pcm"
            )
            started.set()
            response["AudioStream"].read()

        worker = threading.Thread(target=long_one)
        worker.start()
        assert started.wait(60)  # its turn is held until the whole stream is made
        assert throttled(
            polly.synthesize_speech, Text="me too", VoiceId="Joanna", OutputFormat="pcm"
        ) == (400, "ThrottlingException")
        worker.join()
        speech = retrying.synthesize_speech(Text="now", VoiceId="Joanna", OutputFormat="pcm")
        assert speech["AudioStream"].read()
    finally:
        server.stop()


def test_an_account_over_its_rate_is_refused_alone(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path / "data",
        env={
            "SENSORIUM_SERVICES": "rekognition",
            "SENSORIUM_ADMISSION_ACCOUNT_RATE": "0.2",
            "SENSORIUM_ADMISSION_ACCOUNT_BURST": "2",
        },
    ).start()
    try:
        mine = server.client("rekognition")
        mine.list_collections()
        mine.list_collections()
        assert throttled(mine.list_collections) == (400, "ProvisionedThroughputExceededException")
        other = server.client(
            "rekognition", access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY
        )
        assert other.list_collections()["CollectionIds"] == []
    finally:
        server.stop()


def test_a_client_that_hangs_up_mid_stream_gives_its_turn_back(tmp_path: Path) -> None:
    server = LiveServer(
        tmp_path / "data",
        env={
            "SENSORIUM_SERVICES": "polly",
            "SENSORIUM_ADMISSION_WAIT_SECONDS": "30",
        },
    ).start()
    try:
        # Piper (the standard engine) is the quicker voice: a loaded machine still gets each
        # sentence, and so the turn back, well within the wait.
        speech_request = {"OutputFormat": "pcm", "VoiceId": "Matthew", "Engine": "standard"}
        body = json.dumps({"Text": LONG_TEXT, **speech_request})
        request = AWSRequest(
            method="POST",
            url=f"{server.endpoint}/v1/speech",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "polly", "us-east-1").add_auth(request)
        head = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
        # Each takes the only turn (or waits for it), reads a little and hangs up: the turn
        # must come back, or every request after would wait out its time and be refused.
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", server.port)) as connection:
                connection.sendall(
                    f"POST /v1/speech HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n{head}"
                    f"Content-Length: {len(body)}\r\n\r\n{body}".encode()
                )
                assert connection.recv(12) == b"HTTP/1.1 200"
        retrying = server.client("polly", config=Config(retries={"mode": "standard"}))
        speech = retrying.synthesize_speech(Text="still here", **speech_request)
        assert speech["AudioStream"].read()
        assert "Traceback" not in server.log()
    finally:
        server.stop()
