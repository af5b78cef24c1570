"""Smithy RPC v2 CBOR: ``POST /service/{Prefix}/operation/{Operation}``, CBOR bodies.

botocore prefers it over JSON 1.1 for the services that list it first (Comprehend and
Transcribe in the pinned models), so boto3 users reach us through it.
"""

from __future__ import annotations

import re
from typing import Any

import cbor2

from sensorium.errors import SerializationException, ServiceError
from sensorium.protocol import values
from sensorium.protocol.catalog import Service, ServiceCatalog
from sensorium.protocol.wire import Target, WireProtocol, WireRequest, WireResponse, error_status

_PATH = re.compile(r"/service/(?P<service>[^/]+)/operation/(?P<operation>[^/]+)")
_HEADERS = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}


class RpcV2CborProtocol(WireProtocol):
    name = "smithy-rpc-v2-cbor"

    def __init__(self, catalog: ServiceCatalog) -> None:
        self.catalog = catalog

    def claims(self, request: WireRequest) -> bool:
        return request.headers.get("smithy-protocol") == "rpc-v2-cbor"

    def target(self, request: WireRequest, signing_name: str | None) -> Target | None:
        match = _PATH.fullmatch(request.raw_path)
        if match is None:
            return None
        service = self.catalog.by_target_prefix(match["service"])
        if service is None or self.name not in service.protocols:
            return None
        return Target(service, service.operation(match["operation"]), match["operation"])

    def decode(self, request: WireRequest, target: Target) -> dict[str, Any]:
        assert target.operation is not None
        shape = target.operation.input_shape
        if shape is None or not request.body:
            return {}
        try:
            parsed = cbor2.loads(request.body)
        except (cbor2.CBORDecodeError, ValueError, EOFError):
            raise SerializationException("The request body is not valid CBOR.") from None
        if not isinstance(parsed, dict):
            raise SerializationException("The request body must be a CBOR map.")
        decoded: dict[str, Any] = values.decode(shape, parsed, "cbor")
        return decoded

    def encode(self, target: Target, result: dict[str, Any]) -> WireResponse:
        assert target.operation is not None
        shape = target.operation.output_shape
        payload = values.encode(shape, result, "cbor") if shape is not None else {}
        return WireResponse(200, dict(_HEADERS), cbor2.dumps(payload, datetime_as_timestamp=True))

    def encode_error(
        self, service: Service | None, error: ServiceError, request_id: str = ""
    ) -> WireResponse:
        body: dict[str, Any] = {"__type": error.code, "message": error.message}
        body.update(error.fields)
        return WireResponse(error_status(service, error), dict(_HEADERS), cbor2.dumps(body))
