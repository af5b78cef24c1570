"""Opaque, tamper-evident pagination tokens (the position after the last item returned)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


class BadToken(ValueError):
    """The token was not issued by us (or was altered)."""


def make_token(scope: str, position: Any) -> str:
    raw = json.dumps({"s": scope, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def read_token(scope: str, token: str) -> Any:
    try:
        padded = token + "=" * (-len(token) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise BadToken(token) from None
    if not isinstance(decoded, dict) or decoded.get("s") != scope or "p" not in decoded:
        raise BadToken(token)
    return decoded["p"]


def read_token_or_fail(scope: str, token: str | None, start: Any) -> Any:
    """The position a token stands for (``start`` without one), or the modelled
    ``InvalidPaginationTokenException``."""
    from sensorium.errors import ServiceError

    if not token:
        return start
    try:
        return read_token(scope, token)
    except BadToken:
        raise ServiceError("InvalidPaginationTokenException", "Invalid pagination token.") from None
