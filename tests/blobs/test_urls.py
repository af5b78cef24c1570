"""Output URLs as AWS gives them: plain or presigned, on the endpoint the caller called."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sensorium.blobs import parse_s3_uri, urls
from sensorium.context import Caller, RequestContext

CALLER = Caller("https://sensorium.example:8443", "AKIDEXAMPLE", "secret-key")


def test_urls_carry_the_endpoint_and_round_trip() -> None:
    ctx = RequestContext("r", "111111111111", "eu-west-1", CALLER)
    key = "111111111111/eu-west-1/a job ü+.json"
    plain = urls.object_url(ctx, "results", key)
    assert plain == f"{CALLER.endpoint}/results/111111111111/eu-west-1/a%20job%20%C3%BC%2B.json"
    assert parse_s3_uri(plain) == ("results", key)
    signed = urls.presigned_url(ctx, "results", key)
    query = parse_qs(urlsplit(signed).query)
    assert query["X-Amz-Expires"] == [str(urls.PRESIGNED_SECONDS)]
    assert query["X-Amz-Credential"][0].startswith("AKIDEXAMPLE/")
    assert "/eu-west-1/s3/aws4_request" in query["X-Amz-Credential"][0]
    assert parse_s3_uri(signed) == ("results", key)
    assert "secret-key" not in repr(ctx)
    external = urls.object_url(ctx, "results", "k", "http://minio:9000/")
    assert external == "http://minio:9000/results/k"


def test_without_a_request_the_location_stays_an_s3_uri() -> None:
    ctx = RequestContext("job", "111111111111", "us-east-1")
    assert urls.object_url(ctx, "out", "a/b.mp3") == "s3://out/a/b.mp3"
    assert urls.presigned_url(ctx, "out", "a/b.mp3") == "s3://out/a/b.mp3"
