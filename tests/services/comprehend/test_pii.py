"""DetectPiiEntities and ContainsPiiEntities through boto3, in CBOR and JSON."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.services.comprehend.tagging import PROTOCOLS, assert_offsets, client

RECORD = (
    "Patient Maria Gonzalez, SSN 123-45-6789, e-mail maria.g@example.org, phone (206) 555-0134, "
    "card 4111 1111 1111 1111, lives at 742 Evergreen Terrace, Springfield, OR 97477. "
    "Visit on March 3, 2024 at 10:30 am. Server 192.168.10.4, MAC 00:1A:2B:3C:4D:5E, "
    "key AKIAIOSFODNN7EXAMPLE, site https://clinic.example.org/maria, passport 912345678."
)
EXPECTED = {
    "NAME": "Maria Gonzalez",
    "SSN": "123-45-6789",
    "EMAIL": "maria.g@example.org",
    "PHONE": "(206) 555-0134",
    "CREDIT_DEBIT_NUMBER": "4111 1111 1111 1111",
    "ADDRESS": "742 Evergreen Terrace, Springfield, OR 97477",
    "IP_ADDRESS": "192.168.10.4",
    "MAC_ADDRESS": "00:1A:2B:3C:4D:5E",
    "AWS_ACCESS_KEY": "AKIAIOSFODNN7EXAMPLE",
    "URL": "https://clinic.example.org/maria",
    "PASSPORT_NUMBER": "912345678",
}


@pytest.fixture(scope="module", params=PROTOCOLS)
def speaking(request: pytest.FixtureRequest, database: str, server: LiveServer) -> Any:
    return client(server, request.param)


@pytest.fixture(scope="module")
def comprehend(database: str, server: LiveServer) -> Any:
    return client(server)


def test_pii_types_and_offsets(speaking: Any) -> None:
    entities = speaking.detect_pii_entities(Text=RECORD, LanguageCode="en")["Entities"]
    assert_offsets(RECORD, entities)
    found = {(e["Type"], RECORD[e["BeginOffset"] : e["EndOffset"]]) for e in entities}
    assert set(EXPECTED.items()) <= found
    dates = {text for kind, text in found if kind == "DATE_TIME"}
    assert dates == {"March 3, 2024", "10:30 am"}
    name = next(e for e in entities if e["Type"] == "NAME")
    assert 0.0 < name["Score"] <= 1.0  # the entity tagger's probability


def test_contains_pii_labels(speaking: Any) -> None:
    labels = speaking.contains_pii_entities(Text=RECORD, LanguageCode="en")["Labels"]
    names = [label["Name"] for label in labels]
    assert len(names) == len(set(names))
    assert set(EXPECTED) | {"DATE_TIME"} <= set(names)
    assert 0.0 < next(label for label in labels if label["Name"] == "NAME")["Score"] <= 1.0
    assert (
        speaking.contains_pii_entities(Text="The weather is nice.", LanguageCode="en")["Labels"]
        == []
    )


@pytest.mark.parametrize(
    "text",
    [
        "Order 4111 1111 1111 1112 failed.",  # fails the Luhn check
        "Reference 000-12-3456 is not an SSN.",  # area 000 is never issued
        "Version 1.2.3.400 of the tool.",  # 400 is no IPv4 octet
        "Release on February 30, 2024.",  # no such day
        "Call extension 555-0134.",  # too short for a phone number
        "Order number 123456789 shipped.",  # nine digits, but no passport named
    ],
)
def test_invalid_patterns_are_not_pii(comprehend: Any, text: str) -> None:
    entities = comprehend.detect_pii_entities(Text=text, LanguageCode="en")["Entities"]
    assert entities == [], entities


def test_non_ascii_offsets(comprehend: Any) -> None:
    text = "Grüße von José Núñez 😊: josé@example.com, +49 30 901820."
    entities = comprehend.detect_pii_entities(Text=text, LanguageCode="en")["Entities"]
    assert_offsets(text, entities)
    found = {(e["Type"], text[e["BeginOffset"] : e["EndOffset"]]) for e in entities}
    assert ("EMAIL", "josé@example.com") in found
    assert ("PHONE", "+49 30 901820") in found


def test_limits_and_languages(comprehend: Any) -> None:
    errors = comprehend.exceptions
    with pytest.raises(errors.UnsupportedLanguageException):
        comprehend.detect_pii_entities(Text="Je m'appelle Jean.", LanguageCode="fr")
    with pytest.raises(errors.UnsupportedLanguageException):
        comprehend.contains_pii_entities(Text="Me llamo Juan.", LanguageCode="es")
    with pytest.raises(errors.TextSizeLimitExceededException):
        comprehend.detect_pii_entities(Text="a" * 100_001, LanguageCode="en")
    with pytest.raises(errors.InvalidRequestException):
        comprehend.contains_pii_entities(Text=" \n ", LanguageCode="en")
