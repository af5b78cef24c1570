"""JSON bodies, read and written the one way every JSON protocol does."""

from __future__ import annotations

import json
from typing import Any

from sensorium.errors import SerializationException


def read_object(body: bytes) -> dict[str, Any]:
    """The body's JSON object ({} for an empty body)."""
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SerializationException("The request body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise SerializationException("The request body must be a JSON object.")
    return parsed


def dump(payload: Any) -> bytes:
    """Compact UTF-8 JSON; text that cannot be UTF-8 (a lone surrogate in an error message)
    is escaped instead of failing the response."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(payload, separators=(",", ":")).encode("ascii")
