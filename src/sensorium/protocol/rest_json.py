"""AWS REST-JSON: routes from each operation's ``http.requestUri``; path, query, header
and payload bindings from the input shape's members."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel, Shape

from sensorium.errors import SerializationException, ServiceError
from sensorium.protocol import jsonio, values
from sensorium.protocol.catalog import Service, ServiceCatalog
from sensorium.protocol.wire import Target, WireProtocol, WireRequest, WireResponse, error_status

_LABEL = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class _Route:
    service: Service
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    labels: dict[str, str]  # regex group -> URI label
    specificity: int  # literal characters in the template: more is a closer match


def _compile(template: str) -> tuple[re.Pattern[str], dict[str, str], int]:
    path = template.split("?", 1)[0]
    parts: list[str] = []
    labels: dict[str, str] = {}
    position = 0
    for index, label in enumerate(_LABEL.finditer(path)):
        parts.append(re.escape(path[position : label.start()]))
        name = label.group(1)
        group = f"p{index}"
        labels[group] = name.removesuffix("+")
        parts.append(f"(?P<{group}>.+)" if name.endswith("+") else f"(?P<{group}>[^/]+)")
        position = label.end()
    parts.append(re.escape(path[position:]))
    literal = len(_LABEL.sub("", path))
    return re.compile("".join(parts).rstrip("/") + "/?"), labels, literal


class RestJsonProtocol(WireProtocol):
    name = "rest-json"

    def __init__(self, catalog: ServiceCatalog) -> None:
        self.routes: list[_Route] = []
        for service in catalog.services.values():
            if "rest-json" not in service.protocols:
                continue
            for name in service.model.operation_names:
                operation = service.model.operation_model(name)
                pattern, labels, literal = _compile(operation.http["requestUri"])
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
            match = route.pattern.fullmatch(request.raw_path)
            if match is None:
                continue
            params = {
                route.labels[group]: unquote(value) for group, value in match.groupdict().items()
            }
            return Target(route.service, route.operation, route.operation.name, params)
        return None

    def decode(self, request: WireRequest, target: Target) -> dict[str, Any]:
        operation = target.operation
        assert operation is not None
        shape = operation.input_shape
        if shape is None:
            return {}
        query = parse_qsl(request.query, keep_blank_values=True)
        params: dict[str, Any] = {}
        payload_name = shape.serialization.get("payload")
        body_members = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if location == "uri":
                value = target.path_params.get(wire_name)
                if value is not None:
                    params[name] = _from_text(member, value, name)
            elif location == "querystring":
                _read_query(member, wire_name, name, query, params)
            elif location == "header":
                if wire_name in request.headers:
                    params[name] = _from_header(member, request.headers[wire_name], name)
            elif location == "headers":
                prefix = wire_name.lower()
                found = {
                    key[len(prefix) :]: value
                    for key, value in request.headers.items()
                    if key.lower().startswith(prefix)
                }
                if found:
                    params[name] = found
            elif name == payload_name:
                params[name] = _read_payload(member, request.body, name)
            else:
                body_members[name] = member
        if body_members and payload_name is None:
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
        headers: dict[str, str] = {}
        body_fields: dict[str, Any] = {}
        payload_name = shape.serialization.get("payload")
        body: bytes | Iterator[bytes] | None = None
        for name, member in shape.members.items():
            if result.get(name) is None:
                continue
            value = result[name]
            location = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if location == "header":
                headers[wire_name] = _to_header(member, value)
            elif location == "headers":
                headers.update({f"{wire_name}{k}": str(v) for k, v in value.items()})
            elif location == "statusCode":
                status = int(value)
            elif name == payload_name:
                if member.type_name in ("blob", "string"):
                    body = value.encode() if isinstance(value, str) else value
                else:
                    body = jsonio.dump(values.encode(member, value, "json"))
                    headers.setdefault("Content-Type", "application/json")
            else:
                body_fields[name] = value
        if body is None:
            encoded = values.encode(shape, body_fields, "json") if body_fields else {}
            body = jsonio.dump(encoded)
            headers.setdefault("Content-Type", "application/json")
        return WireResponse(status, headers, body)

    def encode_error(self, service: Service | None, error: ServiceError) -> WireResponse:
        body: dict[str, Any] = {"message": error.message}
        body.update(error.fields)
        headers = {"Content-Type": "application/json", "X-Amzn-ErrorType": error.code}
        return WireResponse(error_status(service, error), headers, jsonio.dump(body))


def _read_query(
    member: Shape, wire_name: str, name: str, query: list[tuple[str, str]], params: dict[str, Any]
) -> None:
    if member.type_name == "map":
        params[name] = dict(query) or None
        return
    found = [value for key, value in query if key == wire_name]
    if not found:
        return
    if member.type_name == "list":
        params[name] = [_from_text(member.member, value, name) for value in found]
    else:
        params[name] = _from_text(member, found[-1], name)


def _read_payload(member: Shape, body: bytes, name: str) -> Any:
    if member.type_name == "blob":
        return body
    if member.type_name == "string":
        return body.decode("utf-8", errors="replace")
    if not body.strip():
        return None
    return values.decode(member, jsonio.read_object(body), "json", name)


def _from_text(shape: Shape, text: str, name: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long", "short", "byte"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise SerializationException(f"Expected a number at '{name}'.") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise SerializationException(f"Expected true or false at '{name}'.")
        return text.lower() == "true"
    if kind == "timestamp":
        return values.decode(shape, text, "json", name)
    return text


def _from_header(shape: Shape, text: str, name: str) -> Any:
    if shape.serialization.get("jsonvalue"):
        try:
            return json.loads(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise SerializationException(f"Header '{name}' is not base64-encoded JSON.") from None
    if shape.type_name == "list":
        return [_from_text(shape.member, part.strip(), name) for part in text.split(",")]
    return _from_text(shape, text, name)


def _to_header(shape: Shape, value: Any) -> str:
    if shape.serialization.get("jsonvalue"):
        return base64.b64encode(jsonio.dump(value)).decode("ascii")
    if shape.type_name == "timestamp":
        stamp = value if isinstance(value, dt.datetime) else values.decode(shape, value)
        fmt = shape.serialization.get("timestampFormat", "rfc822")
        if fmt == "rfc822":
            return str(stamp.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"))
        return str(values.encode(shape, stamp, "json"))
    if shape.type_name == "list":
        return ",".join(str(item) for item in value)
    if shape.type_name == "boolean":
        return "true" if value else "false"
    return str(value)
