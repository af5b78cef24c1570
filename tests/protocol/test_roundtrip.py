"""Each protocol decodes what botocore's own serializers send and encodes what botocore's
own parsers read back, for operations across every served service."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import botocore.session
import pytest
from botocore import parsers, serialize
from starlette.datastructures import Headers

from sensorium.protocol.catalog import ServiceCatalog
from sensorium.protocol.detect import detect, wire_protocols
from sensorium.protocol.wire import WireProtocol, WireRequest

CATALOG = ServiceCatalog()
ORDERED = wire_protocols(CATALOG)
PROTOCOLS: dict[str, WireProtocol] = {protocol.name: protocol for protocol in ORDERED}
SESSION = botocore.session.get_session()


def client_protocol(service: str) -> str:
    model = SESSION.get_service_model(service)
    listed = model.metadata.get("protocols") or [model.metadata["protocol"]]
    return str(next(p for p in listed if p in serialize.SERIALIZERS))


def as_wire(service: str, operation: str, params: dict[str, Any]) -> WireRequest:
    model = SESSION.get_service_model(service)
    protocol = client_protocol(service)
    serialized = serialize.create_serializer(protocol).serialize_to_request(
        params, model.operation_model(operation)
    )
    body = serialized["body"]
    if isinstance(body, dict):
        body = urlencode(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    elif body is None or hasattr(body, "read"):
        body = body.read() if body is not None else b""
    return WireRequest(
        method=serialized["method"],
        raw_path=serialized["url_path"],
        query=urlencode(serialized["query_string"], doseq=True),
        headers=Headers(serialized["headers"]),
        body=body,
    )


CASES = [
    ("rekognition", "CreateCollection", {"CollectionId": "c1", "Tags": {"a": "b"}}),
    ("rekognition", "DetectFaces", {"Image": {"Bytes": b"\x00\xffbinary"}, "Attributes": ["ALL"]}),
    ("comprehend", "DetectSentiment", {"Text": "I love it", "LanguageCode": "en"}),
    (
        "transcribe",
        "ListTranscriptionJobs",
        {"Status": "COMPLETED", "MaxResults": 5, "JobNameContains": "x"},
    ),
    ("polly", "ListLexicons", {"NextToken": "abc"}),
    ("polly", "GetLexicon", {"Name": "myLexicon"}),
    (
        "polly",
        "SynthesizeSpeech",
        {"Text": "Hello", "VoiceId": "Joanna", "OutputFormat": "mp3", "SampleRate": "22050"},
    ),
    ("lexv2-models", "DescribeBot", {"botId": "ABCDEFGHIJ"}),
    (
        "lexv2-models",
        "CreateBotLocale",
        {
            "botId": "ABCDEFGHIJ",
            "botVersion": "DRAFT",
            "localeId": "en_US",
            "nluIntentConfidenceThreshold": 0.4,
        },
    ),
    (
        "lexv2-runtime",
        "RecognizeText",
        {
            "botId": "ABCDEFGHIJ",
            "botAliasId": "TSTALIASID",
            "localeId": "en_US",
            "sessionId": "session-1",
            "text": "I want flowers",
        },
    ),
    (
        "lexv2-runtime",
        "RecognizeUtterance",
        {
            "botId": "ABCDEFGHIJ",
            "botAliasId": "TSTALIASID",
            "localeId": "en_US",
            "sessionId": "s1",
            "requestContentType": "audio/l16; rate=16000; channels=1",
            "responseContentType": "audio/mpeg",
            "inputStream": b"\x01\x02\x03",
        },
    ),
    ("forecast", "CreateDatasetGroup", {"DatasetGroupName": "g", "Domain": "RETAIL"}),
]


@pytest.mark.parametrize(("service", "operation", "params"), CASES)
def test_decodes_what_botocore_sends(service: str, operation: str, params: dict[str, Any]) -> None:
    wire = as_wire(service, operation, params)
    protocol = detect(ORDERED, wire)
    assert protocol.name == client_protocol(service)
    target = protocol.target(wire, CATALOG[service].signing_name)
    assert target is not None and target.service.name == service
    assert target.operation_name == operation
    assert protocol.decode(wire, target) == params


OUTPUTS = [
    (
        "rekognition",
        "DescribeCollection",
        {
            "FaceCount": 3,
            "FaceModelVersion": "v",
            "CollectionARN": "arn:aws:rekognition:us-east-1:123456789012:collection/c",
            "CreationTimestamp": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            "UserCount": 1,
        },
    ),
    (
        "comprehend",
        "DetectSentiment",
        {
            "Sentiment": "POSITIVE",
            "SentimentScore": {"Positive": 0.9, "Negative": 0.05, "Neutral": 0.04, "Mixed": 0.01},
        },
    ),
    (
        "polly",
        "GetLexicon",
        {
            "Lexicon": {"Content": "<lexicon/>", "Name": "l"},
            "LexiconAttributes": {
                "Alphabet": "ipa",
                "LanguageCode": "en-US",
                "LastModified": dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
                "LexemesCount": 1,
                "Size": 10,
            },
        },
    ),
    (
        "lexv2-models",
        "CreateBotLocale",
        {"botId": "ABCDEFGHIJ", "localeId": "en_US", "botLocaleStatus": "Creating"},
    ),
]


@pytest.mark.parametrize(("service", "operation", "result"), OUTPUTS)
def test_botocore_parses_what_we_encode(
    service: str, operation: str, result: dict[str, Any]
) -> None:
    protocol = PROTOCOLS[client_protocol(service)]
    wire = as_wire(service, operation, _minimal_input(service, operation))
    target = protocol.target(wire, CATALOG[service].signing_name)
    assert target is not None and target.operation is not None
    response = protocol.encode(target, result)
    assert isinstance(response.body, bytes)
    parsed = parsers.create_parser(client_protocol(service)).parse(
        {"status_code": response.status, "headers": response.headers, "body": response.body},
        target.operation.output_shape,
    )
    parsed.pop("ResponseMetadata", None)
    assert parsed == result


def test_streaming_payload_and_headers() -> None:
    protocol = PROTOCOLS["rest-json"]
    wire = as_wire(
        "polly", "SynthesizeSpeech", {"Text": "x", "VoiceId": "Joanna", "OutputFormat": "pcm"}
    )
    target = protocol.target(wire, "polly")
    assert target is not None
    response = protocol.encode(
        target, {"AudioStream": b"\x00\x01", "ContentType": "audio/pcm", "RequestCharacters": 1}
    )
    assert response.body == b"\x00\x01"
    assert response.headers["Content-Type"] == "audio/pcm"
    assert response.headers["x-amzn-RequestCharacters"] == "1"


def _minimal_input(service: str, operation: str) -> dict[str, Any]:
    inputs: dict[tuple[str, str], dict[str, Any]] = {
        ("rekognition", "DescribeCollection"): {"CollectionId": "c"},
        ("comprehend", "DetectSentiment"): {"Text": "t", "LanguageCode": "en"},
        ("polly", "GetLexicon"): {"Name": "l"},
        ("lexv2-models", "CreateBotLocale"): {
            "botId": "ABCDEFGHIJ",
            "botVersion": "DRAFT",
            "localeId": "en_US",
            "nluIntentConfidenceThreshold": 0.4,
        },
    }
    return inputs[(service, operation)]


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("comprehend", "DetectSentiment", {"Text": "fine", "LanguageCode": "en"}),
        ("transcribe", "GetTranscriptionJob", {"TranscriptionJobName": "job-1"}),
    ],
)
def test_json_1_1_is_served_too(service: str, operation: str, params: dict[str, Any]) -> None:
    """Older SDKs (and the AWS CLI v1) reach Comprehend and Transcribe over JSON 1.1."""
    model = SESSION.get_service_model(service)
    serialized = serialize.create_serializer("json").serialize_to_request(
        params, model.operation_model(operation)
    )
    wire = WireRequest(
        method="POST",
        raw_path="/",
        query="",
        headers=Headers(serialized["headers"]),
        body=serialized["body"],
    )
    protocol = detect(ORDERED, wire)
    assert protocol.name == "json"
    target = protocol.target(wire, CATALOG[service].signing_name)
    assert target is not None and target.operation_name == operation
    assert protocol.decode(wire, target) == params
