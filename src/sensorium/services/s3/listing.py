"""ListObjects (v1), ListObjectsV2 and ListBuckets pages: keys in UTF-8 byte order, common
prefixes under a delimiter, and continuation tokens signed with the server's key and bound to
the caller and the listing (``storage.paging.TokenSigner``).

Both object listings are one walk (``_walk``): the entries after a position, a key or the
common prefix that rolls keys up counting as one entry, each entry at or before the position
left out. A v1 ``Marker`` and a v2 ``StartAfter`` are such positions, as a token's is: a
position inside a common prefix (``photos/2024/`` or ``photos/2024/a.jpg`` under the
delimiter ``/``) passes the whole prefix, so paging by ``NextMarker`` (which names the
prefix when a page ends with one) never lists a prefix twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sensorium.services.s3.errors import InvalidArgument
from sensorium.storage.paging import BadToken, TokenSigner

Params = dict[str, Any]
Entry = Callable[[str, str], Params | None]  # (bucket, key) -> a Contents item, None if gone
MAX_KEYS = 1000
_MAX_INTEGER = 2**31 - 1  # S3 reads max-keys as a 32-bit integer
# S3's answers to a negative max-keys differ by operation: the message, ArgumentName, and
# whether ArgumentValue is given (ListObjectsV2's answer, as ListObjectVersions', has none).
_NEGATIVE_MAX_KEYS = {
    "ListObjects": (
        "Argument maxKeys must be an integer between 0 and 2147483647",
        "maxKeys",
        True,
    ),
    "ListObjectsV2": ("max-keys cannot be negative", "max-keys", False),
}


@dataclass(frozen=True)
class _Query:
    """What an object listing asks for, read and checked as its operation does."""

    bucket: str
    prefix: str
    delimiter: str
    max_keys: int
    encode: bool  # EncodingType=url: keys, prefixes and markers answered URL-encoded

    @classmethod
    def read(cls, operation: str, bucket: str, params: Params) -> _Query:
        return cls(
            bucket,
            params.get("Prefix") or "",
            params.get("Delimiter") or "",
            _max_keys(operation, params.get("MaxKeys")),
            params.get("EncodingType") == "url",
        )

    def encoded(self, value: str | None) -> str | None:
        if value is None or not self.encode:
            return value
        return quote(value, safe="/")


@dataclass
class _Page:
    contents: list[Params] = field(default_factory=list)
    common: list[str] = field(default_factory=list)
    truncated: bool = False
    last: str | None = None  # the last entry listed: a key, or a common prefix


def list_objects(
    bucket: str, keys: Iterator[str], entry: Entry, owner: Params, params: Params
) -> Params:
    """ListObjects (v1): pages by ``Marker``; ``NextMarker`` only under a delimiter (without
    one the client continues after the last key), and every item with its ``Owner``."""
    query = _Query.read("ListObjects", bucket, params)
    marker = params.get("Marker") or ""
    page = _walk(query, keys, entry, marker or None)
    next_marker = page.last if page.truncated and query.delimiter else None
    return {
        **_listed(query, page, params, owner),
        "Marker": query.encoded(marker),
        "NextMarker": query.encoded(next_marker),
    }


def list_objects_v2(
    tokens: TokenSigner,
    account_id: str,
    bucket: str,
    keys: Iterator[str],
    entry: Entry,
    owner: Params,
    params: Params,
) -> Params:
    """ListObjectsV2: pages by signed continuation tokens; ``Owner`` only with ``FetchOwner``."""
    query = _Query.read("ListObjectsV2", bucket, params)
    binding = f"s3:ListObjectsV2:{account_id}:{bucket}:{query.prefix}:{query.delimiter}"
    after = params.get("StartAfter")
    token = params.get("ContinuationToken")
    if token is not None:
        after = _read(tokens, binding, token)["after"]
    page = _walk(query, keys, entry, after)
    result: Params = {
        **_listed(query, page, params, owner if params.get("FetchOwner") else None),
        "KeyCount": len(page.contents) + len(page.common),
        "ContinuationToken": token,
        "StartAfter": query.encoded(params.get("StartAfter")),
    }
    if page.truncated and page.last is not None:
        result["NextContinuationToken"] = tokens.issue(binding, {"after": page.last})
    return result


def _walk(query: _Query, keys: Iterator[str], entry: Entry, after: str | None) -> _Page:
    """Up to ``max_keys`` entries after ``after`` of ``keys`` (those under the prefix, in
    UTF-8 byte order); truncated when another entry follows them."""
    page = _Page()
    for key in keys:
        grouped = _common_prefix(key, query.prefix, query.delimiter)
        if after is not None and _bytes(grouped or key) <= _bytes(after):
            continue  # listed before: the key, or the common prefix that holds it
        if grouped is not None and page.common and page.common[-1] == grouped:
            continue
        if len(page.contents) + len(page.common) >= query.max_keys:
            page.truncated = query.max_keys > 0  # S3: a max-keys=0 page is complete
            break
        if grouped is not None:
            page.common.append(grouped)
            page.last = grouped
            continue
        found = entry(query.bucket, key)
        if found is not None:
            page.contents.append(found)
            page.last = key
    return page


def _listed(query: _Query, page: _Page, params: Params, owner: Params | None) -> Params:
    """The members both object listings answer alike."""
    contents = [
        {**item, "Key": query.encoded(item["Key"]), "Owner": owner} for item in page.contents
    ]
    return {
        "Name": query.bucket,
        "Prefix": query.encoded(query.prefix),
        "Delimiter": query.encoded(query.delimiter) or None,
        "MaxKeys": query.max_keys,
        "EncodingType": params.get("EncodingType"),
        "IsTruncated": page.truncated,
        "Contents": contents or None,
        "CommonPrefixes": [{"Prefix": query.encoded(item)} for item in page.common] or None,
    }


def list_buckets(
    tokens: TokenSigner,
    account_id: str,
    owned: list[tuple[str, dt.datetime, str]],
    params: Params,
) -> Params:
    prefix = params.get("Prefix") or ""
    limit = params.get("MaxBuckets") or 10000
    if limit < 1 or limit > 10000:
        raise InvalidArgument("Argument max-buckets must be an integer between 1 and 10000.")
    binding = f"s3:ListBuckets:{account_id}:{prefix}"
    after = None
    if params.get("ContinuationToken") is not None:
        after = _read(tokens, binding, params["ContinuationToken"])["after"]
    names = [
        item for item in owned if item[0].startswith(prefix) and (after is None or item[0] > after)
    ]
    page = names[:limit]
    result: Params = {
        "Buckets": [
            {"Name": name, "CreationDate": created, "BucketRegion": region}
            for name, created, region in page
        ],
        "Prefix": params.get("Prefix"),
    }
    if len(names) > limit:
        result["ContinuationToken"] = tokens.issue(binding, {"after": page[-1][0]})
    return result


def _max_keys(operation: str, value: int | None) -> int:
    if value is None:
        return MAX_KEYS
    if value < 0:
        message, name, shown = _NEGATIVE_MAX_KEYS[operation]
        shown_value = {"ArgumentValue": str(value)} if shown else {}
        raise InvalidArgument(message, ArgumentName=name, **shown_value)
    if value > _MAX_INTEGER:
        raise InvalidArgument(
            "Provided max-keys not an integer or within integer range",
            ArgumentName="max-keys",
            ArgumentValue=str(value),
        )
    return min(value, MAX_KEYS)


def _read(tokens: TokenSigner, binding: str, token: str) -> dict[str, Any]:
    try:
        return tokens.read(binding, token)
    except BadToken:
        raise InvalidArgument(
            "The continuation token provided is incorrect", ArgumentName="continuation-token"
        ) from None


def _common_prefix(key: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    at = key.find(delimiter, len(prefix))
    return None if at < 0 else key[: at + len(delimiter)]


def _bytes(key: str) -> bytes:
    return key.encode("utf-8", "surrogateescape")
