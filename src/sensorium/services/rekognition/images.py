"""The ``Image`` of a Rekognition request: bytes or an S3 object, decoded upright."""

from __future__ import annotations

from typing import Any

from sensorium.blobs import Buckets
from sensorium.context import Scope
from sensorium.errors import BlobAccessDenied, BlobError, BlobNotFound, InvalidBlobKey, ServiceError
from sensorium.models.faces import (
    ImageTooLargeError,
    LoadedImage,
    UnsupportedImageError,
    load_image,
)
from sensorium.services.rekognition.errors import (
    ImageTooLargeException,
    InvalidImageFormatException,
    InvalidParameterException,
    InvalidS3ObjectException,
)

MAX_BYTES = 5 * 1024 * 1024  # AWS: 5 MB as raw bytes
MAX_S3_BYTES = 15 * 1024 * 1024  # AWS: 15 MB as an S3 object
MIN_SIDE = 80  # AWS: images must be at least 80 pixels high and wide


def read_image(blobs: Buckets, scope: Scope, image: dict[str, Any]) -> tuple[LoadedImage, bytes]:
    """The decoded image and the bytes it came from (from the request or its S3 object)."""
    data = _image_bytes(blobs, scope, image)
    try:
        loaded = load_image(data)
    except ImageTooLargeError as error:
        raise ImageTooLargeException(
            f"The input image size exceeds the allowed limit: {error}."
        ) from None
    except UnsupportedImageError as error:
        raise InvalidImageFormatException(f"Request has invalid image format: {error}") from None
    if min(loaded.width, loaded.height) < MIN_SIDE:
        raise InvalidParameterException(
            f"Request has invalid image dimensions {loaded.width}x{loaded.height}: "
            f"images must be at least {MIN_SIDE} pixels wide and high.",
        )
    return loaded, data


def _image_bytes(blobs: Buckets, scope: Scope, image: dict[str, Any]) -> bytes:
    if "Bytes" in image:
        data: bytes = image["Bytes"]
        if len(data) > MAX_BYTES:
            raise too_large(len(data), MAX_BYTES)
        return data
    s3 = image.get("S3Object")
    if not s3 or "Bucket" not in s3 or "Name" not in s3:
        raise InvalidParameterException("Image needs Bytes, or an S3Object with Bucket and Name.")
    location = f"s3://{s3['Bucket']}/{s3['Name']}"
    try:
        return blobs.read(scope, s3["Bucket"], s3["Name"], max_bytes=MAX_S3_BYTES)
    except (BlobNotFound, BlobAccessDenied, InvalidBlobKey) as error:
        raise InvalidS3ObjectException(f"Unable to get object {location}: {error}") from None
    except BlobError:
        raise too_large(None, MAX_S3_BYTES) from None


def too_large(size: int | None, limit: int) -> ServiceError:
    got = f" ({size} bytes)" if size is not None else ""
    return ImageTooLargeException(f"Image size{got} is too large: the limit is {limit} bytes.")
