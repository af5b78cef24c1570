"""AWS REST-JSON: routes from each operation's ``http.requestUri``; path, query, header
and payload bindings from the input shape's members."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, Shape

from sensorium.errors import ServiceError
from sensorium.protocol import jsonio, values
from sensorium.protocol.catalog import Service, ServiceCatalog
from sensorium.protocol.http_bindings import (
    compile_path,
    path_labels,
    raw_payload,
    read_bound,
    write_bound,
)
from sensorium.protocol.wire import Target, WireProtocol, WireRequest, WireResponse, error_status


@dataclass(frozen=True)
class _Route:
    service: Service
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    labels: dict[str, str]  # regex group -> URI label
    specificity: int  # literal characters in the template: more is a closer match


class RestJsonProtocol(WireProtocol):
    name = "rest-json"

    def __init__(self, catalog: ServiceCatalog) -> None:
        self.routes: list[_Route] = []
        for service in catalog.services.values():
            if "rest-json" not in service.protocols:
                continue
            for name in service.model.operation_names:
                operation = service.model.operation_model(name)
                pattern, labels, literal = compile_path(operation.http["requestUri"])
                method = operation.http["method"].upper()
                self.routes.append(_Route(service, operation, method, pattern, labels, literal))
        self.routes.sort(key=lambda route: -route.specificity)

    def claims(self, request: WireRequest) -> bool:
        return True  # the fallback: anything that is neither JSON-RPC nor RPCv2

    def target(self, request: WireRequest, signing_name: str | None) -> Target | None:
        for route in self.routes:
            if signing_name is not None and route.service.signing_name != signing_name:
                continue
            if route.method != request.method.upper():
                continue
            params = path_labels(route.pattern, route.labels, request.raw_path)
            if params is not None:
                return Target(route.service, route.operation, route.operation.name, params)
        return None

    def decode(self, request: WireRequest, target: Target) -> dict[str, Any]:
        operation = target.operation
        assert operation is not None
        shape = operation.input_shape
        if shape is None:
            return {}
        query = parse_qsl(request.query, keep_blank_values=True)
        params, body_members = read_bound(
            shape, target.path_params, query, request.headers, request.body, _read_payload
        )
        if body_members and shape.serialization.get("payload") is None:
            parsed = jsonio.read_object(request.body)
            for name in body_members:
                if name in parsed and parsed[name] is not None:
                    params[name] = values.decode(body_members[name], parsed[name], "json", name)
        return {key: value for key, value in params.items() if value is not None}

    def encode(self, target: Target, result: dict[str, Any]) -> WireResponse:
        operation = target.operation
        assert operation is not None
        status = int(operation.http.get("responseCode", 200))
        shape = operation.output_shape
        if shape is None:
            return WireResponse(status, {"Content-Type": "application/json"}, b"{}")
        bound = write_bound(shape, result)
        headers = bound.headers
        body: bytes | Iterator[bytes]
        if bound.payload is not None:
            member, value = bound.payload
            raw = raw_payload(member, value)
            if raw is None:
                raw = jsonio.dump(values.encode(member, value, "json"))
                headers.setdefault("Content-Type", "application/json")
            body = raw
        else:
            document = bound.document
            body = jsonio.dump(values.encode(shape, document, "json") if document else {})
            headers.setdefault("Content-Type", "application/json")
        return WireResponse(bound.status or status, headers, body)

    def encode_error(
        self, service: Service | None, error: ServiceError, request_id: str = ""
    ) -> WireResponse:
        body: dict[str, Any] = {"message": error.message}
        body.update(error.fields)
        headers = {"Content-Type": "application/json", "X-Amzn-ErrorType": error.code}
        return WireResponse(error_status(service, error), headers, jsonio.dump(body))


def _read_payload(member: Shape, body: bytes, name: str) -> Any:
    if member.type_name == "blob":
        return body
    if member.type_name == "string":
        return body.decode("utf-8", errors="replace")
    if not body.strip():
        return None
    return values.decode(member, jsonio.read_object(body), "json", name)
