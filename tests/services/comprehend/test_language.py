# ruff: noqa: RUF001  (sentences in other scripts are the point)
"""DetectDominantLanguage and BatchDetectDominantLanguage through boto3 against a live server."""

from __future__ import annotations

from typing import Any

import pytest

SHORT_SENTENCES = {
    "en": "Where did you park the car?",
    "es": "¿Dónde aparcaste el coche?",
    "fr": "Où as-tu garé la voiture ?",
    "de": "Wo hast du das Auto geparkt?",
    "it": "Dove hai parcheggiato la macchina?",
    "pt": "Onde você estacionou o carro?",
    "nl": "Waar heb je de auto geparkeerd?",
    "pl": "Gdzie zaparkowałeś samochód?",
    "ru": "Где ты припарковал машину?",
    "ja": "車をどこに停めましたか？",
    "zh": "你把车停在哪里了？",
    "ko": "차를 어디에 주차했어요?",
    "ar": "أين أوقفت السيارة؟",
    "hi": "तुमने गाड़ी कहाँ खड़ी की?",
    "tr": "Arabayı nereye park ettin?",
    "sv": "Var parkerade du bilen?",
}


@pytest.mark.parametrize(("code", "text"), sorted(SHORT_SENTENCES.items()))
def test_short_sentences(comprehend: Any, code: str, text: str) -> None:
    languages = comprehend.detect_dominant_language(Text=text)["Languages"]
    assert languages[0]["LanguageCode"] == code, languages
    scores = [language["Score"] for language in languages]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)
    assert sum(scores) <= 1.0 + 1e-6


def test_batch(comprehend: Any) -> None:
    codes = sorted(SHORT_SENTENCES)
    texts = [SHORT_SENTENCES[code] for code in codes] + ["ab" * 2501]
    result = comprehend.batch_detect_dominant_language(TextList=texts[-17:])
    found = {item["Index"]: item["Languages"][0]["LanguageCode"] for item in result["ResultList"]}
    assert found == dict(enumerate(codes))
    assert [(e["Index"], e["ErrorCode"]) for e in result["ErrorList"]] == [
        (16, "TextSizeLimitExceededException")
    ]


def test_text_without_letters_names_no_language(comprehend: Any) -> None:
    assert comprehend.detect_dominant_language(Text="12345 !!")["Languages"] == []


def test_limits(comprehend: Any) -> None:
    with pytest.raises(comprehend.exceptions.TextSizeLimitExceededException):
        comprehend.detect_dominant_language(Text="a" * 100_001)
    with pytest.raises(comprehend.exceptions.BatchSizeLimitExceededException):
        comprehend.batch_detect_dominant_language(TextList=["Hello there."] * 26)
    with pytest.raises(comprehend.exceptions.InvalidRequestException):
        comprehend.detect_dominant_language(Text="  ")
