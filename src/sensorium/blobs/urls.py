"""URLs to objects, as AWS hands output locations back: the one place they are built.

AWS answers an output location either as a plain path-style URL
(``https://s3.REGION.amazonaws.com/BUCKET/KEY``, read with the caller's own credentials) or,
for an object in a service's own bucket, as a presigned URL that any HTTP client can GET
until it expires. Here the host is the endpoint the caller called (the built-in S3 answers
on it), the signature the caller's own access key's; with an external S3 endpoint the URLs
point there, presigned with the server's keys for it. Outside a request (a job, the CLI) no
endpoint is known and the location stays an ``s3://`` URI.

URLs are built when an operation answers, never stored: a presigned one is fresh each time.
"""

from __future__ import annotations

from urllib.parse import quote

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sensorium.context import RequestContext

PRESIGNED_SECONDS = 900  # 15 minutes, as AWS's temporary output URLs


def s3_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


def path_url(endpoint: str, bucket: str, key: str) -> str:
    """``ENDPOINT/BUCKET/KEY``, the key percent-encoded as S3 clients encode it."""
    return f"{endpoint.rstrip('/')}/{bucket}/{quote(key, safe='/~')}"


def object_url(ctx: RequestContext, bucket: str, key: str, external: str | None = None) -> str:
    """A plain URL: the caller reads it with its own credentials (or parses bucket and key)."""
    if external:
        return path_url(external, bucket, key)
    if ctx.caller is None:
        return s3_uri(bucket, key)
    return path_url(ctx.caller.endpoint, bucket, key)


def presigned_url(
    ctx: RequestContext, bucket: str, key: str, seconds: int = PRESIGNED_SECONDS
) -> str:
    """A GET URL to the built-in S3 signed (query SigV4) with the caller's own key."""
    caller = ctx.caller
    if caller is None:
        return s3_uri(bucket, key)
    request = AWSRequest(method="GET", url=path_url(caller.endpoint, bucket, key))
    credentials = Credentials(caller.access_key_id, caller.secret_access_key, caller.session_token)
    S3SigV4QueryAuth(credentials, "s3", ctx.region, expires=seconds).add_auth(request)
    return str(request.url)
