"""The S3 objects a job reads: one object, or every object under a prefix (as Comprehend
reads an S3Uri), on the local bucket folders or an external S3; and the documents in them
(one per file, or one per line)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sensorium.blobs import Buckets, LocalBuckets, S3Buckets, parse_s3_uri
from sensorium.context import Scope
from sensorium.errors import BlobError, BlobNotFound, InvalidBlobKey
from sensorium.jobs import JobFailed, RunningJob

MAX_OBJECTS = 1_000_000  # AWS's limit on the files of one asynchronous job
# AWS: a line ends with LF, CR or CRLF (never U+2028, which str.splitlines would also split on).
LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


@dataclass(frozen=True)
class InputFile:
    name: str  # its key under the input folder (a single object: its own name)
    text: str


@dataclass(frozen=True)
class Document:
    file: str
    line: int | None  # ONE_DOC_PER_LINE: the zero-based line number in its file
    text: str


def input_files(
    blobs: Buckets, job: RunningJob, uri: str, max_file_bytes: int, max_total_bytes: int
) -> Iterator[tuple[float, InputFile]]:
    """Every object under ``uri`` decoded as UTF-8, with the fraction of files read so far."""
    bucket, keys = keys_under(blobs, job.scope, uri)
    _, prefix = parse_s3_uri(uri)
    folder = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    total = 0
    for index, key in enumerate(keys, start=1):
        job.check()
        data = read(blobs, job.scope, f"s3://{bucket}/{key}", max_file_bytes)
        total += len(data)
        if total > max_total_bytes:
            raise JobFailed(f"The input under {uri} is larger than {max_total_bytes} bytes.")
        name = key[len(folder) :] if key.startswith(folder) else key.rpartition("/")[2]
        yield index / len(keys), InputFile(name, data.decode("utf-8", errors="replace"))


def lines_of(text: str) -> list[str]:
    """A file's lines, without their line breaks (``LINE_BREAK.split`` keeps them between)."""
    return LINE_BREAK.split(text)[::2]


def documents(file: InputFile, per_line: bool) -> list[Document]:
    """The file's documents: the whole file, or each line that holds text."""
    if not per_line:
        return [Document(file.name, None, file.text)] if file.text.strip() else []
    return [
        Document(file.name, number, line)
        for number, line in enumerate(lines_of(file.text))
        if line.strip()
    ]


def bucket_exists(blobs: Buckets, scope: Scope, bucket: str) -> bool:
    """Whether ``bucket`` exists and ``scope``'s account may use it (an absent bucket is
    looked at before ``allow``, which would claim its name)."""
    store = blobs.store
    if isinstance(store, LocalBuckets):
        found = (store.root / bucket).is_dir()
    elif isinstance(store, S3Buckets):
        try:
            store.client.head_bucket(Bucket=bucket)
            found = True
        except Exception:  # the external S3's own errors: absent, or not ours to read
            found = False
    else:
        found = True
    if not found:
        return False
    try:
        blobs.allow(scope, bucket)
    except BlobError:
        return False
    return True


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
