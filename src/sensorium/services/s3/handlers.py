"""S3's operations and the service methods that do them; every other operation of the
model answers ``NotImplemented`` (the dispatcher's answer for an operation with no handler)."""

from __future__ import annotations

import re

from sensorium.context import RequestContext
from sensorium.operations import OperationRegistry, Params
from sensorium.services.s3.errors import NotImplementedOperation
from sensorium.services.s3.multipart import Multipart
from sensorium.services.s3.service import S3

SERVICE = "s3"
OPERATIONS = (
    "ListBuckets",
    "CreateBucket",
    "HeadBucket",
    "DeleteBucket",
    "GetBucketLocation",
    "PutObject",
    "GetObject",
    "HeadObject",
    "DeleteObject",
    "DeleteObjects",
    "ListObjects",
    "ListObjectsV2",
    "CopyObject",
)
MULTIPART_OPERATIONS = (
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
    "ListParts",
    "ListMultipartUploads",
)


def register(registry: OperationRegistry, service: S3, multipart: Multipart) -> None:
    for operation in OPERATIONS:
        registry.add(SERVICE, operation, getattr(service, _snake(operation)))
    for operation in MULTIPART_OPERATIONS:
        registry.add(SERVICE, operation, getattr(multipart, _snake(operation)))


def register_off(registry: OperationRegistry, endpoint: str) -> None:
    """With an external S3 configured, the objects are there, not here: say where."""

    def off(ctx: RequestContext, params: Params) -> Params:
        raise NotImplementedOperation(
            "Sensorium's built-in S3 is off: SENSORIUM_S3_ENDPOINT sends s3:// objects to "
            f"{endpoint}; use that endpoint for S3 requests."
        )

    for operation in OPERATIONS + MULTIPART_OPERATIONS:
        registry.add(SERVICE, operation, off)


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
