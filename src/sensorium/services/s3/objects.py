"""Objects in the local bucket folders, with what S3 keeps beside their bytes.

The bytes are the files other services read (``blobs.LocalBuckets``: one store). The
metadata S3 returns (ETag, content type, user metadata, checksums) lives in a sidecar JSON
file per object under ``DATA_DIR/s3-metadata/BUCKET/``, named by a digest of the key so no key
can collide with another's record. A record is trusted only while the file's size and
modification time are the ones it was written for: an object written by a service, or
by hand, gets its ETag computed from its bytes and the default content type.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensorium.blobs import LocalBuckets
from sensorium.errors import InvalidBlobKey

DEFAULT_CONTENT_TYPE = "binary/octet-stream"
_CHUNK = 1024 * 1024
_PARTIAL = ".partial-"
_TEMPORARY = re.compile(r"\..*\.partial-\d+")  # files being written, never objects


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str  # quoted, as S3 sends it
    last_modified: dt.datetime
    content_type: str = DEFAULT_CONTENT_TYPE
    metadata: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # Cache-Control and the like
    checksums: dict[str, str] = field(default_factory=dict)


class ObjectFiles:
    def __init__(self, buckets: LocalBuckets, metadata_root: Path) -> None:
        self.buckets = buckets
        self.metadata_root = metadata_root

    # Buckets.

    def bucket_dir(self, bucket: str) -> Path:
        return self.buckets.root / bucket

    def bucket_exists(self, bucket: str) -> bool:
        return self.bucket_dir(bucket).is_dir()

    def create_bucket(self, bucket: str, region: str) -> None:
        self.bucket_dir(bucket).mkdir(parents=True, exist_ok=True)
        record = self.metadata_root / bucket / "bucket.json"
        record.parent.mkdir(parents=True, exist_ok=True)
        _write_json(record, {"region": region})

    def bucket_region(self, bucket: str, default: str) -> str:
        try:
            record = json.loads((self.metadata_root / bucket / "bucket.json").read_text())
        except (OSError, ValueError):
            return default
        region = record.get("region") if isinstance(record, dict) else None
        return region if isinstance(region, str) else default

    def is_empty(self, bucket: str) -> bool:
        return next(self.keys(bucket), None) is None

    def delete_bucket(self, bucket: str) -> None:
        shutil.rmtree(self.bucket_dir(bucket), ignore_errors=True)
        shutil.rmtree(self.metadata_root / bucket, ignore_errors=True)

    def keys(self, bucket: str, prefix: str = "") -> Iterator[str]:
        """Every key in the bucket that starts with ``prefix``, in UTF-8 byte order (S3's)."""
        root = self.bucket_dir(bucket)
        # Only the folder the prefix names can hold its keys: start the walk there.
        start = root / prefix.rpartition("/")[0] if "/" in prefix else root
        if "\x00" in prefix or not _within(start, root):
            return iter(())
        found: list[str] = []
        for folder, _, files in os.walk(start):
            relative = Path(folder).relative_to(root).as_posix()
            base = "" if relative == "." else relative + "/"
            for name in files:
                key = base + name
                if not _TEMPORARY.fullmatch(name) and key.startswith(prefix):
                    found.append(key)
        found.sort(key=lambda key: key.encode("utf-8", "surrogateescape"))
        return iter(found)

    # Objects.

    def put(self, bucket: str, key: str, data: bytes, record: dict[str, Any]) -> ObjectInfo:
        _check_not_aliased(key)
        self.buckets.write(bucket, key, data)
        path = self.buckets.path(bucket, key)
        return self._recorded(bucket, key, path, {**record, "etag": hashlib.md5(data).hexdigest()})

    def _recorded(self, bucket: str, key: str, path: Path, record: dict[str, Any]) -> ObjectInfo:
        stat = path.stat()
        record = {**record, "key": key, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        meta = self._record_path(bucket, key)
        meta.parent.mkdir(parents=True, exist_ok=True)
        _write_json(meta, record)
        return _info(key, stat, record)

    def partial_path(self, bucket: str, key: str) -> Path:
        """A new temporary name beside the object's file (listings skip it), its folder made."""
        _check_not_aliased(key)
        path = self.buckets.path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.with_name(f".{path.name}{_PARTIAL}{secrets.randbelow(10**12)}")

    def place(
        self, bucket: str, key: str, partial: Path, etag: str, record: dict[str, Any]
    ) -> ObjectInfo:
        """The file ``partial`` (from ``partial_path``) becomes the object, with this ETag."""
        path = self.buckets.path(bucket, key)
        try:
            os.replace(partial, path)  # readers see the old object or the new one, never half
        except OSError:
            partial.unlink(missing_ok=True)
            raise
        return self._recorded(bucket, key, path, {**record, "etag": etag})

    def info(self, bucket: str, key: str) -> ObjectInfo | None:
        _check_not_aliased(key)
        path = self.buckets.path(bucket, key)
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        record = self._record(bucket, key)
        if record is None or (record.get("size"), record.get("mtime_ns")) != (
            stat.st_size,
            stat.st_mtime_ns,
        ):
            record = {"etag": _md5_of(path)}
        return _info(key, stat, record)

    def read(self, bucket: str, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes ``start`` to ``end`` inclusive, a chunk at a time; the file is opened now
        (a replacement after this point does not change what is sent)."""
        handle = self.buckets.path(bucket, key).open("rb")
        return _chunks(handle, start, end)

    def delete(self, bucket: str, key: str) -> None:
        _check_not_aliased(key)
        self.buckets.delete(bucket, key)
        self._record_path(bucket, key).unlink(missing_ok=True)

    def _record_path(self, bucket: str, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
        return self.metadata_root / bucket / "objects" / digest[:2] / f"{digest}.json"

    def _record(self, bucket: str, key: str) -> dict[str, Any] | None:
        try:
            record = json.loads(self._record_path(bucket, key).read_text())
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("key") == key else None


def _check_not_aliased(key: str) -> None:
    """A file path drops empty segments: ``a//b`` and ``dir/`` would be the files of other
    keys (``a/b``, ``dir``), so they are no objects here."""
    if key.endswith("/") or "//" in key:
        raise InvalidBlobKey(f"Object keys may not have empty segments: {key!r}")


def _info(key: str, stat: os.stat_result, record: dict[str, Any]) -> ObjectInfo:
    modified = dt.datetime.fromtimestamp(int(stat.st_mtime), dt.UTC)
    return ObjectInfo(
        key=key,
        size=stat.st_size,
        etag=f'"{record["etag"]}"',
        last_modified=modified,
        content_type=record.get("content_type") or DEFAULT_CONTENT_TYPE,
        metadata=dict(record.get("metadata") or {}),
        headers=dict(record.get("headers") or {}),
        checksums=dict(record.get("checksums") or {}),
    )


def _chunks(handle: Any, start: int, end: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def _md5_of(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path: Path, value: dict[str, Any]) -> None:
    partial = path.with_name(f".{path.name}{_PARTIAL}{os.getpid()}{secrets.randbelow(10**9):09d}")
    partial.write_text(json.dumps(value))
    os.replace(partial, path)


def _within(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())
