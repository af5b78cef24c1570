"""AWS JSON 1.0/1.1: ``POST /`` with ``X-Amz-Target: Prefix.Operation`` and a JSON body."""

from __future__ import annotations

from typing import Any

from sensorium.errors import ServiceError
from sensorium.protocol import jsonio, values
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
        if shape is None:
            return {}
        decoded: dict[str, Any] = values.decode(shape, jsonio.read_object(request.body), "json")
        return decoded

    def encode(self, target: Target, result: dict[str, Any]) -> WireResponse:
        assert target.operation is not None
        shape = target.operation.output_shape
        payload = values.encode(shape, result, "json") if shape is not None else {}
        return WireResponse(
            200, {"Content-Type": self._content_type(target.service)}, jsonio.dump(payload)
        )

    def encode_error(
        self, service: Service | None, error: ServiceError, request_id: str = ""
    ) -> WireResponse:
        body: dict[str, Any] = {"__type": error.code, "message": error.message}
        body.update(error.fields)
        headers = {
            "Content-Type": self._content_type(service),
            "X-Amzn-ErrorType": error.code,
        }
        return WireResponse(error_status(service, error), headers, jsonio.dump(body))

    @staticmethod
    def _content_type(service: Service | None) -> str:
        version = service.model.metadata.get("jsonVersion", "1.1") if service else "1.1"
        return f"application/x-amz-json-{version}"
