"""Helpers for Transcribe tests: media in the live server's local buckets, job polling."""

from __future__ import annotations

import time
import urllib.request
import uuid
from typing import Any

import pytest
from botocore.config import Config

from sensorium.blobs import parse_s3_uri
from tests.conftest import LiveServer

TERMINAL = ("COMPLETED", "FAILED")


def unique(prefix: str = "job") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def put_media(
    server: LiveServer, data: bytes, name: str = "clip.wav", bucket: str = "media"
) -> str:
    """Store ``data`` in the server's local bucket; its s3:// URI."""
    key = f"{uuid.uuid4().hex[:8]}/{name}"
    path = server.data_dir / "s3" / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return f"s3://{bucket}/{key}"


def read_uri(server: LiveServer, uri: str) -> bytes:
    """An output location as AWS gives it, read as a client would: a presigned URL (the
    service's bucket) with plain HTTP, a plain one (the caller's bucket) or an ``s3://`` URI
    the caller named with signed S3."""
    assert uri.startswith((f"{server.endpoint}/", "s3://")), uri
    if "X-Amz-Signature=" in uri:
        with urllib.request.urlopen(uri, timeout=30) as response:
            body: bytes = response.read()
        return body
    bucket, key = parse_s3_uri(uri)
    s3 = server.client("s3", config=Config(s3={"addressing_style": "path"}))
    found: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return found


def wait_for(client: Any, name: str, limit: float = 180) -> dict[str, Any]:
    """Poll until the job settles (the limit guards a hang; no timing is asserted)."""
    deadline = time.monotonic() + limit
    while True:
        job: dict[str, Any] = client.get_transcription_job(TranscriptionJobName=name)[
            "TranscriptionJob"
        ]
        if job["TranscriptionJobStatus"] in TERMINAL or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def start(client: Any, uri: str, name: str | None = None, **kwargs: Any) -> str:
    name = name or unique()
    if "IdentifyLanguage" not in kwargs and "LanguageCode" not in kwargs:
        kwargs["LanguageCode"] = "en-US"
    client.start_transcription_job(TranscriptionJobName=name, Media={"MediaFileUri": uri}, **kwargs)
    return name


@pytest.fixture
def transcribe(server: LiveServer) -> Any:
    return server.client("transcribe")
