"""Multipart uploads on disk: ``DATA_DIR/s3-metadata/BUCKET/uploads/UPLOAD_ID/``.

Files, not rows, like the objects they become: ``upload.json`` (whose upload, for which key,
the metadata the object will carry) and, per part, its bytes and a JSON record (ETag, size,
checksums). Every file is written under a temporary name and renamed into place, and a
part's record is trusted only for the size and modification time it was written for, so a
crash leaves at most a part that is not there (and stray temporary files), never a wrong one.
Deleting the bucket's metadata folder (``DeleteBucket``) takes its uploads with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{32,128}")
_PART_FILE = re.compile(r"\d{5}")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Upload:
    upload_id: str
    key: str
    account_id: str
    initiated: dt.datetime
    record: dict[str, Any]  # what CreateMultipartUpload said the object will carry


@dataclass(frozen=True)
class Part:
    number: int
    etag: str  # hex MD5, unquoted
    size: int
    last_modified: dt.datetime
    checksums: dict[str, str] = field(default_factory=dict)


class UploadFiles:
    def __init__(self, metadata_root: Path) -> None:
        self.metadata_root = metadata_root

    def create(self, bucket: str, key: str, account_id: str, record: dict[str, Any]) -> Upload:
        upload_id = secrets.token_urlsafe(48)
        folder = self._folder(bucket, upload_id)
        (folder / "parts").mkdir(parents=True)
        initiated = dt.datetime.now(dt.UTC).replace(microsecond=0)
        _write_json(
            folder / "upload.json",
            {
                "key": key,
                "account": account_id,
                "initiated": initiated.isoformat(),
                "record": record,
            },
        )
        return Upload(upload_id, key, account_id, initiated, record)

    def get(self, bucket: str, upload_id: str) -> Upload | None:
        if not _UPLOAD_ID.fullmatch(upload_id):
            return None
        try:
            value = json.loads((self._folder(bucket, upload_id) / "upload.json").read_text())
            return Upload(
                upload_id,
                value["key"],
                value["account"],
                dt.datetime.fromisoformat(value["initiated"]),
                dict(value["record"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def uploads(self, bucket: str) -> Iterator[Upload]:
        try:
            names = os.listdir(self.metadata_root / bucket / "uploads")
        except OSError:
            return
        for name in names:
            upload = self.get(bucket, name)
            if upload is not None:
                yield upload

    def put_part(
        self, bucket: str, upload_id: str, number: int, data: bytes, checksums: dict[str, str]
    ) -> Part:
        parts = self._folder(bucket, upload_id) / "parts"
        path = parts / f"{number:05d}"
        handle, partial = tempfile.mkstemp(dir=parts, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        stat = path.stat()
        record = {
            "etag": hashlib.md5(data).hexdigest(),
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "checksums": checksums,
        }
        _write_json(parts / f"{number:05d}.json", record)
        return _part(number, stat, record)

    def parts(self, bucket: str, upload_id: str) -> list[Part]:
        """The upload's parts, by part number."""
        folder = self._folder(bucket, upload_id) / "parts"
        try:
            names = sorted(name for name in os.listdir(folder) if _PART_FILE.fullmatch(name))
        except OSError:
            return []
        found = []
        for name in names:
            part = self._part(folder / name, int(name))
            if part is not None:
                found.append(part)
        return found

    def part_path(self, bucket: str, upload_id: str, number: int) -> Path:
        return self._folder(bucket, upload_id) / "parts" / f"{number:05d}"

    def assemble(self, bucket: str, upload_id: str, numbers: list[int], target: Path) -> None:
        """The parts, in this order, streamed into ``target`` (a new file)."""
        with target.open("xb") as out:
            for number in numbers:
                with self.part_path(bucket, upload_id, number).open("rb") as part:
                    shutil.copyfileobj(part, out, _CHUNK)

    def delete(self, bucket: str, upload_id: str) -> None:
        folder = self._folder(bucket, upload_id)
        # Renamed first, so that no request finds half an upload while it is removed.
        doomed = folder.with_name(f".deleted-{upload_id}-{secrets.token_hex(4)}")
        try:
            os.rename(folder, doomed)
        except OSError:
            return
        shutil.rmtree(doomed, ignore_errors=True)

    def _folder(self, bucket: str, upload_id: str) -> Path:
        return self.metadata_root / bucket / "uploads" / upload_id

    @staticmethod
    def _part(path: Path, number: int) -> Part | None:
        try:
            stat = path.stat()
            record = json.loads(path.with_name(f"{path.name}.json").read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or (record.get("size"), record.get("mtime_ns")) != (
            stat.st_size,
            stat.st_mtime_ns,
        ):
            return None  # the bytes were replaced, and their record not yet
        return _part(number, stat, record)


def _part(number: int, stat: os.stat_result, record: dict[str, Any]) -> Part:
    return Part(
        number=number,
        etag=str(record["etag"]),
        size=stat.st_size,
        last_modified=dt.datetime.fromtimestamp(int(stat.st_mtime), dt.UTC),
        checksums=dict(record.get("checksums") or {}),
    )


def multipart_etag(part_etags: list[str]) -> str:
    """S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, and ``-N``."""
    digest = hashlib.md5(b"".join(bytes.fromhex(etag) for etag in part_etags))
    return f"{digest.hexdigest()}-{len(part_etags)}"


def _write_json(path: Path, value: dict[str, Any]) -> None:
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(value, stream)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
