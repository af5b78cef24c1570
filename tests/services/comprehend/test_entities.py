"""DetectEntities and BatchDetectEntities through boto3, in CBOR and JSON."""

from __future__ import annotations

from typing import Any

import pytest

from sensorium.models.text.entities import WNUT_TO_COMPREHEND
from sensorium.training.conll import bio_spans, read_wnut
from tests.conftest import LiveServer, shared_data
from tests.services.comprehend.tagging import PROTOCOLS, assert_offsets, client

# Entity F1 through the server on the first WNUT_SENTENCES test sentences with an entity
# (Comprehend's types); measured, less three points: a regressed tagger fails.
WNUT_FLOOR = 0.40
WNUT_SENTENCES = 150
NEWS = "Barack Obama met Microsoft engineers in Paris on March 3, 2020 and signed 12 contracts."


@pytest.fixture(scope="module", params=PROTOCOLS)
def speaking(request: pytest.FixtureRequest, database: str, server: LiveServer) -> Any:
    return client(server, request.param)


@pytest.fixture(scope="module")
def comprehend(database: str, server: LiveServer) -> Any:
    return client(server)


def _found(text: str, entities: list[dict[str, Any]]) -> set[tuple[str, str]]:
    assert_offsets(text, entities)
    return {(e["Type"], e["Text"]) for e in entities}


def test_named_dates_and_quantities(speaking: Any) -> None:
    entities = speaking.detect_entities(Text=NEWS, LanguageCode="en")["Entities"]
    assert _found(NEWS, entities) >= {
        ("PERSON", "Barack Obama"),
        ("ORGANIZATION", "Microsoft"),
        ("LOCATION", "Paris"),
        ("DATE", "March 3, 2020"),
        ("QUANTITY", "12 contracts"),
    }
    named = [e for e in entities if e["Type"] in ("PERSON", "ORGANIZATION", "LOCATION")]
    assert all(0.0 < e["Score"] <= 1.0 for e in named)
    assert [e["BeginOffset"] for e in entities] == sorted(e["BeginOffset"] for e in entities)


def test_non_ascii_offsets(comprehend: Any) -> None:
    text = "😊 Ça va? Angela Merkel flew from München to São Paulo with Lufthansa."
    entities = comprehend.detect_entities(Text=text, LanguageCode="en")["Entities"]
    found = _found(text, entities)
    assert ("PERSON", "Angela Merkel") in found
    assert {kind for kind, name in found if name in ("München", "São Paulo")} == {"LOCATION"}


def test_batch_items_fail_individually(speaking: Any) -> None:
    texts = ["x" * 5001, "Taylor Swift sang in London.", "\t"]
    result = speaking.batch_detect_entities(TextList=texts, LanguageCode="en")
    assert [r["Index"] for r in result["ResultList"]] == [1]
    assert ("PERSON", "Taylor Swift") in _found(texts[1], result["ResultList"][0]["Entities"])
    errors = {e["Index"]: e["ErrorCode"] for e in result["ErrorList"]}
    assert errors == {0: "TextSizeLimitExceededException", 2: "InvalidRequestException"}


def test_requests_it_cannot_serve(comprehend: Any) -> None:
    errors = comprehend.exceptions
    with pytest.raises(errors.UnsupportedLanguageException):
        comprehend.detect_entities(Text="Angela Merkel besuchte Paris.", LanguageCode="de")
    with pytest.raises(errors.UnsupportedLanguageException):
        comprehend.batch_detect_entities(TextList=["Hola."], LanguageCode="es")
    with pytest.raises(errors.InvalidRequestException):
        comprehend.detect_entities(Text="Hello.")  # no language and no endpoint
    arn = "arn:aws:comprehend:us-east-1:123456789012:entity-recognizer-endpoint/mine"
    with pytest.raises(errors.InvalidRequestException):
        comprehend.detect_entities(Text="Hello.", EndpointArn=arn)
    with pytest.raises(errors.BatchSizeLimitExceededException):
        comprehend.batch_detect_entities(TextList=["Hi."] * 26, LanguageCode="en")


def test_wnut17_test_subset(comprehend: Any) -> None:
    """Exact-match entity F1 (type and text) on WNUT 2017 test sentences, words joined by
    spaces, against the gold spans in Comprehend's types."""
    sentences = [
        s for s in read_wnut(shared_data("text", "wnut17"), "test") if any(t != "O" for t in s.tags)
    ][:WNUT_SENTENCES]
    hits = gold_count = predicted_count = 0
    for start in range(0, len(sentences), 25):
        chunk = sentences[start : start + 25]
        texts = [" ".join(s.words) for s in chunk]
        result = comprehend.batch_detect_entities(TextList=texts, LanguageCode="en")
        assert result["ErrorList"] == []
        for item in result["ResultList"]:
            sentence = chunk[item["Index"]]
            gold = {
                (WNUT_TO_COMPREHEND[kind], " ".join(sentence.words[first:end]))
                for first, end, kind in bio_spans(sentence.tags)
            }
            named = {
                (e["Type"], e["Text"])
                for e in item["Entities"]
                if e["Type"] in set(WNUT_TO_COMPREHEND.values())
            }
            hits += len(gold & named)
            gold_count += len(gold)
            predicted_count += len(named)
    precision, recall = hits / predicted_count, hits / gold_count
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= WNUT_FLOOR, f"F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f})"
