"""Query-string authentication (presigned URLs): SigV4's ``X-Amz-*`` parameters, and S3's
SigV2 ones (``AWSAccessKeyId``, ``Expires``, ``Signature``), which boto3 still makes by
default for S3 in us-east-1. Signatures are recomputed with botocore's own signers.

A presigned URL carries its expiry rather than its age: it is valid from its signing until
then (at most a week, SigV4's limit), whatever the clock skew.
"""

from __future__ import annotations

import datetime as dt
import hmac
from urllib.parse import parse_qsl, urlsplit

from botocore.auth import HmacV1QueryAuth, S3SigV4QueryAuth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from sensorium.auth.credentials import AccessKey, CredentialSet
from sensorium.errors import (
    InvalidSignatureException,
    PresignedRequestExpired,
    QueryAuthenticationMalformed,
    UnrecognizedClientException,
)
from sensorium.protocol.wire import WireRequest

MAX_EXPIRES = 604800  # seconds: a week
V2_REGION = "us-east-1"  # SigV2 names none; S3's first region is the one it served
_V4_PARAMETERS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)


def carries(query: dict[str, str]) -> bool:
    """Whether a request without an ``Authorization`` header is signed in its query."""
    return "X-Amz-Signature" in query or ("AWSAccessKeyId" in query and "Signature" in query)


def verify_v4(
    request: WireRequest,
    query: dict[str, str],
    key: AccessKey,
    region: str,
    service: str,
    now: dt.datetime,
) -> None:
    """Checks a SigV4 query signature whose credential scope has already been read."""
    if any(name not in query for name in _V4_PARAMETERS):
        raise QueryAuthenticationMalformed(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
            "X-Amz-Expires parameters."
        )
    if query["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        raise QueryAuthenticationMalformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    expires = _integer(query["X-Amz-Expires"], "X-Amz-Expires")
    if expires < 0:
        raise QueryAuthenticationMalformed("X-Amz-Expires must be non-negative")
    if expires > MAX_EXPIRES:
        raise QueryAuthenticationMalformed(
            f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_EXPIRES}"
        )
    try:
        signed_at = dt.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=dt.UTC
        )
    except ValueError:
        raise QueryAuthenticationMalformed(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        ) from None
    if now > signed_at + dt.timedelta(seconds=expires):
        raise PresignedRequestExpired(
            "Request has expired",
            **{"X-Amz-Expires": str(expires)},
            Expires=f"{signed_at + dt.timedelta(seconds=expires):%Y-%m-%dT%H:%M:%SZ}",
            ServerTime=f"{now:%Y-%m-%dT%H:%M:%SZ}",
        )
    _check_token(query.get("X-Amz-Security-Token"), key)
    headers = _signed_headers(request, query["X-Amz-SignedHeaders"].lower().split(";"))
    unsigned_query = "&".join(
        pair for pair in request.query.split("&") if not pair.startswith("X-Amz-Signature=")
    )
    url = f"http://{headers['host']}{request.raw_path}?{unsigned_query}"
    aws_request = AWSRequest(method=request.method, url=url, headers=headers)
    aws_request.context["timestamp"] = query["X-Amz-Date"]
    signer = (S3SigV4QueryAuth if service == "s3" else SigV4QueryAuth)(
        _credentials(key), service, region, expires
    )
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    if not hmac.compare_digest(str(expected), query["X-Amz-Signature"].lower()):
        raise InvalidSignatureException(_MISMATCH)


def verify_v2(
    request: WireRequest,
    query: dict[str, str],
    credentials: CredentialSet,
    auth_path: str,
    now: dt.datetime,
) -> AccessKey:
    """Checks an S3 SigV2 query signature; ``auth_path`` is the path with the bucket in it."""
    if "Expires" not in query:
        raise InvalidSignatureException(
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId "
            "parameters"
        )
    key = credentials.get(query["AWSAccessKeyId"])
    if key is None:
        raise UnrecognizedClientException(
            "The AWS Access Key Id you provided does not exist in our records."
        )
    expires = _integer(query["Expires"], "Expires")
    if now.timestamp() > expires:
        raise PresignedRequestExpired(
            "Request has expired",
            Expires=f"{dt.datetime.fromtimestamp(expires, dt.UTC):%Y-%m-%dT%H:%M:%SZ}",
            ServerTime=f"{now:%Y-%m-%dT%H:%M:%SZ}",
        )
    _check_token(query.get("x-amz-security-token"), key)
    headers = HTTPHeaders()
    for name in ("content-md5", "content-type"):
        if name in request.headers:
            headers[name] = request.headers[name]
    # botocore moves the x-amz-* headers it signed into the query.
    for name, value in [*request.headers.items(), *query.items()]:
        if name.lower().startswith("x-amz-") and name.lower() not in headers:
            headers[name.lower()] = value
    signer = HmacV1QueryAuth(_credentials(key))
    split = urlsplit(f"http://host{request.raw_path}?{request.query}")
    # botocore's canonical_string would put its own expiry (now + a default) in Expires' place.
    standard = [headers.get("content-md5", ""), headers.get("content-type", ""), query["Expires"]]
    custom = signer.canonical_custom_headers(headers)
    resource = signer.canonical_resource(split, auth_path=auth_path)
    lines = [request.method.upper(), *standard, *([custom] if custom else []), resource]
    expected = signer.sign_string("\n".join(lines))
    if not hmac.compare_digest(expected, query["Signature"]):
        raise InvalidSignatureException(_MISMATCH)
    return key


def query_parameters(query: str) -> dict[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True))


def _integer(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise QueryAuthenticationMalformed(f"{name} should be a number") from None


def _check_token(token: str | None, key: AccessKey) -> None:
    if token != key.session_token:  # a token on a key that has none is refused too
        raise UnrecognizedClientException("The security token included in the request is invalid.")


def _signed_headers(request: WireRequest, names: list[str]) -> dict[str, str]:
    if "host" not in names:
        raise QueryAuthenticationMalformed("The host header must be signed.")
    headers = {}
    for name in names:
        if name not in request.headers:
            raise InvalidSignatureException(f"Signed header '{name}' is missing.")
        headers[name] = request.headers[name]
    return headers


def _credentials(key: AccessKey) -> Credentials:
    return Credentials(key.access_key_id, key.secret_access_key, key.session_token)
