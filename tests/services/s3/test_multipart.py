"""Multipart uploads: boto3's transfers, the listings, and Complete's rules."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import OTHER_ACCESS_KEY, OTHER_SECRET_KEY, LiveServer
from tests.services.s3.conftest import error_code
from tests.services.s3.test_clients import aws

MiB = 1024 * 1024


def test_upload_and_download_file_of_20_mb(s3: Any, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    data = os.urandom(20 * 1000 * 1000)
    source.write_bytes(data)
    s3.upload_file(str(source), bucket, "big.bin")  # 8 MiB parts: 3 of them
    back = tmp_path / "back.bin"
    s3.download_file(bucket, "big.bin", str(back))
    assert back.read_bytes() == data
    chunk = 8 * MiB
    digests = b"".join(
        hashlib.md5(data[at : at + chunk]).digest() for at in range(0, len(data), chunk)
    )
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"] == f'"{hashlib.md5(digests).hexdigest()}-3"'
    assert head["ContentLength"] == len(data)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads") is None


def test_parts_listed_and_aborted(s3: Any, bucket: str) -> None:
    started = s3.create_multipart_upload(Bucket=bucket, Key="a/b.txt", ContentType="text/plain")
    upload_id = started["UploadId"]
    assert started["Key"] == "a/b.txt"
    for number in (1, 2, 3):
        s3.upload_part(
            Bucket=bucket, Key="a/b.txt", UploadId=upload_id, PartNumber=number, Body=b"x" * number
        )
    parts = s3.list_parts(Bucket=bucket, Key="a/b.txt", UploadId=upload_id, MaxParts=2)
    assert [part["PartNumber"] for part in parts["Parts"]] == [1, 2]
    assert parts["IsTruncated"] is True
    assert parts["Parts"][1]["ETag"] == f'"{hashlib.md5(b"xx").hexdigest()}"'
    rest = s3.list_parts(
        Bucket=bucket,
        Key="a/b.txt",
        UploadId=upload_id,
        PartNumberMarker=parts["NextPartNumberMarker"],
    )
    assert [part["Size"] for part in rest["Parts"]] == [3]
    s3.create_multipart_upload(Bucket=bucket, Key="c.txt")
    listed = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [upload["Key"] for upload in listed["Uploads"]] == ["c.txt"]
    assert listed["CommonPrefixes"] == [{"Prefix": "a/"}]
    s3.abort_multipart_upload(Bucket=bucket, Key="a/b.txt", UploadId=upload_id)
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.list_parts(Bucket=bucket, Key="a/b.txt", UploadId=upload_id)
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.abort_multipart_upload(Bucket=bucket, Key="a/b.txt", UploadId=upload_id)
    assert [upload["Key"] for upload in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [
        "c.txt"
    ]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_a_single_small_part_completes(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="small", Metadata={"kind": "tiny"})[
        "UploadId"
    ]
    part = s3.upload_part(Bucket=bucket, Key="small", UploadId=upload_id, PartNumber=1, Body=b"hi")
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="small",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    expected = hashlib.md5(hashlib.md5(b"hi").digest()).hexdigest()
    assert done["ETag"] == f'"{expected}-1"'
    got = s3.get_object(Bucket=bucket, Key="small")
    assert got["Body"].read() == b"hi"
    assert got["Metadata"] == {"kind": "tiny"}
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.list_parts(Bucket=bucket, Key="small", UploadId=upload_id)


def test_complete_refuses_what_s3_refuses(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etags = [
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=n, Body=body)["ETag"]
        for n, body in ((1, b"one"), (2, b"two"))
    ]

    def complete(parts: list[dict[str, Any]], upload: str = upload_id) -> str:
        with pytest.raises(ClientError) as refused:
            s3.complete_multipart_upload(
                Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": parts}
            )
        return error_code(refused)

    one, two = ({"PartNumber": n, "ETag": etag} for n, etag in zip((1, 2), etags, strict=True))
    assert complete([one, two]) == "EntityTooSmall"
    assert complete([two, one]) == "InvalidPartOrder"
    assert complete([{"PartNumber": 1, "ETag": etags[1]}]) == "InvalidPart"
    assert complete([{"PartNumber": 3, "ETag": etags[0]}]) == "InvalidPart"
    assert complete([one], upload="A" * 64) == "NoSuchUpload"
    with pytest.raises(ClientError) as bad_number:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=10001, Body=b"")
    assert error_code(bad_number) == "InvalidArgument"
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.upload_part(Bucket=bucket, Key="other", UploadId=upload_id, PartNumber=1, Body=b"")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_another_account_finds_no_upload(s3: Any, s3_for: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    stranger = s3_for(access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY)
    with pytest.raises(ClientError) as denied:
        stranger.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)
    assert error_code(denied) == "AccessDenied"
    with pytest.raises(ClientError) as denied_listing:
        stranger.list_multipart_uploads(Bucket=bucket)
    assert error_code(denied_listing) == "AccessDenied"


def test_aws_cli_copies_a_20_mb_file(
    server: LiveServer, s3: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    data = os.urandom(20 * 1000 * 1000)
    source.write_bytes(data)
    up = aws(server, tmp_path, "s3", "cp", str(source), f"s3://{bucket}/big.bin")
    assert up.returncode == 0, up.stderr
    assert s3.head_object(Bucket=bucket, Key="big.bin")["ETag"].endswith('-3"')
    back = tmp_path / "back.bin"
    down = aws(server, tmp_path, "s3", "cp", f"s3://{bucket}/big.bin", str(back))
    assert down.returncode == 0, down.stderr
    assert back.read_bytes() == data
