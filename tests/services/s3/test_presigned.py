"""Presigned URLs, SigV4 and SigV2 (boto3's default for S3 in us-east-1), fetched with
plain HTTP: ``urllib``, as code that is handed such a URL does."""

from __future__ import annotations

import datetime as dt
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer
from tests.services.s3.conftest import PATH_STYLE
from tests.services.s3.test_clients import aws

V4 = PATH_STYLE.merge(Config(signature_version="s3v4"))


def fetch(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "text/plain")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except HTTPError as refused:
        return refused.code, refused.read()


@pytest.fixture
def s3v4(server: LiveServer) -> Any:
    return server.client("s3", config=V4)


@pytest.mark.parametrize("version", ["s3v4", "sigv2-default"])
def test_presigned_get_and_head(s3: Any, s3v4: Any, bucket: str, version: str) -> None:
    s3.put_object(Bucket=bucket, Key="dir/a file.txt", Body=b"presigned")
    signer = s3v4 if version == "s3v4" else s3
    params = {"Bucket": bucket, "Key": "dir/a file.txt"}
    url = signer.generate_presigned_url("get_object", Params=params)
    assert ("X-Amz-Signature=" in url) == (version == "s3v4")
    assert fetch(url) == (200, b"presigned")
    head = signer.generate_presigned_url("head_object", Params=params)
    assert fetch(head, "HEAD")[0] == 200
    overridden = signer.generate_presigned_url(
        "get_object", Params={**params, "ResponseContentType": "text/csv"}
    )
    with urllib.request.urlopen(overridden, timeout=30) as response:
        assert response.headers["Content-Type"] == "text/csv"


@pytest.mark.parametrize("version", ["s3v4", "sigv2-default"])
def test_presigned_put(s3: Any, s3v4: Any, bucket: str, version: str) -> None:
    signer = s3v4 if version == "s3v4" else s3
    params = {"Bucket": bucket, "Key": "up.txt"}
    if version != "s3v4":
        params["ContentType"] = "text/plain"  # SigV2 signs the Content-Type sent
    url = signer.generate_presigned_url("put_object", Params=params)
    status, _ = fetch(url, "PUT", b"uploaded")
    assert status == 200
    got = s3.get_object(Bucket=bucket, Key="up.txt")
    assert got["Body"].read() == b"uploaded"


def presign_v4(url: str, expires: int, signed_at: dt.datetime | None = None) -> str:
    """A SigV4 URL signed at ``signed_at`` (botocore's ``add_auth`` only signs now)."""
    request = AWSRequest(method="GET", url=url)
    request.context["timestamp"] = f"{signed_at or dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"
    signer = S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1", expires)
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    return str(request.url)


def test_expired_urls_are_refused(server: LiveServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret")
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    v4 = presign_v4(f"{server.endpoint}/{bucket}/k", 600, an_hour_ago)
    v2 = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=-10
    )
    for expired in (v4, v2):
        status, body = fetch(expired)
        assert status == 403
        assert b"<Code>AccessDenied</Code>" in body
        assert b"Request has expired" in body
    assert fetch(presign_v4(f"{server.endpoint}/{bucket}/k", 7200, an_hour_ago))[1] == b"secret"


def test_a_week_at_most(server: LiveServer, bucket: str) -> None:
    status, body = fetch(presign_v4(f"{server.endpoint}/{bucket}/k", 604801))
    assert status == 400
    assert b"<Code>AuthorizationQueryParametersError</Code>" in body


def test_tampered_urls_are_refused(s3: Any, s3v4: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret")
    for signer in (s3, s3v4):
        url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
        other_key = url.replace(f"/{bucket}/k?", f"/{bucket}/k2?")
        assert b"<Code>SignatureDoesNotMatch</Code>" in fetch(other_key)[1]
        query = dict(parse_qsl(urlsplit(url).query))
        name = "X-Amz-Signature" if "X-Amz-Signature" in query else "Signature"
        query[name] = ("0" * 64) if name == "X-Amz-Signature" else "AAAAAAAAAAAAAAAAAAAAAAAAAAA="
        tampered = urlunsplit(urlsplit(url)._replace(query=urlencode(query)))
        status, body = fetch(tampered)
        assert (status, b"<Code>SignatureDoesNotMatch</Code>" in body) == (403, True)


def test_aws_cli_presign(server: LiveServer, s3: Any, bucket: str, tmp_path: Path) -> None:
    s3.put_object(Bucket=bucket, Key="cli.txt", Body=b"from the cli")
    made = aws(server, tmp_path, "s3", "presign", f"s3://{bucket}/cli.txt")
    assert made.returncode == 0, made.stderr
    assert fetch(made.stdout.strip()) == (200, b"from the cli")
