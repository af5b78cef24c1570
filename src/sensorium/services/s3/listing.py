"""ListObjectsV2 and ListBuckets pages: keys in UTF-8 byte order, common prefixes under a
delimiter, and continuation tokens signed with the server's key and bound to the caller and
the listing (``storage.paging.TokenSigner``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from sensorium.services.s3.errors import InvalidArgument
from sensorium.storage.paging import BadToken, TokenSigner

Params = dict[str, Any]
MAX_KEYS = 1000


def list_objects(
    tokens: TokenSigner,
    account_id: str,
    bucket: str,
    keys: Iterator[str],
    entry: Callable[[str, str], Params | None],
    params: Params,
) -> Params:
    prefix = params.get("Prefix") or ""
    delimiter = params.get("Delimiter") or ""
    max_keys = _max_keys(params.get("MaxKeys"))
    binding = f"s3:ListObjectsV2:{account_id}:{bucket}:{prefix}:{delimiter}"
    after, after_prefix = params.get("StartAfter"), False
    token = params.get("ContinuationToken")
    if token is not None:
        position = _read(tokens, binding, token)
        after, after_prefix = position["after"], position["prefix"]
    contents: list[Params] = []
    common: list[str] = []
    truncated = False
    last: tuple[str, bool] | None = None
    for key in keys:
        if after is not None and (
            _bytes(key) <= _bytes(after) or (after_prefix and key.startswith(after))
        ):
            continue
        grouped = _common_prefix(key, prefix, delimiter)
        if grouped is not None and common and common[-1] == grouped:
            continue
        if len(contents) + len(common) >= max_keys:
            truncated = True
            break
        if grouped is not None:
            common.append(grouped)
            last = (grouped, True)
            continue
        found = entry(bucket, key)
        if found is not None:
            contents.append(found)
            last = (key, False)
    encode = params.get("EncodingType") == "url"
    result: Params = {
        "Name": bucket,
        "Prefix": _encoded(prefix, encode),
        "Delimiter": _encoded(delimiter, encode) or None,
        "MaxKeys": max_keys,
        "EncodingType": params.get("EncodingType"),
        "KeyCount": len(contents) + len(common),
        "IsTruncated": truncated,
        "ContinuationToken": token,
        "StartAfter": _encoded(params.get("StartAfter"), encode),
        "Contents": [{**item, "Key": _encoded(item["Key"], encode)} for item in contents] or None,
        "CommonPrefixes": [{"Prefix": _encoded(item, encode)} for item in common] or None,
    }
    if truncated and last is not None:
        result["NextContinuationToken"] = tokens.issue(
            binding, {"after": last[0], "prefix": last[1]}
        )
    return result


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


def _max_keys(value: int | None) -> int:
    if value is None:
        return MAX_KEYS
    if value < 0:
        raise InvalidArgument("max-keys cannot be negative", ArgumentName="max-keys")
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


def _encoded(value: str | None, encode: bool) -> str | None:
    if value is None or not encode:
        return value
    return quote(value, safe="/")
