"""Objects: bodies, metadata, ranges, conditions, listing, copies, and bad input."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from typing import Any

import google_crc32c
import pytest
from botocore.exceptions import ClientError

from tests.conftest import LiveServer
from tests.services.s3.conftest import error_code

BODY = bytes(range(256)) * 4


def test_put_get_head_delete(s3: Any, bucket: str) -> None:
    put = s3.put_object(
        Bucket=bucket,
        Key="docs/notes.txt",
        Body=BODY,
        ContentType="text/plain",
        Metadata={"Author": "ada"},
        CacheControl="no-cache",
    )
    assert put["ETag"] == f'"{hashlib.md5(BODY).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="docs/notes.txt")
    assert got["Body"].read() == BODY
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"author": "ada"}
    assert got["CacheControl"] == "no-cache"
    assert got["ETag"] == put["ETag"]
    head = s3.head_object(Bucket=bucket, Key="docs/notes.txt")
    assert head["ContentLength"] == len(BODY)
    assert head["LastModified"] == got["LastModified"]
    s3.delete_object(Bucket=bucket, Key="docs/notes.txt")
    s3.delete_object(Bucket=bucket, Key="docs/notes.txt")  # absent: still no error
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="docs/notes.txt")
    with pytest.raises(ClientError) as head_missing:
        s3.head_object(Bucket=bucket, Key="docs/notes.txt")
    assert error_code(head_missing) == "404"
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.get_object(Bucket="no-such-bucket-here", Key="x")


def test_ranges(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="data.bin", Body=BODY)
    part = s3.get_object(Bucket=bucket, Key="data.bin", Range="bytes=10-19")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["ContentRange"] == f"bytes 10-19/{len(BODY)}"
    assert part["Body"].read() == BODY[10:20]
    tail = s3.get_object(Bucket=bucket, Key="data.bin", Range="bytes=-5")
    assert tail["Body"].read() == BODY[-5:]
    rest = s3.get_object(Bucket=bucket, Key="data.bin", Range="bytes=1000-")
    assert rest["Body"].read() == BODY[1000:]
    with pytest.raises(ClientError) as beyond:
        s3.get_object(Bucket=bucket, Key="data.bin", Range=f"bytes={len(BODY)}-")
    assert error_code(beyond) == "InvalidRange"
    assert beyond.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


def test_conditional_gets(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c.txt", Body=b"v1")["ETag"]
    past = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="c.txt", IfMatch=etag)["Body"].read() == b"v1"
    assert s3.get_object(Bucket=bucket, Key="c.txt", IfModifiedSince=past)["ETag"] == etag
    for conditions, status in (
        ({"IfMatch": '"0000"'}, 412),
        ({"IfUnmodifiedSince": past}, 412),
        ({"IfNoneMatch": etag}, 304),
        ({"IfModifiedSince": future}, 304),
    ):
        with pytest.raises(ClientError) as failed:
            s3.get_object(Bucket=bucket, Key="c.txt", **conditions)
        assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    with pytest.raises(ClientError) as failed:
        s3.get_object(Bucket=bucket, Key="c.txt", IfMatch='"0000"')
    assert error_code(failed) == "PreconditionFailed"


def test_listing(s3: Any, bucket: str) -> None:
    keys = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d.txt", "z/9.txt", "é.txt"]  # bytes
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    listed = s3.list_objects_v2(Bucket=bucket)
    assert [item["Key"] for item in listed["Contents"]] == keys
    assert listed["KeyCount"] == len(keys)
    assert listed["Contents"][0]["Size"] == len(b"a.txt")
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [item["Key"] for item in top["Contents"]] == ["a.txt", "d.txt", "é.txt"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["b/", "z/"]
    under_b = s3.list_objects_v2(Bucket=bucket, Prefix="b/", Delimiter="/")
    assert [item["Key"] for item in under_b["Contents"]] == ["b/1.txt", "b/2.txt"]
    assert [p["Prefix"] for p in under_b["CommonPrefixes"]] == ["b/c/"]
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="b/2.txt")
    assert [item["Key"] for item in after["Contents"]] == keys[3:]
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 2}
    )
    seen: list[str] = []
    for page in pages:
        seen += [item["Key"] for item in page.get("Contents", [])]
        seen += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    assert sorted(seen) == sorted(["a.txt", "b/", "d.txt", "é.txt", "z/"])
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=1)
    assert first["IsTruncated"]
    with pytest.raises(ClientError) as tampered:
        s3.list_objects_v2(
            Bucket=bucket, Prefix="b/", ContinuationToken=first["NextContinuationToken"]
        )
    assert error_code(tampered) == "InvalidArgument"


def test_copy_and_delete_objects(s3: Any, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket, Key="src.txt", Body=b"source", ContentType="text/x", Metadata={"k": "v"}
    )
    copied = s3.copy_object(Bucket=bucket, Key="dst.txt", CopySource=f"{bucket}/src.txt")
    assert copied["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"source").hexdigest()}"'
    dst = s3.get_object(Bucket=bucket, Key="dst.txt")
    assert (dst["Body"].read(), dst["ContentType"], dst["Metadata"]) == (
        b"source",
        "text/x",
        {"k": "v"},
    )
    s3.copy_object(
        Bucket=bucket,
        Key="dst.txt",
        CopySource={"Bucket": bucket, "Key": "dst.txt"},
        MetadataDirective="REPLACE",
        ContentType="text/y",
    )
    assert s3.head_object(Bucket=bucket, Key="dst.txt")["ContentType"] == "text/y"
    with pytest.raises(ClientError) as itself:
        s3.copy_object(Bucket=bucket, Key="dst.txt", CopySource=f"{bucket}/dst.txt")
    assert error_code(itself) == "InvalidRequest"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.copy_object(Bucket=bucket, Key="x.txt", CopySource=f"{bucket}/absent.txt")
    result = s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": "src.txt"}, {"Key": "dst.txt"}, {"Key": "never.txt"}]},
    )
    assert sorted(item["Key"] for item in result["Deleted"]) == ["dst.txt", "never.txt", "src.txt"]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_a_wrong_checksum_is_a_bad_digest(s3: Any, bucket: str) -> None:
    def corrupt(request: Any, **_: Any) -> None:
        del request.headers["x-amz-checksum-crc32"]
        request.headers["x-amz-checksum-crc32"] = base64.b64encode(b"\0\0\0\0").decode()

    s3.meta.events.register("before-sign.s3.PutObject", corrupt)
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="bad.bin", Body=b"payload")
    assert error_code(refused) == "BadDigest"
    s3.meta.events.unregister("before-sign.s3.PutObject", corrupt)
    with pytest.raises(ClientError) as md5:
        s3.put_object(
            Bucket=bucket, Key="bad.bin", Body=b"payload", ContentMD5="AAAAAAAAAAAAAAAAAAAAAA=="
        )
    assert error_code(md5) == "BadDigest"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="bad.bin")
    sha256 = base64.b64encode(hashlib.sha256(b"payload").digest()).decode()
    s3.put_object(Bucket=bucket, Key="good.bin", Body=b"payload", ChecksumSHA256=sha256)


@pytest.mark.parametrize(
    "key", ["../escape.txt", "a/../../escape.txt", "./x", "nul\0key", "dir/", "a//b"]
)
def test_keys_never_escape_their_bucket(s3: Any, bucket: str, server: LiveServer, key: str) -> None:
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert error_code(refused) == "InvalidArgument"
    assert not (server.data_dir / "s3" / "escape.txt").exists()
    assert not (server.data_dir / "escape.txt").exists()
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_a_key_cannot_be_an_object_and_a_folder(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a/b", Body=b"x")
    for key in ("a", "a/b/c"):
        with pytest.raises(ClientError) as refused:
            s3.put_object(Bucket=bucket, Key=key, Body=b"y")
        assert error_code(refused) == "InvalidRequest"
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["a/b"]


def test_a_key_too_long(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_code(refused) == "KeyTooLongError"


def test_a_crc32c_checksum_is_verified(s3: Any, bucket: str) -> None:
    """CRC-32C (what SDKs with a CRT send) of a large body: computed, and wrong is refused."""
    body = os.urandom(16 * 1024 * 1024)
    right = base64.b64encode(google_crc32c.value(body).to_bytes(4, "big")).decode()
    s3.put_object(Bucket=bucket, Key="c.bin", Body=body, ChecksumCRC32C=right)
    assert s3.head_object(Bucket=bucket, Key="c.bin")["ContentLength"] == len(body)
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="c2.bin", Body=body, ChecksumCRC32C="AAAAAA==")
    assert error_code(refused) == "BadDigest"
