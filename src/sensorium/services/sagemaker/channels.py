"""A training channel's audio files: class folders under its S3 prefix
(``PREFIX/<label>/<file>``) or a ``manifest.csv`` there (columns ``filename`` and ``label``
or ``category``; a filename is a key under the prefix or an ``s3://`` URI)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from sensorium.blobs import Buckets, LocalBuckets, S3Buckets, parse_s3_uri
from sensorium.context import Scope
from sensorium.errors import BlobError

AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".webm")
MANIFEST = "manifest.csv"
MAX_FILES = 100_000


class ChannelError(ValueError):
    """The channel cannot be read; the message is the job's FailureReason."""


@dataclass(frozen=True)
class AudioObject:
    bucket: str
    key: str
    label: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` (the prefix may be empty) -> (bucket, prefix)."""
    if not uri.startswith("s3://"):
        raise ChannelError(f"{uri} is not an s3:// URI.")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        raise ChannelError(f"{uri} names no bucket.")
    return bucket, prefix


def audio_objects(buckets: Buckets, scope: Scope, channel: str, uri: str) -> list[AudioObject]:
    bucket, prefix = split_uri(uri)
    try:
        buckets.allow(scope, bucket)
        keys = list(_keys(buckets, bucket, prefix))
    except BlobError as error:
        raise ChannelError(f"The {channel} channel {uri} cannot be read: {error}") from None
    base = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    manifest = base + MANIFEST
    if manifest in keys:
        return _from_manifest(buckets, scope, channel, bucket, base, manifest)
    found = []
    for key in keys:
        relative = PurePosixPath(key[len(base) :])
        if key.lower().endswith(AUDIO_EXTENSIONS) and len(relative.parts) >= 2:
            found.append(AudioObject(bucket, key, relative.parts[-2]))
    if not found:
        raise ChannelError(
            f"No audio files found in the {channel} channel {uri}: put them in one folder per "
            f"class ({uri.rstrip('/')}/CLASS/FILE.wav) or list them in {MANIFEST} there "
            f"(extensions {', '.join(AUDIO_EXTENSIONS)})."
        )
    return found


def _from_manifest(
    buckets: Buckets, scope: Scope, channel: str, bucket: str, base: str, manifest: str
) -> list[AudioObject]:
    where = f"s3://{bucket}/{manifest}"
    try:
        text = buckets.read(scope, bucket, manifest, max_bytes=64 * 1024**2).decode("utf-8")
    except (BlobError, UnicodeDecodeError) as error:
        raise ChannelError(f"{where} cannot be read: {error}") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    label_column = "label" if "label" in columns else "category"
    if "filename" not in columns or label_column not in columns:
        raise ChannelError(f"{where} needs the columns filename and label (or category).")
    found = []
    for line, row in enumerate(reader, start=2):
        name, label = (row.get("filename") or "").strip(), (row.get(label_column) or "").strip()
        if not name or not label:
            raise ChannelError(f"{where} line {line}: a filename and a label are required.")
        if name.startswith("s3://"):
            try:
                found.append(AudioObject(*parse_s3_uri(name), label))
            except BlobError as error:
                raise ChannelError(f"{where} line {line}: {error}") from None
        else:
            found.append(AudioObject(bucket, base + name.lstrip("/"), label))
        if len(found) > MAX_FILES:
            raise ChannelError(f"{where} lists more than {MAX_FILES} files.")
    if not found:
        raise ChannelError(f"No audio files found in the {channel} channel: {where} is empty.")
    return found


def object_keys(buckets: Buckets, scope: Scope, uri: str) -> list[str]:
    """Every key under a channel's S3 prefix (at most ``MAX_FILES``)."""
    bucket, prefix = split_uri(uri)
    try:
        buckets.allow(scope, bucket)
        keys = []
        for key in _keys(buckets, bucket, prefix):
            keys.append(key)
            if len(keys) > MAX_FILES:
                raise ChannelError(f"More than {MAX_FILES} objects under {uri}.")
        return keys
    except BlobError as error:
        raise ChannelError(f"{uri} cannot be read: {error}") from None


def _keys(buckets: Buckets, bucket: str, prefix: str) -> Iterator[str]:
    store = buckets.store
    if isinstance(store, LocalBuckets):
        root = store.root / bucket
        if not root.is_dir():
            raise ChannelError(f"The bucket {bucket} does not exist.")
        start = root / prefix.rpartition("/")[0] if "/" in prefix else root
        count = 0
        for folder, _, files in os.walk(start):
            relative = os.path.relpath(folder, root)
            for name in sorted(files):
                key = name if relative == "." else f"{relative}/{name}"
                if key.startswith(prefix) and not name.startswith("."):
                    count += 1
                    if count > MAX_FILES:
                        raise ChannelError(
                            f"More than {MAX_FILES} objects under s3://{bucket}/{prefix}."
                        )
                    yield key
    elif isinstance(store, S3Buckets):
        pages = store.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield str(item["Key"])
    else:  # pragma: no cover - the two stores Sensorium has
        raise ChannelError("This blob store cannot list objects.")
