"""The HTTP surface: health, readiness, request ids, protocol-level errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import ACCESS_KEY, SECRET_KEY, LiveServer


def signed(server: LiveServer, target: str, body: bytes, service: str = "rekognition") -> Any:
    request = AWSRequest(
        method="POST",
        url=server.endpoint + "/",
        data=body,
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    return httpx.post(prepared.url, content=prepared.body, headers=dict(prepared.headers))


def test_health_and_ready(server: LiveServer) -> None:
    health = httpx.get(server.endpoint + "/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = httpx.get(server.endpoint + "/ready")
    assert ready.status_code in (200, 503)
    assert "models" in ready.json()


def test_every_response_has_a_request_id(server: LiveServer) -> None:
    client = server.client("rekognition")
    ok = client.list_collections()
    assert ok["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as raised:
        client.describe_collection(CollectionId="absent-for-request-id")
    assert raised.value.response["ResponseMetadata"]["RequestId"]


def test_unknown_operation(server: LiveServer) -> None:
    response = signed(server, "RekognitionService.MakeCoffee", b"{}")
    assert response.status_code == 400
    assert json.loads(response.content)["__type"] == "UnknownOperationException"
    assert response.headers["x-amzn-RequestId"]


def test_malformed_body(server: LiveServer) -> None:
    response = signed(server, "RekognitionService.ListCollections", b"{not json")
    assert response.status_code == 400
    assert json.loads(response.content)["__type"] == "SerializationException"


def test_wrong_type_is_a_serialization_error(server: LiveServer) -> None:
    response = signed(server, "RekognitionService.ListCollections", b'{"MaxResults": "ten"}')
    assert response.status_code == 400
    assert json.loads(response.content)["__type"] == "SerializationException"


def test_unimplemented_operation_says_so(server: LiveServer) -> None:
    client = server.client("rekognition")
    with pytest.raises(ClientError) as raised:
        client.detect_moderation_labels(Image={"Bytes": b"any"})
    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplementedException"
    assert "rekognition:DetectModerationLabels" in error["Message"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_a_response_without_content_sends_none(fresh_server: LiveServer) -> None:
    fresh_server.env["SENSORIUM_SERVICES"] = "lex"
    lex = fresh_server.start().client("lexv2-models")
    bot = lex.create_bot(
        botName="NoContent",
        roleArn="arn:aws:iam::123456789012:role/LexBotRole",
        dataPrivacy={"childDirected": False},
        idleSessionTTLInSeconds=300,
    )["botId"]
    where = {"botId": bot, "botVersion": "DRAFT", "localeId": "en_US"}
    lex.create_bot_locale(**where, nluIntentConfidenceThreshold=0.4)
    intent = lex.create_intent(**where, intentName="Gone")["intentId"]
    deleted = lex.delete_intent(**where, intentId=intent)  # modelled as 204 No Content
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "unhandled error" not in fresh_server.log()


def test_services_can_be_limited() -> None:
    from sensorium import services
    from sensorium.errors import ConfigurationError

    assert services.enabled("") == list(services.SERVICES)
    assert services.enabled(" polly , rekognition") == ["rekognition", "polly"]
    with pytest.raises(ConfigurationError):
        services.enabled("rekognition,telepathy")
