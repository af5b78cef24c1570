"""Clients other than a plain boto3 call: the AWS CLI, other services reading what S3 wrote,
hand-made requests, and a server whose S3 is elsewhere."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer, shared_data
from tests.services.s3.conftest import PATH_STYLE, error_code


def aws(server: LiveServer, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
    }
    return subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", server.endpoint],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_aws_cli(server: LiveServer, tmp_path: Path) -> None:
    bucket = f"cli-{uuid.uuid4().hex[:12]}"
    local = tmp_path / "hello world.txt"
    local.write_bytes(b"hello from the cli\n")
    made = aws(server, tmp_path, "s3", "mb", f"s3://{bucket}")
    assert made.returncode == 0, made.stderr
    copied = aws(server, tmp_path, "s3", "cp", str(local), f"s3://{bucket}/dir/hello world.txt")
    assert copied.returncode == 0, copied.stderr
    listed = aws(server, tmp_path, "s3", "ls", f"s3://{bucket}/dir/")
    assert listed.returncode == 0, listed.stderr
    assert "hello world.txt" in listed.stdout
    back = tmp_path / "back.txt"
    fetched = aws(server, tmp_path, "s3", "cp", f"s3://{bucket}/dir/hello world.txt", str(back))
    assert fetched.returncode == 0, fetched.stderr
    assert back.read_bytes() == local.read_bytes()
    removed = aws(server, tmp_path, "s3", "rb", f"s3://{bucket}", "--force")
    assert removed.returncode == 0, removed.stderr
    assert bucket not in aws(server, tmp_path, "s3", "ls").stdout


def test_a_service_reads_what_s3_wrote(server: LiveServer, s3: Any, bucket: str) -> None:
    photo = shared_data("faces", "face_recognition", "examples", "obama.jpg").read_bytes()
    s3.put_object(Bucket=bucket, Key="people/obama.jpg", Body=photo, ContentType="image/jpeg")
    rekognition = server.client("rekognition")
    found = rekognition.detect_faces(
        Image={"S3Object": {"Bucket": bucket, "Name": "people/obama.jpg"}}
    )
    assert len(found["FaceDetails"]) == 1


def signed(server: LiveServer, method: str, url: str, headers: dict[str, str]) -> httpx.Response:
    """A request signed for S3 by botocore's signer and sent as it is (to the server's port,
    whatever host it names)."""
    host = url.split("/")[2]
    request = AWSRequest(method=method, url=url, headers={"Host": host, **headers})
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(request)
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    return httpx.request(
        method, f"{server.endpoint}/{path}", headers=dict(request.headers.items()), content=b""
    )


def test_virtual_hosted_addressing(server: LiveServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="v.txt", Body=b"virtual")
    response = signed(server, "GET", f"http://{bucket}.localhost:{server.port}/v.txt", {})
    assert response.status_code == 200, response.text
    assert response.content == b"virtual"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Iterator[LiveServer]:
    """A server whose S3 is an external endpoint, and whose bodies are small."""
    live = LiveServer(
        tmp_path / "data",
        env={
            "SENSORIUM_SERVICES": "s3",
            "SENSORIUM_S3_ENDPOINT": "http://127.0.0.1:9",
            "SENSORIUM_MAX_BODY_BYTES": "1000",
        },
    ).start()
    yield live
    live.stop()


def test_with_an_external_s3_the_built_in_one_is_off(elsewhere: LiveServer) -> None:
    s3 = elsewhere.client("s3", config=PATH_STYLE)
    with pytest.raises(ClientError) as off:
        s3.create_bucket(Bucket="anything")
    assert error_code(off) == "NotImplemented"
    assert "SENSORIUM_S3_ENDPOINT" in off.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as large:
        s3.put_object(Bucket="anything", Key="big", Body=b"x" * 2000)
    assert error_code(large) == "EntityTooLarge"


def test_request_time_too_skewed(server: LiveServer, bucket: str) -> None:
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    request = AWSRequest(method="GET", url=f"{server.endpoint}/{bucket}")
    request.context["timestamp"] = stale
    auth = S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1")
    auth._modify_request_before_signing(request)
    request.headers["X-Amz-Date"] = stale
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={auth.scope(request)}, "
        f"SignedHeaders={auth.signed_headers(auth.headers_to_sign(request))}, "
        f"Signature={signature}"
    )
    response = httpx.get(f"{server.endpoint}/{bucket}", headers=dict(request.headers.items()))
    assert response.status_code == 403
    assert b"<Code>RequestTimeTooSkewed</Code>" in response.content
