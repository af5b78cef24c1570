"""Conditional requests (``If-Match`` and the like) and byte ranges, as S3 applies them."""

from __future__ import annotations

import datetime as dt
import re

from sensorium.services.s3.errors import InvalidRange, NotModified, PreconditionFailed
from sensorium.services.s3.objects import ObjectInfo

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def check(
    info: ObjectInfo,
    if_match: str | None = None,
    if_none_match: str | None = None,
    if_modified_since: dt.datetime | None = None,
    if_unmodified_since: dt.datetime | None = None,
    *,
    copy_source: bool = False,
) -> None:
    """RFC 9110's order: a failed If-Match (or, without one, If-Unmodified-Since) is 412; a
    failed If-None-Match (or, without one, If-Modified-Since) is 304, or 412 for the source of
    a copy."""
    if if_match is not None:
        if not _etag_matches(info.etag, if_match):
            raise failed()
    elif if_unmodified_since is not None and info.last_modified > if_unmodified_since:
        raise failed()
    unchanged = False
    if if_none_match is not None:
        unchanged = _etag_matches(info.etag, if_none_match)
    elif if_modified_since is not None:
        unchanged = info.last_modified <= if_modified_since
    if unchanged:
        if copy_source:
            raise failed()
        raise NotModified("Not Modified")


def failed() -> PreconditionFailed:
    return PreconditionFailed("At least one of the pre-conditions you specified did not hold")


def _etag_matches(etag: str, header: str) -> bool:
    wanted = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in wanted or etag in wanted or etag.strip('"') in wanted


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte the ``Range`` header asks for; ``None`` for the whole
    object (no header, or one S3 ignores: malformed, several ranges)."""
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or not (match[1] or match[2]):
        return None
    if not match[1]:  # the last N bytes
        suffix = int(match[2])
        if suffix == 0:
            raise _unsatisfiable(size, header)
        return max(0, size - suffix), size - 1
    first = int(match[1])
    last = int(match[2]) if match[2] else size - 1
    if first >= size:
        raise _unsatisfiable(size, header)
    if last < first:
        return None
    return first, min(last, size - 1)


def _unsatisfiable(size: int, header: str) -> InvalidRange:
    return InvalidRange(
        "The requested range is not satisfiable", RangeRequested=header, ActualObjectSize=size
    )
