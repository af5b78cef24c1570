"""List pages: an opaque token holding the offset of the next item."""

from __future__ import annotations

from typing import Any

from sensorium.errors import ServiceError
from sensorium.services.pagination import BadToken, make_token, read_token

DEFAULT_PAGE = 10  # Lex's default maxResults


def page(items: list[Any], params: dict[str, Any], scope: str) -> tuple[list[Any], str | None]:
    start = 0
    if params.get("nextToken"):
        try:
            start = int(read_token(scope, params["nextToken"]))
        except (BadToken, TypeError, ValueError):
            raise ServiceError("ValidationException", "The nextToken is not valid.") from None
    size = params.get("maxResults") or DEFAULT_PAGE
    end = start + size
    return items[start:end], make_token(scope, end) if end < len(items) else None
