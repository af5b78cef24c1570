"""Where ``S3Object``s and ``s3://`` URIs are read from and written to.

By default ``s3://BUCKET/KEY`` is the file ``DATA_DIR/s3/BUCKET/KEY``. With an S3 endpoint
configured, the same URIs go to that S3-compatible service through boto3.
"""

from __future__ import annotations

import abc
import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sensorium.errors import BlobError, BlobNotFound, InvalidBlobKey

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-_]{1,254}")
MAX_KEY_BYTES = 1024  # S3's limit


def check_location(bucket: str, key: str = "") -> None:
    """``InvalidBlobKey`` unless the bucket's name (and the key, when given) could exist in
    S3: checked before anything is stored about them."""
    if not _BUCKET.fullmatch(bucket) or bucket in (".", ".."):
        raise InvalidBlobKey(f"Invalid bucket name: {bucket!r}")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidBlobKey(f"An object key is at most {MAX_KEY_BYTES} bytes long.")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` (or ``https://host/bucket/key?...`` path style) -> (bucket, key)."""
    if uri.startswith("s3://"):
        rest = uri[len("s3://") :]
    elif uri.startswith(("http://", "https://")):
        # A path-style URL (perhaps presigned): its path, decoded, without the query.
        rest = unquote(urlsplit(uri).path).removeprefix("/")
    else:
        raise InvalidBlobKey(f"Not an S3 URI: {uri!r}")
    bucket, _, key = rest.partition("/")
    if not bucket or not key:
        raise InvalidBlobKey(f"An S3 URI needs a bucket and a key: {uri!r}")
    return bucket, key


class BlobStore(abc.ABC):
    @abc.abstractmethod
    def read(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        """The object's bytes; ``BlobNotFound`` if absent; ``BlobError`` if over max_bytes."""

    @abc.abstractmethod
    def write(self, bucket: str, key: str, data: bytes) -> None: ...

    @abc.abstractmethod
    def exists(self, bucket: str, key: str) -> bool: ...

    @abc.abstractmethod
    def delete(self, bucket: str, key: str) -> None:
        """Remove the object; deleting one that is absent is not an error (as in S3)."""


class LocalBuckets(BlobStore):
    """Buckets are folders under ``root``; keys never escape their bucket."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, bucket: str, key: str) -> Path:
        check_location(bucket, key)
        if not key or key.startswith("/") or "\\" in key or "\x00" in key:
            raise InvalidBlobKey(f"Invalid object key: {key!r}")
        if any(part in ("..", ".") for part in key.split("/")):
            raise InvalidBlobKey(f"Object keys may not contain '.' or '..' segments: {key!r}")
        bucket_dir = (self.root / bucket).resolve()
        candidate = bucket_dir / key
        # resolve() follows symlinks: a link pointing outside the bucket is refused too.
        resolved = candidate.resolve()
        if not resolved.is_relative_to(bucket_dir):
            raise InvalidBlobKey(f"Object key escapes its bucket: {key!r}")
        return resolved

    def read(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        path = self.path(bucket, key)
        if not path.is_file():
            raise BlobNotFound(f"s3://{bucket}/{key} does not exist")
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise BlobError(f"s3://{bucket}/{key} is larger than {max_bytes} bytes")
        return path.read_bytes()

    def write(self, bucket: str, key: str, data: bytes) -> None:
        path = self.path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unique per writer: two requests may write one key at once (the last rename wins).
        partial = path.with_name(
            f".{path.name}.partial-{os.getpid()}{secrets.randbelow(10**9):09d}"
        )
        partial.write_bytes(data)
        try:
            os.replace(partial, path)  # readers see the old object or the new one, never half
        except OSError:
            partial.unlink(missing_ok=True)  # e.g. the key is the folder of other keys
            raise

    def exists(self, bucket: str, key: str) -> bool:
        return self.path(bucket, key).is_file()

    def delete(self, bucket: str, key: str) -> None:
        self.path(bucket, key).unlink(missing_ok=True)


class S3Buckets(BlobStore):
    """An S3-compatible service (MinIO, Ceph, AWS itself) reached through boto3."""

    def __init__(
        self,
        endpoint_url: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        region: str = "us-east-1",
    ) -> None:
        import boto3

        self.endpoint_url = endpoint_url
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )

    def presigned_get(self, bucket: str, key: str, seconds: int) -> str:
        """A GET URL to the object, signed with the server's keys for this endpoint."""
        url: str = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=seconds
        )
        return url

    def read(self, bucket: str, key: str, max_bytes: int | None = None) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "NoSuchBucket", "404"):
                raise BlobNotFound(f"s3://{bucket}/{key} does not exist") from None
            raise BlobError(f"s3://{bucket}/{key}: {code or error}") from None
        if max_bytes is not None and response.get("ContentLength", 0) > max_bytes:
            raise BlobError(f"s3://{bucket}/{key} is larger than {max_bytes} bytes")
        body: bytes = response["Body"].read()
        return body

    def write(self, bucket: str, key: str, data: bytes) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(Bucket=bucket, Key=key, Body=data)
        except ClientError as error:
            raise BlobError(f"s3://{bucket}/{key}: {error}") from None

    def exists(self, bucket: str, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=bucket, Key=key)
        except ClientError:
            return False
        return True

    def delete(self, bucket: str, key: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.delete_object(Bucket=bucket, Key=key)
        except ClientError as error:
            raise BlobError(f"s3://{bucket}/{key}: {error}") from None
