"""DetectSentiment and BatchDetectSentiment through boto3 against a live server."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import LiveServer, shared_data

# Measured with the shipped default model on SST2_SUBSET (see docs/bench-comprehend.md); the
# test allows one point below it, so a regressed model fails.
SST2_SUBSET_FLOOR = 0.884
SST2_SUBSET_SIZE = 1000
SST2_STRIDE = 6  # every 6th dev line: a fixed, deterministic spread over the file


def _scores_sum_to_one(result: dict[str, Any]) -> bool:
    return math.isclose(sum(result["SentimentScore"].values()), 1.0, abs_tol=1e-4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I loved this movie, the acting was wonderful.", "POSITIVE"),
        ("This is the worst product I have ever bought.", "NEGATIVE"),
        ("What a delightful, warm and funny evening!", "POSITIVE"),
        ("The plot is dull and the jokes fall flat.", "NEGATIVE"),
    ],
)
def test_clear_polarity(comprehend: Any, text: str, expected: str) -> None:
    result = comprehend.detect_sentiment(Text=text, LanguageCode="en")
    assert result["Sentiment"] == expected
    assert _scores_sum_to_one(result)
    assert set(result["SentimentScore"]) == {"Positive", "Negative", "Neutral", "Mixed"}


@pytest.mark.parametrize(
    "text", ["The meeting is at 3 pm on Tuesday.", "The report has twelve pages."]
)
def test_uncertain_sentences_are_neutral(comprehend: Any, text: str) -> None:
    result = comprehend.detect_sentiment(Text=text, LanguageCode="en")
    assert result["Sentiment"] == "NEUTRAL", result["SentimentScore"]
    assert _scores_sum_to_one(result)


@pytest.mark.parametrize(
    "text",
    [
        "The food was wonderful. The service was terrible and rude.",
        "I hated the first half of the film. The ending was brilliant and moving.",
    ],
)
def test_opposite_sentences_are_mixed(comprehend: Any, text: str) -> None:
    result = comprehend.detect_sentiment(Text=text, LanguageCode="en")
    assert result["Sentiment"] == "MIXED", result["SentimentScore"]
    assert _scores_sum_to_one(result)


def test_long_document_within_the_limit(comprehend: Any) -> None:
    praise = [
        "The staff were friendly and helpful.",
        "Breakfast was delicious.",
        "We loved the view from our balcony.",
        "It was a wonderful stay and we will gladly come back.",
    ]
    text = " ".join(praise * 25)
    assert len(text.encode()) <= 5000
    result = comprehend.detect_sentiment(Text=text, LanguageCode="en")
    assert result["Sentiment"] == "POSITIVE"


def test_over_long_text(comprehend: Any) -> None:
    with pytest.raises(comprehend.exceptions.TextSizeLimitExceededException):
        comprehend.detect_sentiment(Text="é" * 2501, LanguageCode="en")  # 5002 bytes


def test_blank_text(comprehend: Any) -> None:
    with pytest.raises(comprehend.exceptions.InvalidRequestException):
        comprehend.detect_sentiment(Text="   \n ", LanguageCode="en")


def test_empty_text_is_rejected_by_the_server(server: LiveServer) -> None:
    unvalidated = server.client(
        "comprehend",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    with pytest.raises(ClientError) as raised:
        unvalidated.detect_sentiment(Text="", LanguageCode="en")
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_unsupported_language(comprehend: Any) -> None:
    with pytest.raises(comprehend.exceptions.UnsupportedLanguageException):
        comprehend.detect_sentiment(Text="C'est magnifique.", LanguageCode="fr")
    with pytest.raises(comprehend.exceptions.UnsupportedLanguageException):
        comprehend.batch_detect_sentiment(TextList=["Muy bien."], LanguageCode="es")


def test_bad_language_code(comprehend: Any) -> None:
    with pytest.raises(ClientError) as raised:
        comprehend.detect_sentiment(Text="Fine.", LanguageCode="xx")
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_batch_of_26_documents(comprehend: Any) -> None:
    with pytest.raises(comprehend.exceptions.BatchSizeLimitExceededException):
        comprehend.batch_detect_sentiment(TextList=["Great."] * 26, LanguageCode="en")


def test_batch_items_fail_individually(comprehend: Any) -> None:
    texts = [
        "An absolute joy from start to finish.",
        "x" * 5001,
        "A tedious, joyless slog.",
        " ",
    ]
    result = comprehend.batch_detect_sentiment(TextList=texts, LanguageCode="en")
    answered = {item["Index"]: item for item in result["ResultList"]}
    assert sorted(answered) == [0, 2]
    assert answered[0]["Sentiment"] == "POSITIVE"
    assert answered[2]["Sentiment"] == "NEGATIVE"
    assert all(_scores_sum_to_one(item) for item in answered.values())
    errors = {item["Index"]: item["ErrorCode"] for item in result["ErrorList"]}
    assert errors == {1: "TextSizeLimitExceededException", 3: "InvalidRequestException"}


def test_batch_matches_single_calls(comprehend: Any) -> None:
    texts = ["Charming and witty.", "The report has twelve pages.", "Loud, long and pointless."]
    batch = comprehend.batch_detect_sentiment(TextList=texts, LanguageCode="en")["ResultList"]
    for item in batch:
        single = comprehend.detect_sentiment(Text=texts[item["Index"]], LanguageCode="en")
        assert single["Sentiment"] == item["Sentiment"]
        for name, value in single["SentimentScore"].items():
            assert math.isclose(value, item["SentimentScore"][name], abs_tol=1e-3)


def _sst2_subset(path: Path) -> list[tuple[str, int]]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    rows = [line.rpartition("\t") for line in lines[::SST2_STRIDE][:SST2_SUBSET_SIZE]]
    return [(text.strip(), int(label)) for text, _, label in rows]


def test_sst2_dev_subset_accuracy(comprehend: Any) -> None:
    """Binary accuracy (Positive vs Negative score) on a fixed 1000-phrase SST-2 dev subset."""
    examples = _sst2_subset(shared_data("sentiment", "sst2", "dev.tsv"))
    assert len(examples) == SST2_SUBSET_SIZE
    correct = 0
    for start in range(0, len(examples), 25):
        chunk = examples[start : start + 25]
        result = comprehend.batch_detect_sentiment(
            TextList=[text for text, _ in chunk], LanguageCode="en"
        )
        assert result["ErrorList"] == []
        for item in result["ResultList"]:
            score = item["SentimentScore"]
            predicted = int(score["Positive"] > score["Negative"])
            correct += predicted == chunk[item["Index"]][1]
    accuracy = correct / len(examples)
    assert accuracy >= SST2_SUBSET_FLOOR - 0.01, f"accuracy {accuracy:.4f}"


def test_concurrent_requests(server: LiveServer) -> None:
    """Six clients at once: the server takes what it can and refuses the rest with its
    retryable error, which boto3's standard retries absorb; every answer is right."""
    texts = ["Charming and witty.", "Loud, long and pointless."] * 6
    retrying = Config(retries={"mode": "standard", "max_attempts": 10})

    def ask(text: str) -> tuple[str, str]:
        client = server.client("comprehend", config=retrying)
        sentiment = client.detect_sentiment(Text=text, LanguageCode="en")["Sentiment"]
        language = client.detect_dominant_language(Text=text)["Languages"][0]["LanguageCode"]
        return sentiment, language

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(ask, texts))
    assert answers == [("POSITIVE", "en"), ("NEGATIVE", "en")] * 6
