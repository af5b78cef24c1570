from __future__ import annotations

import os
from pathlib import Path

import pytest

from sensorium.blobs import LocalBuckets, parse_s3_uri
from sensorium.errors import BlobNotFound, InvalidBlobKey


@pytest.fixture
def buckets(tmp_path: Path) -> LocalBuckets:
    return LocalBuckets(tmp_path / "s3")


def test_round_trip(buckets: LocalBuckets) -> None:
    buckets.write("media", "photos/a.jpg", b"jpeg")
    assert buckets.read("media", "photos/a.jpg") == b"jpeg"
    assert buckets.exists("media", "photos/a.jpg")
    assert (buckets.root / "media" / "photos" / "a.jpg").read_bytes() == b"jpeg"


def test_delete(buckets: LocalBuckets) -> None:
    buckets.write("media", "a/b.wav", b"x")
    buckets.delete("media", "a/b.wav")
    assert not buckets.exists("media", "a/b.wav")
    buckets.delete("media", "a/b.wav")  # absent: no error, as in S3
    with pytest.raises(InvalidBlobKey):
        buckets.delete("media", "../escape")


def test_missing_object(buckets: LocalBuckets) -> None:
    with pytest.raises(BlobNotFound):
        buckets.read("media", "nothing-here.jpg")


@pytest.mark.parametrize(
    "key",
    ["../outside.txt", "a/../../outside.txt", "/etc/passwd", "a/./b", "..", "a\\..\\b", "nul\x00"],
)
def test_keys_cannot_escape_the_bucket(buckets: LocalBuckets, key: str) -> None:
    with pytest.raises(InvalidBlobKey):
        buckets.read("media", key)
    with pytest.raises(InvalidBlobKey):
        buckets.write("media", key, b"x")


@pytest.mark.parametrize("bucket", ["..", ".", "a/b", "UPPER", ""])
def test_bad_bucket_names(buckets: LocalBuckets, bucket: str) -> None:
    with pytest.raises(InvalidBlobKey):
        buckets.read(bucket, "key")


def test_symlinks_out_of_the_bucket_are_refused(buckets: LocalBuckets, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (buckets.root / "media").mkdir(parents=True)
    os.symlink(secret, buckets.root / "media" / "link.txt")
    os.symlink(tmp_path, buckets.root / "media" / "dir")
    with pytest.raises(InvalidBlobKey):
        buckets.read("media", "link.txt")
    with pytest.raises(InvalidBlobKey):
        buckets.read("media", "dir/secret.txt")


def test_parse_uri() -> None:
    assert parse_s3_uri("s3://bucket/some/key.wav") == ("bucket", "some/key.wav")
    assert parse_s3_uri("https://s3.example.com/bucket/key") == ("bucket", "key")
    for bad in ("s3://bucket", "s3://", "file:///etc/passwd"):
        with pytest.raises(InvalidBlobKey):
            parse_s3_uri(bad)
