"""Converting between wire values and Python values, shape by shape.

Decoding turns a parsed body (JSON or CBOR) into the dict a handler receives: blobs become
``bytes``, timestamps timezone-aware ``datetime``. Encoding does the reverse for outputs.
Type mismatches are ``SerializationException``s, as AWS reports them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from typing import Any, Literal

from botocore.model import Shape
from botocore.utils import parse_timestamp

from sensorium.errors import SerializationException

Flavor = Literal["json", "cbor"]

_INTEGER_TYPES = ("integer", "long", "short", "byte")
_FLOAT_TYPES = ("float", "double")


def decode(shape: Shape, value: Any, flavor: Flavor = "json", where: str = "") -> Any:
    """Check ``value`` against ``shape``'s type and convert blobs and timestamps."""
    kind = shape.type_name
    label = where or shape.name
    if value is None:
        return None
    if kind == "structure":
        if not isinstance(value, dict):
            raise SerializationException(f"Expected an object at '{label}'.")
        members = shape.members
        return {
            name: decode(members[name], item, flavor, _join(where, name))
            for name, item in value.items()
            if name in members and item is not None
        }
    if kind == "list":
        if not isinstance(value, list):
            raise SerializationException(f"Expected a list at '{label}'.")
        return [decode(shape.member, item, flavor, f"{label}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise SerializationException(f"Expected a map at '{label}'.")
        return {
            decode(shape.key, key, flavor, label): decode(
                shape.value, item, flavor, f"{label}.{key}"
            )
            for key, item in value.items()
        }
    if kind == "string":
        if not isinstance(value, str):
            raise SerializationException(f"Expected a string at '{label}'.")
        return _text(value, label)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise SerializationException(f"Expected a boolean at '{label}'.")
        return value
    if kind in _INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SerializationException(f"Expected an integer at '{label}'.")
        return value
    if kind in _FLOAT_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SerializationException(f"Expected a number at '{label}'.")
        return float(value)
    if kind == "blob":
        return _decode_blob(value, flavor, label)
    if kind == "timestamp":
        return _decode_timestamp(value, label)
    return _document(value, label)  # documents and anything newer: passed through as parsed


def encode(shape: Shape, value: Any, flavor: Flavor = "json") -> Any:
    """Convert a handler's output value to what the wire format carries."""
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return {
            name: encode(members[name], item, flavor)
            for name, item in value.items()
            if name in members and item is not None
        }
    if kind == "list":
        return [encode(shape.member, item, flavor) for item in value]
    if kind == "map":
        # A map may say "this key has no value" (Lex's unfilled slots): that is JSON null.
        return {
            key: None if item is None else encode(shape.value, item, flavor)
            for key, item in value.items()
        }
    if kind == "blob":
        raw = value if isinstance(value, bytes) else str(value).encode()
        return raw if flavor == "cbor" else base64.b64encode(raw).decode("ascii")
    if kind == "timestamp":
        stamp = value if isinstance(value, dt.datetime) else parse_timestamp(value)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        if flavor == "cbor":
            return stamp
        return _timestamp_for_json(shape, stamp)
    if kind in _FLOAT_TYPES and isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _timestamp_for_json(shape: Shape, stamp: dt.datetime) -> Any:
    fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
    if fmt == "iso8601":
        return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if fmt == "rfc822":
        return stamp.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return round(stamp.timestamp(), 3)


def _text(value: str, label: str) -> str:
    """The string, unless it holds a lone surrogate (JSON can spell one, "\\ud800"): no
    text of that kind can be stored, encoded or modelled."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise SerializationException(f"Invalid Unicode text at '{label}'.") from None
    return value


def _document(value: Any, label: str) -> Any:
    if isinstance(value, str):
        return _text(value, label)
    if isinstance(value, dict):
        for key, item in value.items():
            _document(key, label)
            _document(item, label)
    elif isinstance(value, list):
        for item in value:
            _document(item, label)
    return value


def _decode_blob(value: Any, flavor: Flavor, label: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise SerializationException(f"Invalid base64 data at '{label}'.") from None
    raise SerializationException(f"Expected base64-encoded data at '{label}'.")


def _decode_timestamp(value: Any, label: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SerializationException(f"Expected a timestamp at '{label}'.")
    try:
        stamp: dt.datetime = parse_timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise SerializationException(f"Invalid timestamp at '{label}'.") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
