"""S3's rules for the names of new buckets, and for keys."""

from __future__ import annotations

import re

from sensorium.blobs.store import MAX_KEY_BYTES
from sensorium.services.s3.errors import InvalidBucketName, KeyTooLongError

_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_new_bucket(name: str) -> None:
    """``InvalidBucketName`` unless S3 would let a bucket be created with this name."""
    if (
        not _NAME.fullmatch(name)
        or _IP_ADDRESS.fullmatch(name)
        or ".." in name
        or ".-" in name
        or "-." in name
        or name.startswith(_RESERVED_PREFIXES)
        or name.endswith(_RESERVED_SUFFIXES)
    ):
        raise InvalidBucketName("The specified bucket is not valid.", BucketName=name)


def check_key(key: str) -> None:
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise KeyTooLongError("Your key is too long", Size=len(key), MaxSizeAllowed=MAX_KEY_BYTES)
