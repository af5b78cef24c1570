"""DetectSyntax and DetectKeyPhrases (and their batch forms) through boto3, in CBOR and JSON."""

from __future__ import annotations

from typing import Any

import pytest

from sensorium.training.conll import ewt_split
from tests.conftest import LiveServer, shared_data
from tests.services.comprehend.tagging import PROTOCOLS, assert_offsets, client

# Measured through the server on HELD_OUT_SENTENCES (bench/comprehend_syntax.py measures the
# whole held-out part); the test allows two points below it, so a regressed tagger fails.
HELD_OUT_FLOOR = 0.93
HELD_OUT_SENTENCES = 100
FOX = "The quick brown fox jumps over the lazy dog."
UNICODE = "Zoë\u2019s café in Málaga sells crème brûlée for €5 😊 — naïve tourists love it."


@pytest.fixture(scope="module", params=PROTOCOLS)
def speaking(request: pytest.FixtureRequest, database: str, server: LiveServer) -> Any:
    return client(server, request.param)


@pytest.fixture(scope="module")
def comprehend(database: str, server: LiveServer) -> Any:
    return client(server)


def test_tags_offsets_and_scores(speaking: Any) -> None:
    tokens = speaking.detect_syntax(Text=FOX, LanguageCode="en")["SyntaxTokens"]
    assert [t["TokenId"] for t in tokens] == list(range(1, 11))
    assert_offsets(FOX, tokens)
    tags = [t["PartOfSpeech"]["Tag"] for t in tokens]
    assert tags == ["DET", "ADJ", "ADJ", "NOUN", "VERB", "ADP", "DET", "ADJ", "NOUN", "PUNCT"]
    assert all(0.0 < t["PartOfSpeech"]["Score"] <= 1.0 for t in tokens)


def test_key_phrases(speaking: Any) -> None:
    phrases = speaking.detect_key_phrases(Text=FOX, LanguageCode="en")["KeyPhrases"]
    assert [p["Text"] for p in phrases] == ["The quick brown fox", "the lazy dog"]
    assert_offsets(FOX, phrases)
    assert all(0.0 < p["Score"] <= 1.0 for p in phrases)


def test_offsets_count_characters_in_non_ascii_text(comprehend: Any) -> None:
    tokens = comprehend.detect_syntax(Text=UNICODE, LanguageCode="en")["SyntaxTokens"]
    assert_offsets(UNICODE, tokens)
    texts = [t["Text"] for t in tokens]
    assert {"Zoë", "café", "Málaga", "crème", "brûlée", "€", "😊", "naïve"} <= set(texts)
    phrases = comprehend.detect_key_phrases(Text=UNICODE, LanguageCode="en")["KeyPhrases"]
    assert_offsets(UNICODE, phrases)
    assert phrases


def test_clitics_split_as_the_treebank_does(comprehend: Any) -> None:
    text = "I don't think it's ready."
    tokens = comprehend.detect_syntax(Text=text, LanguageCode="en")["SyntaxTokens"]
    assert [t["Text"] for t in tokens] == ["I", "do", "n't", "think", "it", "'s", "ready", "."]
    tags = [t["PartOfSpeech"]["Tag"] for t in tokens]
    assert tags[0] == "PRON" and tags[2] == "PART" and tags[-1] == "PUNCT"


def test_batch_items_fail_individually(speaking: Any) -> None:
    texts = ["Cats sleep.", " ", "x " * 2501, "Dogs bark loudly."]
    syntax = speaking.batch_detect_syntax(TextList=texts, LanguageCode="en")
    assert [r["Index"] for r in syntax["ResultList"]] == [0, 3]
    assert [t["Text"] for t in syntax["ResultList"][1]["SyntaxTokens"]] == [
        "Dogs", "bark", "loudly", ".",
    ]  # fmt: skip
    errors = {e["Index"]: e["ErrorCode"] for e in syntax["ErrorList"]}
    assert errors == {1: "InvalidRequestException", 2: "TextSizeLimitExceededException"}
    phrases = speaking.batch_detect_key_phrases(TextList=texts, LanguageCode="en")
    assert [r["Index"] for r in phrases["ResultList"]] == [0, 3]
    assert {e["Index"] for e in phrases["ErrorList"]} == {1, 2}


def test_batch_matches_single_calls(comprehend: Any) -> None:
    texts = ["She sold three old cars in Boston.", FOX]
    batch = comprehend.batch_detect_syntax(TextList=texts, LanguageCode="en")["ResultList"]
    for item in batch:
        single = comprehend.detect_syntax(Text=texts[item["Index"]], LanguageCode="en")
        assert [t["PartOfSpeech"]["Tag"] for t in single["SyntaxTokens"]] == [
            t["PartOfSpeech"]["Tag"] for t in item["SyntaxTokens"]
        ]


def test_limits_and_languages(comprehend: Any) -> None:
    errors = comprehend.exceptions
    with pytest.raises(errors.TextSizeLimitExceededException):
        comprehend.detect_syntax(Text="é" * 2501, LanguageCode="en")  # 5002 bytes
    comprehend.detect_key_phrases(Text="é" * 2501, LanguageCode="en")  # 100 KB is its limit
    with pytest.raises(errors.UnsupportedLanguageException):
        comprehend.detect_syntax(Text="Le chat dort.", LanguageCode="fr")
    with pytest.raises(errors.UnsupportedLanguageException):
        comprehend.batch_detect_key_phrases(TextList=["Der Hund."], LanguageCode="de")
    with pytest.raises(errors.BatchSizeLimitExceededException):
        comprehend.batch_detect_syntax(TextList=["Hi."] * 26, LanguageCode="en")


def test_held_out_treebank_accuracy(comprehend: Any) -> None:
    """UPOS accuracy on held-out EWT sentences (never trained on), words joined by spaces;
    sentences whose re-tokenisation differs from the treebank's are skipped."""
    _, held_out = ewt_split(shared_data("text", "ud_english_ewt"))
    sample = held_out[:: len(held_out) // HELD_OUT_SENTENCES][:HELD_OUT_SENTENCES]
    correct = total = 0
    for start in range(0, len(sample), 25):
        chunk = sample[start : start + 25]
        texts = [" ".join(s.words) for s in chunk]
        answer = comprehend.batch_detect_syntax(TextList=texts, LanguageCode="en")
        for item in answer["ResultList"]:
            gold = chunk[item["Index"]]
            tokens = item["SyntaxTokens"]
            if [t["Text"] for t in tokens] != gold.words:
                continue
            correct += sum(
                t["PartOfSpeech"]["Tag"] == g for t, g in zip(tokens, gold.upos, strict=True)
            )
            total += len(tokens)
    assert total > 800, f"only {total} words tokenised as the treebank does"
    assert correct / total >= HELD_OUT_FLOOR, f"accuracy {correct / total:.4f}"
