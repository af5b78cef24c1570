"""The integrity headers S3 clients send with a body (``Content-MD5``, ``x-amz-checksum-*``),
checked against the body received before anything is done with it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Callable, Mapping

import google_crc32c

from sensorium.errors import SerializationException


class BadDigest(SerializationException):
    """A checksum that is not the body's."""

    code = "SerializationException"


class InvalidDigest(SerializationException):
    """A checksum header that is not a digest at all (not base64, or the wrong length)."""

    code = "SerializationException"


class UnsupportedChecksum(SerializationException):
    """A checksum algorithm the server cannot compute."""

    code = "SerializationException"


def crc32c(data: bytes) -> bytes:
    """CRC-32C (Castagnoli), in C (``google-crc32c``)."""
    return int(google_crc32c.value(data)).to_bytes(4, "big")


def _crc32(data: bytes) -> bytes:
    return zlib.crc32(data).to_bytes(4, "big")


ALGORITHMS: dict[str, Callable[[bytes], bytes]] = {
    "crc32": _crc32,
    "crc32c": crc32c,
    "sha1": lambda data: hashlib.sha1(data).digest(),
    "sha256": lambda data: hashlib.sha256(data).digest(),
}
_PREFIX = "x-amz-checksum-"
_NOT_CHECKSUMS = ("x-amz-checksum-mode", "x-amz-checksum-type", "x-amz-checksum-algorithm")


def verify(headers: Mapping[str, str], body: bytes) -> None:
    """``BadDigest`` unless every integrity header sent is the body's digest."""
    md5 = headers.get("content-md5")
    if md5 is not None and _decoded(md5, "Content-MD5") != hashlib.md5(body).digest():
        raise BadDigest("The Content-MD5 you specified did not match what we received.")
    for name, value in headers.items():
        name = name.lower()
        if not name.startswith(_PREFIX) or name in _NOT_CHECKSUMS:
            continue
        algorithm = name[len(_PREFIX) :]
        digest = ALGORITHMS.get(algorithm)
        if digest is None:
            raise UnsupportedChecksum(
                f"Sensorium does not compute {algorithm.upper()} checksums; use one of "
                f"{', '.join(a.upper() for a in ALGORITHMS)}."
            )
        if _decoded(value, name) != digest(body):
            raise BadDigest(
                f"The {algorithm.upper()} you specified did not match the calculated checksum."
            )


def _decoded(value: str, name: str) -> bytes:
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidDigest(f"The {name} you specified is not valid.") from None
