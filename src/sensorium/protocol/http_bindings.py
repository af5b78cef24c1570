"""Values bound to HTTP itself (path labels, query strings, headers, a payload), shared by
the REST protocols: which member goes where, and text to the member's type and back. Each
protocol writes and reads only its own body document (JSON, XML)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from botocore.model import Shape

from sensorium.errors import SerializationException
from sensorium.protocol import jsonio, values


def read_query(
    member: Shape, wire_name: str, name: str, query: list[tuple[str, str]], params: dict[str, Any]
) -> None:
    if member.type_name == "map":
        params[name] = dict(query) or None
        return
    found = [value for key, value in query if key == wire_name]
    if not found:
        return
    if member.type_name == "list":
        params[name] = [from_text(member.member, value, name) for value in found]
    else:
        params[name] = from_text(member, found[-1], name)


def from_text(shape: Shape, text: str, name: str) -> Any:
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


def from_header(shape: Shape, text: str, name: str) -> Any:
    if shape.serialization.get("jsonvalue"):
        try:
            return json.loads(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise SerializationException(f"Header '{name}' is not base64-encoded JSON.") from None
    if shape.type_name == "list":
        return [from_text(shape.member, part.strip(), name) for part in text.split(",")]
    return from_text(shape, text, name)


def to_header(shape: Shape, value: Any) -> str:
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


ReadPayload = Callable[[Shape, bytes, str], Any]
_LABEL = re.compile(r"\{([^}]+)\}")


def compile_path(template: str) -> tuple[re.Pattern[str], dict[str, str], int]:
    """A ``requestUri``'s path as a pattern; its groups' URI labels (``{Key+}`` takes the
    rest of the path, slashes included); how many literal characters it has (more is a
    closer match)."""
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


def path_labels(
    pattern: re.Pattern[str], labels: Mapping[str, str], path: str
) -> dict[str, str] | None:
    """The URI labels of ``path`` (decoded), or None when the pattern does not match."""
    match = pattern.fullmatch(path)
    if match is None:
        return None
    return {labels[group]: unquote(value) for group, value in match.groupdict().items()}


def read_bound(
    shape: Shape,
    path_params: Mapping[str, str],
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    read_payload: ReadPayload,
) -> tuple[dict[str, Any], dict[str, Shape]]:
    """The input members bound to the path, the query, headers and the payload (read with
    ``read_payload``); and the members left for the body document, by name."""
    params: dict[str, Any] = {}
    document: dict[str, Shape] = {}
    payload_name = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            value = path_params.get(wire_name)
            if value is not None:
                params[name] = from_text(member, value, name)
        elif location == "querystring":
            read_query(member, wire_name, name, query, params)
        elif location == "header":
            if wire_name in headers:
                params[name] = from_header(member, headers[wire_name], name)
        elif location == "headers":
            prefix = wire_name.lower()
            found = {
                key.lower()[len(prefix) :]: value
                for key, value in headers.items()
                if key.lower().startswith(prefix)
            }
            if found:
                params[name] = found
        elif name == payload_name:
            params[name] = read_payload(member, body, name)
        else:
            document[name] = member
    return params, document


@dataclass
class BoundOutput:
    """An output split by where each member goes."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    payload: tuple[Shape, Any] | None = None  # the payload member and its value
    document: dict[str, Any] = field(default_factory=dict)  # members for the body document


def write_bound(shape: Shape, result: Mapping[str, Any]) -> BoundOutput:
    out = BoundOutput()
    payload_name = shape.serialization.get("payload")
    for name, member in shape.members.items():
        value = result.get(name)
        if value is None:
            continue
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "header":
            out.headers[wire_name] = to_header(member, value)
        elif location == "headers":
            out.headers.update({f"{wire_name}{k}": str(v) for k, v in value.items()})
        elif location == "statusCode":
            out.status = int(value)
        elif name == payload_name:
            out.payload = (member, value)
        else:
            out.document[name] = value
    return out


def raw_payload(member: Shape, value: Any) -> bytes | Iterator[bytes] | None:
    """A blob or string payload as the bytes sent; None for a structure (the protocol's own
    document)."""
    if member.type_name not in ("blob", "string"):
        return None
    return value.encode() if isinstance(value, str) else value
