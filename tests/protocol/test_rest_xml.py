"""REST-XML routing: operations that share a path are told apart by query keys and by the
query and header members they require."""

from __future__ import annotations

import pytest

from sensorium.protocol.catalog import ServiceCatalog
from sensorium.protocol.rest_xml import RestXmlProtocol
from sensorium.protocol.wire import WireRequest

PROTOCOL = RestXmlProtocol(ServiceCatalog(("s3",)))
AUTH = "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, "


def routed(method: str, path: str, query: str = "", **headers: str) -> str | None:
    request = WireRequest(method, path, query, {"host": "127.0.0.1:1", **headers}, b"")
    target = PROTOCOL.target(request, "s3")
    return target.operation_name if target else None


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "operation"),
    [
        ("GET", "/", "", {}, "ListBuckets"),
        ("PUT", "/b", "", {}, "CreateBucket"),
        ("GET", "/b", "location", {}, "GetBucketLocation"),
        ("GET", "/b", "list-type=2&prefix=a", {}, "ListObjectsV2"),
        ("GET", "/b", "prefix=a", {}, "ListObjects"),
        ("GET", "/b", "uploads", {}, "ListMultipartUploads"),
        ("POST", "/b", "delete", {}, "DeleteObjects"),
        ("PUT", "/b/k/with/slashes", "", {}, "PutObject"),
        ("PUT", "/b/k", "", {"x-amz-copy-source": "b/j"}, "CopyObject"),
        ("PUT", "/b/k", "partNumber=1&uploadId=u", {}, "UploadPart"),
        ("GET", "/b/k", "", {}, "GetObject"),
        ("GET", "/b/k", "uploadId=u", {}, "ListParts"),
        ("GET", "/b/k", "x-id=GetObject", {}, "GetObject"),
        ("DELETE", "/b/k", "uploadId=u", {}, "AbortMultipartUpload"),
        ("HEAD", "/b/", "", {}, "HeadBucket"),
        ("HEAD", "/b/k/", "", {}, "HeadObject"),
        ("POST", "/b/k", "uploads", {}, "CreateMultipartUpload"),
        ("GET", "/k", "", {"host": "b.localhost:8080"}, "GetObject"),
    ],
)
def test_routes(
    method: str, path: str, query: str, headers: dict[str, str], operation: str
) -> None:
    assert routed(method, path, query, **headers) == operation


def test_only_requests_signed_for_s3_are_claimed() -> None:
    signed = WireRequest("GET", "/", "", {"authorization": AUTH + "Signature=00"}, b"")
    other = AUTH.replace("/s3/", "/rekognition/")
    unsigned = WireRequest("GET", "/", "", {"authorization": other + "Signature=00"}, b"")
    presigned = WireRequest("GET", "/b/k", "AWSAccessKeyId=AK&Signature=x&Expires=1", {}, b"")
    assert PROTOCOL.claims(signed)
    assert not PROTOCOL.claims(unsigned)
    assert PROTOCOL.claims(presigned)
