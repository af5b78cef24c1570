"""AWS REST-XML, as S3 speaks it: routes from each operation's ``http.requestUri`` (the query
keys in the template, and the required query and header members, tell apart operations that
share a path), bodies in XML, errors as S3's ``<Error>`` document.

S3 requests are recognised by their credential scope (service ``s3``). Buckets are
addressed path-style (``/bucket/key``) or virtual-hosted-style (``bucket.localhost``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from botocore.model import OperationModel, Shape

from sensorium.errors import (
    IncompleteSignatureException,
    InternalFailure,
    MalformedChunkedBody,
    MissingAuthenticationTokenException,
    NotImplementedException,
    PayloadHashMismatch,
    PresignedRequestExpired,
    QueryAuthenticationMalformed,
    RequestEntityTooLargeException,
    RequestTimeoutException,
    RequestTimeSkewed,
    SerializationException,
    ServiceError,
    UnknownOperationException,
    UnrecognizedClientException,
    ValidationError,
)
from sensorium.protocol import checksums, xml_shapes
from sensorium.protocol.catalog import Service, ServiceCatalog
from sensorium.protocol.http_bindings import (
    compile_path,
    path_labels,
    raw_payload,
    read_bound,
    write_bound,
)
from sensorium.protocol.wire import Target, WireProtocol, WireRequest, WireResponse, error_status

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
VIRTUAL_HOST_SUFFIX = ".localhost"
_S3_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/s3/aws4_request")
_S3_QUERY_SCOPE = re.compile(r"(?:^|&)X-Amz-Credential=[^&]*%2Fs3%2Faws4_request", re.IGNORECASE)
# Query-string SigV2, which only S3 ever took (boto3's default for S3's presigned URLs).
_S3_QUERY_V2 = re.compile(r"(?:^|&)AWSAccessKeyId=[^&]*&(?:.*&)?Signature=")
# Operations a request can equally be routed to, the newer or more special one losing:
# ListDirectoryBuckets is S3 Express's; the others are deprecated twins.
_SHADOWED = frozenset(
    {
        "ListDirectoryBuckets",
        "GetBucketLifecycle",
        "PutBucketLifecycle",
        "GetBucketNotification",
        "PutBucketNotification",
    }
)
# Root elements of output documents that are not "<Operation>Result".
_ROOTS = {
    "ListBucketsOutput": "ListAllMyBucketsResult",
    "ListObjectsOutput": "ListBucketResult",
    "ListObjectsV2Output": "ListBucketResult",
    "DeleteObjectsOutput": "DeleteResult",
    "CreateMultipartUploadOutput": "InitiateMultipartUploadResult",
}
# GetBucketLocation answers a document that is the one value itself.
_TEXT_ROOTS = {"GetBucketLocationOutput": "LocationConstraint"}

# AWS's common errors as S3 names them (S3 predates them): code, HTTP status.
_S3_CODES: dict[type[ServiceError], tuple[str, int]] = {
    xml_shapes.MalformedXml: ("MalformedXML", 400),
    checksums.BadDigest: ("BadDigest", 400),
    MalformedChunkedBody: ("IncompleteBody", 400),
    checksums.InvalidDigest: ("InvalidDigest", 400),
    checksums.UnsupportedChecksum: ("InvalidRequest", 400),
    RequestTimeSkewed: ("RequestTimeTooSkewed", 403),
    PresignedRequestExpired: ("AccessDenied", 403),
    QueryAuthenticationMalformed: ("AuthorizationQueryParametersError", 400),
    PayloadHashMismatch: ("XAmzContentSHA256Mismatch", 400),
    MissingAuthenticationTokenException: ("AccessDenied", 403),
    IncompleteSignatureException: ("AuthorizationHeaderMalformed", 400),
    UnrecognizedClientException: ("InvalidAccessKeyId", 403),
    SerializationException: ("InvalidArgument", 400),
    ValidationError: ("InvalidArgument", 400),
    UnknownOperationException: ("MethodNotAllowed", 405),
    NotImplementedException: ("NotImplemented", 501),
    RequestEntityTooLargeException: ("EntityTooLarge", 400),
    RequestTimeoutException: ("RequestTimeout", 400),
    InternalFailure: ("InternalError", 500),
}
_SIGNATURE_MISMATCH = ("SignatureDoesNotMatch", 403)


@dataclass(frozen=True)
class _Route:
    service: Service
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    labels: dict[str, str]  # regex group -> URI label
    query: tuple[tuple[str, str | None], ...]  # keys (and values) the request must carry
    headers: tuple[str, ...]  # headers the request must carry
    rank: tuple[int, int, int]  # lower sorts first: the most specific route wins

    def matches(self, method: str, path: str, query: Mapping[str, str], headers: Any) -> bool:
        if method != self.method or self.pattern.fullmatch(path) is None:
            return False
        for key, value in self.query:
            if key not in query or (value is not None and query[key] != value):
                return False
        return all(name in headers for name in self.headers)


def _route(service: Service, operation: OperationModel) -> _Route:
    template = operation.http["requestUri"]
    pattern, labels, literal = compile_path(template)
    query_part = template.partition("?")[2]
    query: list[tuple[str, str | None]] = []
    for pair in filter(None, query_part.split("&")):
        key, equals, value = pair.partition("=")
        query.append((key, value if equals else None))
    headers: list[str] = []
    shape = operation.input_shape
    for name in shape.required_members if shape is not None else []:
        member = shape.members[name]
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "querystring":
            query.append((wire_name, None))
        elif location == "header":
            headers.append(wire_name)
    rank = (-(len(query) + len(headers)), -literal, operation.name in _SHADOWED)
    method = operation.http["method"].upper()
    return _Route(service, operation, method, pattern, labels, tuple(query), tuple(headers), rank)


class RestXmlProtocol(WireProtocol):
    name = "rest-xml"
    request_id_header = "x-amz-request-id"

    def __init__(self, catalog: ServiceCatalog) -> None:
        self.routes: list[_Route] = []
        for service in catalog.services.values():
            if "rest-xml" not in service.protocols:
                continue
            for name in service.model.operation_names:
                self.routes.append(_route(service, service.model.operation_model(name)))
        self.routes.sort(key=lambda route: route.rank)

    def claims(self, request: WireRequest) -> bool:
        authorization = request.headers.get("authorization", "")
        query = request.query
        return bool(
            _S3_SCOPE.search(authorization)
            or _S3_QUERY_SCOPE.search(query)
            or _S3_QUERY_V2.search(query)
        )

    def target(self, request: WireRequest, signing_name: str | None) -> Target | None:
        path = routed_path(request)
        query = dict(parse_qsl(request.query, keep_blank_values=True))
        method = request.method.upper()
        for route in self.routes:
            if signing_name is not None and route.service.signing_name != signing_name:
                continue
            if not route.matches(method, path, query, request.headers):
                continue
            params = path_labels(route.pattern, route.labels, path)
            assert params is not None
            return Target(route.service, route.operation, route.operation.name, params)
        return None

    def decode(self, request: WireRequest, target: Target) -> dict[str, Any]:
        checksums.verify(request.headers, request.body)
        operation = target.operation
        assert operation is not None
        shape = operation.input_shape
        if shape is None:
            return {}
        query = parse_qsl(request.query, keep_blank_values=True)
        params, _ = read_bound(
            shape, target.path_params, query, request.headers, request.body, _read_payload
        )
        return {key: value for key, value in params.items() if value is not None}

    def encode(self, target: Target, result: dict[str, Any]) -> WireResponse:
        operation = target.operation
        assert operation is not None
        status = int(operation.http.get("responseCode", 200))
        shape = operation.output_shape
        if shape is None:
            return WireResponse(status)
        bound = write_bound(shape, result)
        status = bound.status or status
        headers = bound.headers
        body: bytes | Iterator[bytes] = b""
        if bound.payload is not None:
            member, value = bound.payload
            raw = raw_payload(member, value)
            if raw is None:
                wire_name = member.serialization.get("name", member.name)
                raw = xml_shapes.dump(member, value, wire_name, NAMESPACE)
                headers["Content-Type"] = "application/xml"
            body = raw
        elif _has_body(shape):
            body = _document(shape, result)
            headers["Content-Type"] = "application/xml"
        if status == 200 and "Content-Range" in headers:
            status = 206  # a part of the object (HTTP's rule; the model has no status member)
        return WireResponse(status, headers, body)

    def encode_error(
        self, service: Service | None, error: ServiceError, request_id: str = ""
    ) -> WireResponse:
        code, status = _s3_code(service, error)
        root = ElementTree.Element("Error")
        fields = {"Code": code, "Message": error.message, **error.fields, "RequestId": request_id}
        for name, value in fields.items():
            ElementTree.SubElement(root, name).text = str(value)
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root)
        return WireResponse(status, {"Content-Type": "application/xml"}, body)


def routed_path(request: WireRequest) -> str:
    """The path with the bucket in it, however the client addressed the bucket."""
    host = request.headers.get("host", "").rsplit(":", 1)[0].lower()
    if host.endswith(VIRTUAL_HOST_SUFFIX) and host != VIRTUAL_HOST_SUFFIX[1:]:
        return "/" + host.removesuffix(VIRTUAL_HOST_SUFFIX) + request.raw_path
    return request.raw_path


def _read_payload(member: Shape, body: bytes, name: str) -> Any:
    if member.type_name == "blob":
        return body
    if member.type_name == "string":
        return body.decode("utf-8", errors="replace")
    if not body.strip():
        return None
    return xml_shapes.load(member, body, name)


def _has_body(shape: Shape) -> bool:
    return any(not member.serialization.get("location") for member in shape.members.values())


def _document(shape: Shape, result: dict[str, Any]) -> bytes:
    if shape.name in _TEXT_ROOTS:
        (member,) = (name for name, m in shape.members.items() if not m.serialization)
        return xml_shapes.text_element(_TEXT_ROOTS[shape.name], NAMESPACE, result.get(member))
    root = _ROOTS.get(shape.name, shape.name.removesuffix("Output") + "Result")
    return xml_shapes.dump(shape, result, root, NAMESPACE)


def _s3_code(service: Service | None, error: ServiceError) -> tuple[str, int]:
    for kind in type(error).__mro__:
        if kind in _S3_CODES:
            return _S3_CODES[kind]
    if error.code == "InvalidSignatureException":
        return _SIGNATURE_MISMATCH
    return error.code, error_status(service, error)
