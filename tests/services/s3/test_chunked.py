"""Bodies sent ``aws-chunked``: botocore's own encoder with a trailing checksum (what it sends
over https), and chunks signed one by one as the Java and JavaScript SDKs send them."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer
from tests.services.s3.conftest import error_code

MiB = 1024 * 1024


def trailing_checksums(client: Any) -> Any:
    """The client sends streaming bodies as it does over https: aws-chunked, the checksum in
    a trailer (over http botocore puts it in a header)."""

    def to_trailer(params: dict[str, Any], **_: Any) -> None:
        algorithm = params["context"].get("checksum", {}).get("request_algorithm")
        if algorithm is not None:
            algorithm["in"] = "trailer"

    client.meta.events.register("before-call.s3.PutObject", to_trailer)
    client.meta.events.register("before-call.s3.UploadPart", to_trailer)
    return client


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_trailing_checksum(s3: Any, bucket: str, algorithm: str) -> None:
    client = trailing_checksums(s3)
    sent: list[bytes] = []
    client.meta.events.register(
        "before-send.s3.PutObject",
        lambda request, **_: sent.append(request.headers["X-Amz-Content-SHA256"]),
    )
    body = os.urandom(3 * MiB + 17)  # botocore's chunks are 1 MiB: four of them
    client.put_object(Bucket=bucket, Key="c.bin", Body=body, ChecksumAlgorithm=algorithm)
    assert sent == [b"STREAMING-UNSIGNED-PAYLOAD-TRAILER"]
    got = client.get_object(Bucket=bucket, Key="c.bin")
    assert got["Body"].read() == body
    assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    assert "ContentEncoding" not in got  # aws-chunked is how it travelled, not what it is


def test_multipart_upload_with_trailing_checksums(s3: Any, bucket: str, tmp_path: Path) -> None:
    client = trailing_checksums(s3)
    local = tmp_path / "big.bin"
    local.write_bytes(os.urandom(20 * MiB))
    client.upload_file(str(local), bucket, "big.bin")
    back = tmp_path / "back.bin"
    client.download_file(bucket, "big.bin", str(back))
    assert back.read_bytes() == local.read_bytes()


def test_a_wrong_trailing_checksum_writes_nothing(s3: Any, bucket: str) -> None:
    client = trailing_checksums(s3)

    def corrupt(request: Any, **_: Any) -> None:
        body = request.body.read()
        request.body = body[: body.rindex(b":") + 1] + b"AAAAAA==\r\n\r\n"
        request.headers.pop("Transfer-Encoding", None)
        request.headers["Content-Length"] = str(len(request.body))

    client.meta.events.register("before-send.s3.PutObject", corrupt)
    with pytest.raises(ClientError) as refused:
        client.put_object(Bucket=bucket, Key="bad.bin", Body=b"x" * 1000)
    assert error_code(refused) == "BadDigest"
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key="bad.bin")
    assert error_code(missing) == "404"


class SignedChunks:
    """A PUT whose body is signed chunk by chunk (``STREAMING-AWS4-HMAC-SHA256-PAYLOAD``)."""

    def __init__(self, server: LiveServer, bucket: str, key: str) -> None:
        self.url = f"{server.endpoint}/{bucket}/{key}"
        self.signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1")

    def send(
        self, chunks: list[bytes], tamper: int | None = None, checksum: str | None = None
    ) -> httpx.Response:
        """``checksum``: a CRC32 sent in a signed trailer (``...-PAYLOAD-TRAILER``)."""
        decoded_length = sum(len(chunk) for chunk in chunks)
        form = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if checksum else "")
        headers = {
            "x-amz-content-sha256": form,
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(decoded_length),
        }
        if checksum:
            headers["x-amz-trailer"] = "x-amz-checksum-crc32"
        request = AWSRequest(method="PUT", url=self.url, headers=headers)
        self.signer.add_auth(request)  # S3SigV4Auth would replace x-amz-content-sha256
        stamp = request.headers["X-Amz-Date"]
        request.context["timestamp"] = stamp
        previous = request.headers["Authorization"].rsplit("Signature=", 1)[1]
        scope = f"{stamp[:8]}/us-east-1/s3/aws4_request"

        def sign(kind: str, *hashes: str) -> str:
            string_to_sign = "\n".join([kind, stamp, scope, previous, *hashes])
            return str(self.signer.signature(string_to_sign, request))

        body = b""
        empty = hashlib.sha256(b"").hexdigest()
        for index, chunk in enumerate([*chunks, b""]):
            previous = sign("AWS4-HMAC-SHA256-PAYLOAD", empty, hashlib.sha256(chunk).hexdigest())
            if index == tamper:
                chunk = chunk[:-1] + b"!"
            body += b"%x;chunk-signature=%s\r\n%s" % (len(chunk), previous.encode(), chunk)
            body += b"\r\n" if chunk or not checksum else b""
        if checksum:
            trailer = f"x-amz-checksum-crc32:{checksum}\n"
            digest = hashlib.sha256(trailer.encode()).hexdigest()
            signature = sign("AWS4-HMAC-SHA256-TRAILER", digest)
            body += f"{trailer.strip()}\r\nx-amz-trailer-signature:{signature}\r\n\r\n".encode()
        return httpx.put(self.url, headers=dict(request.headers.items()), content=body)


def test_signed_chunks(server: LiveServer, s3: Any, bucket: str) -> None:
    chunks = [os.urandom(64 * 1024), os.urandom(64 * 1024), b"tail"]
    response = SignedChunks(server, bucket, "signed.bin").send(chunks)
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="signed.bin")["Body"].read() == b"".join(chunks)


def test_signed_chunks_with_a_signed_trailing_checksum(
    server: LiveServer, s3: Any, bucket: str
) -> None:
    chunks = [b"first chunk ", b"second"]
    crc = base64.b64encode(zlib.crc32(b"".join(chunks)).to_bytes(4, "big")).decode()
    sender = SignedChunks(server, bucket, "trailer.bin")
    response = sender.send(chunks, checksum=crc)
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="trailer.bin")["Body"].read() == b"".join(chunks)
    wrong = base64.b64encode(b"\0\0\0\0").decode()
    assert b"<Code>BadDigest</Code>" in sender.send(chunks, checksum=wrong).content


def test_a_tampered_chunk_is_refused(server: LiveServer, s3: Any, bucket: str) -> None:
    key = f"t-{uuid.uuid4().hex[:8]}"
    response = SignedChunks(server, bucket, key).send([b"a" * 100, b"b" * 100], tamper=1)
    assert response.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key=key)


def test_a_body_shorter_than_announced_is_refused(server: LiveServer, bucket: str) -> None:
    request = AWSRequest(
        method="PUT",
        url=f"{server.endpoint}/{bucket}/short.bin",
        headers={
            "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "content-encoding": "aws-chunked",
            "x-amz-decoded-content-length": "10",
        },
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", "us-east-1").add_auth(request)
    for body in (b"5\r\nhello\r\n0\r\n\r\n", b"a\r\nhello", b"zz\r\nhello\r\n0\r\n\r\n"):
        response = httpx.put(request.url, headers=dict(request.headers.items()), content=body)
        assert response.status_code == 400, response.text
        assert b"<Code>IncompleteBody</Code>" in response.content
