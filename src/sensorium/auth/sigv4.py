"""SigV4 verification: we recompute the signature with botocore's own signer.

Only the headers the client listed in ``SignedHeaders`` take part, the path is the raw path
as sent, and ``X-Amz-Date`` must lie within 15 minutes of our clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sensorium.auth import presigned
from sensorium.auth.credentials import AccessKey, CredentialSet
from sensorium.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    PayloadHashMismatch,
    QueryAuthenticationMalformed,
    RequestTimeSkewed,
    UnrecognizedClientException,
)
from sensorium.protocol.rest_xml import routed_path
from sensorium.protocol.wire import WireRequest

MAX_SKEW = dt.timedelta(minutes=15)
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Lenient (a region of one's own, "local", is fine) but fits the stores' region column.
_REGION = re.compile(r"[A-Za-z0-9_.-]{1,64}")

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-fA-F]+)\s*"
)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    key: AccessKey
    region: str
    signing_service: str

    @property
    def account_id(self) -> str:
        return self.key.account_id


@dataclass(frozen=True)
class Scope:
    access_key_id: str
    date: str
    region: str
    service: str


def read_scope(request: WireRequest) -> Scope | None:
    """The credential scope the client claims (in its ``Authorization`` header or, presigned,
    its query), read before any verification."""
    header = request.headers.get("authorization")
    if header is None:
        credential = presigned.query_parameters(request.query).get("X-Amz-Credential")
    else:
        match = _AUTHORIZATION.fullmatch(header.strip())
        credential = None if match is None else match["credential"]
    if credential is None:
        return None
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return None
    return Scope(parts[0], parts[1], parts[2], parts[3])


def seed_signature(request: WireRequest) -> str | None:
    """The signature of the request's ``Authorization`` header (the first link of a signed
    chunked body's chain)."""
    match = _AUTHORIZATION.fullmatch(request.headers.get("authorization", "").strip())
    return None if match is None else match["signature"].lower()


def verify(
    request: WireRequest, credentials: CredentialSet, now: dt.datetime | None = None
) -> Principal:
    header = request.headers.get("authorization")
    current = now or dt.datetime.now(dt.UTC)
    if not header:
        query = presigned.query_parameters(request.query)
        if presigned.carries(query):
            return _verify_query(request, query, credentials, current)
        raise MissingAuthenticationTokenException("Missing Authentication Token")
    match = _AUTHORIZATION.fullmatch(header.strip())
    scope = read_scope(request)
    if match is None or scope is None:
        raise IncompleteSignatureException(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            "in the AWS4-HMAC-SHA256 format.",
        )
    key = credentials.get(scope.access_key_id)
    if key is None:
        raise UnrecognizedClientException("The security token included in the request is invalid.")
    stamp = _request_time(request)
    if abs(current - stamp) > MAX_SKEW:
        raise RequestTimeSkewed(
            f"Signature expired: {stamp:%Y%m%dT%H%M%SZ} is now earlier than "
            f"{current - MAX_SKEW:%Y%m%dT%H%M%SZ} ({current:%Y%m%dT%H%M%SZ} - 15 min.)"
            if stamp < current
            else f"Signature not yet current: {stamp:%Y%m%dT%H%M%SZ} is still later than "
            f"{current + MAX_SKEW:%Y%m%dT%H%M%SZ} ({current:%Y%m%dT%H%M%SZ} + 15 min.)",
        )
    if scope.date != f"{stamp:%Y%m%d}":
        raise InvalidSignatureException("Credential scope date does not match.")
    if not _REGION.fullmatch(scope.region):
        # It names where every resource of the request is stored (and goes into its ARNs).
        raise InvalidSignatureException("Credential should be scoped to a valid region.")
    signed = match["signed"].lower().split(";")
    if "host" not in signed:
        raise InvalidSignatureException("The host header must be signed.")
    token = request.headers.get("x-amz-security-token")
    if token != key.session_token:  # a token on a key that has none is refused too
        raise UnrecognizedClientException("The security token included in the request is invalid.")
    if token is not None and "x-amz-security-token" not in signed:
        raise InvalidSignatureException("X-Amz-Security-Token must be signed.")
    _check_payload_hash(request)
    expected = _signature(request, key, scope, signed, stamp)
    if not hmac.compare_digest(expected, match["signature"].lower()):
        raise InvalidSignatureException(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
        )
    return Principal(key, scope.region, scope.service)


def _verify_query(
    request: WireRequest, query: dict[str, str], credentials: CredentialSet, now: dt.datetime
) -> Principal:
    if "X-Amz-Signature" not in query:
        auth_path = routed_path(request)
        signer = presigned.verify_v2(request, query, credentials, auth_path, now)
        return Principal(signer, presigned.V2_REGION, "s3")
    scope = read_scope(request)
    if scope is None:
        raise QueryAuthenticationMalformed(
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
        )
    key = credentials.get(scope.access_key_id)
    if key is None:
        raise UnrecognizedClientException("The security token included in the request is invalid.")
    if scope.date != query.get("X-Amz-Date", "")[:8] or not _REGION.fullmatch(scope.region):
        raise QueryAuthenticationMalformed(
            "Error parsing the X-Amz-Credential parameter: its date must be X-Amz-Date's, "
            "and its region a valid one."
        )
    presigned.verify_v4(request, query, key, scope.region, scope.service, now)
    return Principal(key, scope.region, scope.service)


def _request_time(request: WireRequest) -> dt.datetime:
    amz_date = request.headers.get("x-amz-date")
    try:
        if amz_date:
            return dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        date = request.headers.get("date")
        if date:
            return parsedate_to_datetime(date).astimezone(dt.UTC)
    except (ValueError, TypeError):
        pass
    raise IncompleteSignatureException("A valid X-Amz-Date or Date header is required.")


def _check_payload_hash(request: WireRequest) -> None:
    claimed = request.headers.get("x-amz-content-sha256")
    if claimed is None or claimed == UNSIGNED_PAYLOAD or claimed.startswith("STREAMING-"):
        return
    if claimed.lower() != hashlib.sha256(request.body).hexdigest():
        raise PayloadHashMismatch(
            "The provided x-amz-content-sha256 header does not match what was computed.",
        )


def _signature(
    request: WireRequest, key: AccessKey, scope: Scope, signed: list[str], stamp: dt.datetime
) -> str:
    headers = {}
    for name in signed:
        if name not in request.headers:
            raise InvalidSignatureException(f"Signed header '{name}' is missing.")
        headers[name] = request.headers[name]
    url = "http://" + headers["host"] + request.raw_path
    if request.query:
        url += "?" + request.query
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = f"{stamp:%Y%m%dT%H%M%SZ}"
    # S3 signs the path as sent (no normalising, no second encoding), other services do not.
    signer = (S3SigV4Auth if scope.service == "s3" else SigV4Auth)(
        Credentials(key.access_key_id, key.secret_access_key, key.session_token),
        scope.service,
        scope.region,
    )
    canonical = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    return str(signer.signature(string_to_sign, aws_request))
