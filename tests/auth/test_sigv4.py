"""SigV4 verification against a live server: the failures AWS reports, and isolation."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any
from unittest import mock

import botocore.auth
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import (
    ACCESS_KEY,
    OTHER_ACCESS_KEY,
    OTHER_SECRET_KEY,
    SECRET_KEY,
    SESSION_TOKEN,
    TOKEN_ACCESS_KEY,
    TOKEN_SECRET_KEY,
    LiveServer,
)

TARGET = "RekognitionService.ListCollections"


def signed_request(
    server: LiveServer,
    body: bytes = b"{}",
    target: str = TARGET,
    secret: str = SECRET_KEY,
    when: dt.datetime | None = None,
    token: str | None = None,
) -> AWSRequest:
    request = AWSRequest(
        method="POST",
        url=server.endpoint + "/",
        data=body,
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
    )
    signer = SigV4Auth(Credentials(ACCESS_KEY, secret, token), "rekognition", "us-east-1")
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
            signer.add_auth(request)
    return request


def send(request: AWSRequest, body: bytes | None = None) -> httpx.Response:
    prepared = request.prepare()
    return httpx.post(
        prepared.url,
        content=body if body is not None else prepared.body,
        headers=dict(prepared.headers),
    )


def error_type(response: httpx.Response) -> str:
    return str(json.loads(response.content)["__type"])


def test_valid_signature(server: LiveServer) -> None:
    response = send(signed_request(server))
    assert response.status_code == 200, response.text
    assert "CollectionIds" in response.json()
    assert response.headers["x-amzn-RequestId"]


def test_wrong_secret(server: LiveServer) -> None:
    client = server.client("rekognition", secret_key="not-the-secret")
    with pytest.raises(ClientError) as raised:
        client.list_collections()
    assert raised.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_key(server: LiveServer) -> None:
    client = server.client("rekognition", access_key="AKIDNOBODYKNOWS", secret_key="x")
    with pytest.raises(ClientError) as raised:
        client.list_collections()
    assert raised.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_expired_date(server: LiveServer) -> None:
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=16)
    response = send(signed_request(server, when=old))
    assert response.status_code == 403
    assert error_type(response) == "InvalidSignatureException"
    assert "Signature expired" in response.json()["message"]


def test_date_within_skew_is_accepted(server: LiveServer) -> None:
    recent = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)
    assert send(signed_request(server, when=recent)).status_code == 200


def test_tampered_body(server: LiveServer) -> None:
    request = signed_request(server, body=b'{"MaxResults": 1}')
    response = send(request, body=b'{"MaxResults": 2}')
    assert response.status_code == 403
    assert error_type(response) == "InvalidSignatureException"


def test_tampered_target_header(server: LiveServer) -> None:
    request = signed_request(server)
    request.headers["X-Amz-Target"] = "RekognitionService.DescribeCollection"
    response = send(request)
    assert response.status_code == 403
    assert error_type(response) == "InvalidSignatureException"


def test_missing_authentication(server: LiveServer) -> None:
    response = httpx.post(
        server.endpoint + "/",
        content=b"{}",
        headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
    )
    assert response.status_code == 403
    assert error_type(response) == "MissingAuthenticationTokenException"


def test_session_token(server: LiveServer) -> None:
    client = server.client(
        "rekognition",
        access_key=TOKEN_ACCESS_KEY,
        secret_key=TOKEN_SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
    )
    assert "CollectionIds" in client.list_collections()
    wrong = server.client(
        "rekognition",
        access_key=TOKEN_ACCESS_KEY,
        secret_key=TOKEN_SECRET_KEY,
        aws_session_token="some-other-token",
    )
    with pytest.raises(ClientError) as raised:
        wrong.list_collections()
    assert raised.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_two_accounts_are_isolated(server: LiveServer) -> None:
    mine: Any = server.client("rekognition")
    theirs: Any = server.client(
        "rekognition", access_key=OTHER_ACCESS_KEY, secret_key=OTHER_SECRET_KEY
    )
    name = f"private-{uuid.uuid4().hex[:8]}"
    arn = mine.create_collection(CollectionId=name)["CollectionArn"]
    with pytest.raises(theirs.exceptions.ResourceNotFoundException):
        theirs.describe_collection(CollectionId=name)
    with pytest.raises(theirs.exceptions.ResourceNotFoundException):
        theirs.list_tags_for_resource(ResourceArn=arn)
    assert name not in theirs.list_collections(MaxResults=4096)["CollectionIds"]
    # The same id is free in the other account, and does not collide.
    other_arn = theirs.create_collection(CollectionId=name)["CollectionArn"]
    assert other_arn != arn
    theirs.delete_collection(CollectionId=name)
    assert mine.describe_collection(CollectionId=name)["CollectionARN"] == arn


def test_regions_are_isolated(server: LiveServer) -> None:
    east: Any = server.client("rekognition", region="us-east-1")
    west: Any = server.client("rekognition", region="us-west-2")
    name = f"regional-{uuid.uuid4().hex[:8]}"
    east.create_collection(CollectionId=name)
    with pytest.raises(west.exceptions.ResourceNotFoundException):
        west.describe_collection(CollectionId=name)


def test_a_region_that_could_not_exist_is_refused(server: LiveServer) -> None:
    # boto3 refuses such regions itself; another client might not.
    for region, status in (("r" * 65, 403), ("us:east", 403), ("local", 200)):
        request = AWSRequest(
            method="POST",
            url=server.endpoint + "/",
            data=b"{}",
            headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
        )
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "rekognition", region).add_auth(request)
        response = send(request)
        assert response.status_code == status, response.text
        if status == 403:
            assert error_type(response) == "InvalidSignatureException"


def test_scope_for_another_service_is_refused(server: LiveServer) -> None:
    request = AWSRequest(
        method="POST",
        url=server.endpoint + "/",
        data=b"{}",
        headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "polly", "us-east-1").add_auth(request)
    response = send(request)
    assert response.status_code == 403
    assert error_type(response) == "InvalidSignatureException"
