"""The S3 objects a job reads: one object, or every object under a prefix (as Comprehend
reads an S3Uri), on the local bucket folders or an external S3."""

from __future__ import annotations

import os
from pathlib import Path

from sensorium.blobs import Buckets, LocalBuckets, S3Buckets, parse_s3_uri
from sensorium.context import Scope
from sensorium.errors import BlobError, BlobNotFound, InvalidBlobKey
from sensorium.jobs import JobFailed

MAX_OBJECTS = 1_000_000  # AWS's limit on the files of one asynchronous job


def read(blobs: Buckets, scope: Scope, uri: str, max_bytes: int) -> bytes:
    """One object; ``JobFailed`` with the reason when it cannot be read."""
    try:
        bucket, key = parse_s3_uri(uri)
        return blobs.read(scope, bucket, key, max_bytes=max_bytes)
    except BlobNotFound:
        raise JobFailed(f"No object was found at {uri}. Make sure it exists.") from None
    except (BlobError, ValueError) as error:
        raise JobFailed(f"The data at {uri} cannot be read: {error}") from None


def keys_under(blobs: Buckets, scope: Scope, uri: str) -> tuple[str, list[str]]:
    """The bucket and every key that starts with the URI's key, in byte order."""
    try:
        bucket, prefix = parse_s3_uri(uri)
        blobs.allow(scope, bucket)
    except (BlobError, ValueError) as error:
        raise JobFailed(f"The input at {uri} cannot be read: {error}") from None
    store = blobs.store
    if isinstance(store, LocalBuckets):
        found = _local_keys(store, bucket, prefix)
    elif isinstance(store, S3Buckets):
        found = _remote_keys(store, bucket, prefix)
    else:
        found = [prefix] if store.exists(bucket, prefix) else []
    found = [key for key in found if not key.endswith("/")]
    if not found:
        raise JobFailed(f"No input documents were found under {uri}.")
    if len(found) > MAX_OBJECTS:
        raise JobFailed(f"The input under {uri} has more than {MAX_OBJECTS} files.")
    return bucket, sorted(found, key=lambda key: key.encode("utf-8", "surrogateescape"))


def _local_keys(store: LocalBuckets, bucket: str, prefix: str) -> list[str]:
    root = (store.root / bucket).resolve()
    start = root / prefix.rpartition("/")[0] if "/" in prefix else root
    try:
        start = start.resolve()
    except OSError:
        return []
    if not start.is_relative_to(root) or not start.is_dir():
        return []
    found = []
    for folder, _, files in os.walk(start):
        relative = Path(folder).relative_to(root).as_posix()
        base = "" if relative == "." else relative + "/"
        for name in files:
            key = base + name
            if not name.startswith(".") and key.startswith(prefix):
                found.append(key)
    return found


def _remote_keys(store: S3Buckets, bucket: str, prefix: str) -> list[str]:
    found: list[str] = []
    try:
        pages = store.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            found.extend(str(item["Key"]) for item in page.get("Contents", []))
            if len(found) > MAX_OBJECTS:
                break
    except Exception as error:  # the external S3's own errors
        raise JobFailed(f"s3://{bucket}/{prefix} cannot be listed: {error}") from None
    return found


def write(blobs: Buckets, scope: Scope, bucket: str, key: str, data: bytes) -> None:
    try:
        blobs.write(scope, bucket, key, data)
    except (BlobError, InvalidBlobKey) as error:
        raise JobFailed(f"The output cannot be written to s3://{bucket}/{key}: {error}") from None
