"""AWS JSON 1.0/1.1: ``POST /`` with ``X-Amz-Target: Prefix.Operation`` and a JSON body."""

from __future__ import annotations

import json
from typing import Any

from sensorium.errors import SerializationException, ServiceError
from sensorium.protocol import values
from sensorium.protocol.catalog import Service, ServiceCatalog
from sensorium.protocol.wire import Target, WireProtocol, WireRequest, WireResponse, error_status


class JsonRpcProtocol(WireProtocol):
    name = "json"

    def __init__(self, catalog: ServiceCatalog) -> None:
        self.catalog = catalog

    def claims(self, request: WireRequest) -> bool:
        return "x-amz-target" in request.headers

    def target(self, request: WireRequest, signing_name: str | None) -> Target | None:
        prefix, _, operation_name = request.headers["x-amz-target"].rpartition(".")
        service = self.catalog.by_target_prefix(prefix)
        if service is None:
            return None
        return Target(service, service.operation(operation_name), operation_name)

    def decode(self, request: WireRequest, target: Target) -> dict[str, Any]:
        assert target.operation is not None
        shape = target.operation.input_shape
        body = request.body.strip()
        if shape is None or not body:
            return {}
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise SerializationException("The request body is not valid JSON.") from None
        if not isinstance(parsed, dict):
            raise SerializationException("The request body must be a JSON object.")
        decoded: dict[str, Any] = values.decode(shape, parsed, "json")
        return decoded

    def encode(self, target: Target, result: dict[str, Any]) -> WireResponse:
        assert target.operation is not None
        shape = target.operation.output_shape
        payload = values.encode(shape, result, "json") if shape is not None else {}
        return WireResponse(
            200, {"Content-Type": self._content_type(target.service)}, _dump(payload)
        )

    def encode_error(self, service: Service | None, error: ServiceError) -> WireResponse:
        body: dict[str, Any] = {"__type": error.code, "message": error.message}
        body.update(error.fields)
        headers = {
            "Content-Type": self._content_type(service),
            "X-Amzn-ErrorType": error.code,
        }
        return WireResponse(error_status(service, error), headers, _dump(body))

    @staticmethod
    def _content_type(service: Service | None) -> str:
        version = service.model.metadata.get("jsonVersion", "1.1") if service else "1.1"
        return f"application/x-amz-json-{version}"


def _dump(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
