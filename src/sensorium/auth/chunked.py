"""Bodies sent ``aws-chunked``, as S3's streaming uploads are: decoded into the bytes they
carry before anything reads them.

Three forms exist. ``STREAMING-UNSIGNED-PAYLOAD-TRAILER`` (current botocore over https, and
other SDKs) sends plain chunks and a trailing checksum header. ``STREAMING-AWS4-HMAC-SHA256-
PAYLOAD`` (the Java and JavaScript SDKs, among others) signs every chunk, each signature
chained to the one before it from the request's own; ``...-PAYLOAD-TRAILER`` adds a signed
trailer. The trailing headers become headers of the decoded request, so the checksum they
carry is verified like any other (``protocol.checksums``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.datastructures import Headers

from sensorium.auth.credentials import AccessKey
from sensorium.auth.sigv4 import Principal, Scope, read_scope, seed_signature
from sensorium.errors import (
    InvalidSignatureException,
    MalformedChunkedBody,
    NotImplementedException,
)
from sensorium.protocol.wire import WireRequest

SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
_EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_TRAILER_SIGNATURE = "x-amz-trailer-signature"
_MAX_LINE = 4096  # a chunk header or a trailer line: a size, a signature, a checksum
_HEX = frozenset("0123456789abcdefABCDEF")


def is_chunked(request: WireRequest) -> bool:
    sha = request.headers.get("x-amz-content-sha256", "")
    return sha.startswith("STREAMING-") or "aws-chunked" in _encodings(request.headers)


def decoded(request: WireRequest, principal: Principal) -> WireRequest:
    """The request as if its body had been sent whole: the chunks' bytes, ``aws-chunked``
    gone from its ``Content-Encoding``, the trailing headers it declared added."""
    form = request.headers.get("x-amz-content-sha256", "")
    if form not in (SIGNED, SIGNED_TRAILER, UNSIGNED_TRAILER):
        raise NotImplementedException(
            f"Sensorium does not accept x-amz-content-sha256 {form or '(none)'} with an "
            f"aws-chunked body; it accepts {SIGNED}, {SIGNED_TRAILER} and {UNSIGNED_TRAILER}."
        )
    chain = None if form == UNSIGNED_TRAILER else _Chain.of(request, principal.key)
    body, trailer = _decode(request.body, chain)
    expected = request.headers.get("x-amz-decoded-content-length")
    if expected is None or not expected.isdigit() or int(expected) != len(body):
        raise MalformedChunkedBody(
            "You did not provide the number of bytes specified by the "
            "x-amz-decoded-content-length HTTP header."
        )
    headers = _merged(request.headers, trailer)
    return WireRequest(
        request.method, request.raw_path, request.query, headers, body, request.scheme
    )


class _Chain:
    """The signature each chunk must carry: the previous one's, signed with the chunk."""

    def __init__(self, key: AccessKey, scope: Scope, stamp: str, seed: str) -> None:
        self.signer = SigV4Auth(
            Credentials(key.access_key_id, key.secret_access_key), scope.service, scope.region
        )
        self.request = AWSRequest()
        self.request.context["timestamp"] = stamp
        self.prefix = f"{stamp}\n{scope.date}/{scope.region}/{scope.service}/aws4_request\n"
        self.previous = seed

    @classmethod
    def of(cls, request: WireRequest, key: AccessKey) -> _Chain:
        scope = read_scope(request)
        seed = seed_signature(request)
        stamp = request.headers.get("x-amz-date")
        if scope is None or seed is None or stamp is None:
            raise InvalidSignatureException(
                "A signed aws-chunked body needs an Authorization header and X-Amz-Date."
            )
        return cls(key, scope, stamp, seed)

    def check_chunk(self, signature: str | None, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        self._check(signature, f"AWS4-HMAC-SHA256-PAYLOAD\n{_EMPTY_SHA256}\n{digest}")

    def check_trailer(self, signature: str | None, lines: list[tuple[str, str]]) -> None:
        canonical = "".join(f"{name}:{value}\n" for name, value in lines)
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        self._check(signature, f"AWS4-HMAC-SHA256-TRAILER\n{digest}", trailer=True)

    def _check(self, signature: str | None, parts: str, trailer: bool = False) -> None:
        kind, _, rest = parts.partition("\n")
        string_to_sign = f"{kind}\n{self.prefix}{self.previous}\n{rest}"
        expected = str(self.signer.signature(string_to_sign, self.request))
        if signature is None or not hmac.compare_digest(expected, signature.lower()):
            what = "trailing headers" if trailer else "chunk"
            raise InvalidSignatureException(
                f"The {what} signature we calculated does not match the signature you provided."
            )
        self.previous = expected


def _decode(body: bytes, chain: _Chain | None) -> tuple[bytes, list[tuple[str, str]]]:
    out = bytearray()
    at = 0
    while True:
        line, at = _line(body, at)
        if line is None:
            raise MalformedChunkedBody("The aws-chunked body ends before its last chunk.")
        size_text, _, extension = line.partition(";")
        size = _size(size_text)
        signature = _chunk_signature(extension)
        end = at + size
        if end > len(body):
            raise MalformedChunkedBody("An aws-chunked chunk is shorter than its size.")
        data = body[at:end]
        if chain is not None:
            chain.check_chunk(signature, data)
        out += data
        at = end
        if size == 0:
            break
        if body[at : at + 2] != b"\r\n":
            raise MalformedChunkedBody("An aws-chunked chunk does not end where its size says.")
        at += 2
    trailer = _trailer(body, at)
    if chain is not None and trailer:
        signature = dict(trailer).get(_TRAILER_SIGNATURE)
        trailer = [(name, value) for name, value in trailer if name != _TRAILER_SIGNATURE]
        chain.check_trailer(signature, trailer)
    return bytes(out), trailer


def _line(body: bytes, at: int) -> tuple[str | None, int]:
    """The line starting at ``at`` (without its CRLF) and where the next begins; ``None`` at
    the end of the body."""
    if at >= len(body):
        return None, at
    end = body.find(b"\r\n", at, at + _MAX_LINE)
    if end < 0:
        end = len(body) if len(body) - at <= _MAX_LINE else -1
        if end < 0:
            raise MalformedChunkedBody("An aws-chunked line is too long.")
    return body[at:end].decode("latin-1"), end + 2


def _size(text: str) -> int:
    text = text.strip()
    if not text or len(text) > 16 or not set(text) <= _HEX:
        raise MalformedChunkedBody(f"{text[:32]!r} is not an aws-chunked chunk size.")
    return int(text, 16)


def _chunk_signature(extension: str) -> str | None:
    name, _, value = extension.partition("=")
    return value.strip() if name.strip() == "chunk-signature" else None


def _trailer(body: bytes, at: int) -> list[tuple[str, str]]:
    """The trailing header lines after the last chunk, up to the empty line that ends them."""
    lines: list[tuple[str, str]] = []
    while True:
        line, at = _line(body, at)
        if not line:  # the empty line, or the body's end (some clients stop there)
            break
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or len(lines) >= 16:
            raise MalformedChunkedBody("The aws-chunked trailing headers are malformed.")
        lines.append((name.strip().lower(), value.strip()))
    if at < len(body):
        raise MalformedChunkedBody("The aws-chunked body goes on after its trailing headers.")
    return lines


def _merged(headers: Mapping[str, str], trailer: list[tuple[str, str]]) -> Headers:
    declared = {
        name.strip().lower() for name in headers.get("x-amz-trailer", "").split(",") if name
    }
    sent = {name for name, _ in trailer}
    if sent != declared:
        raise MalformedChunkedBody(
            f"The trailing headers sent ({', '.join(sorted(sent)) or 'none'}) are not those "
            f"x-amz-trailer declares ({', '.join(sorted(declared)) or 'none'})."
        )
    kept: list[tuple[str, str]] = []
    for name, value in headers.items():
        if name.lower() == "content-encoding":
            rest = [coding for coding in _encodings(headers) if coding != "aws-chunked"]
            if not rest:
                continue
            value = ", ".join(rest)
        kept.append((name.lower(), value))
    kept.extend(trailer)
    return Headers(raw=[(name.encode("latin-1"), value.encode("latin-1")) for name, value in kept])


def _encodings(headers: Mapping[str, str]) -> list[str]:
    encoding = headers.get("content-encoding", "")
    return [coding.strip().lower() for coding in encoding.split(",") if coding.strip()]
