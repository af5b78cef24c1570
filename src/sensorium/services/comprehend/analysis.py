"""Comprehend's text analysis on our models, with AWS's limits and error names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sensorium.context import RequestContext
from sensorium.errors import ServiceError
from sensorium.models.text.classifier import SentimentClassifier
from sensorium.models.text.document import analyze
from sensorium.models.text.language import LanguageIdentifier
from sensorium.services.comprehend.errors import (
    BatchSizeLimitExceededException,
    InvalidRequestException,
    TextSizeLimitExceededException,
    UnsupportedLanguageException,
)

# AWS's documented limits (UTF-8 bytes per document, documents per batch).
SENTIMENT_MAX_BYTES = 5_000
LANGUAGE_MAX_BYTES = 100_000
BATCH_ITEM_MAX_BYTES = 5_000
BATCH_MAX_DOCUMENTS = 25
SENTIMENT_LANGUAGES = frozenset({"en"})  # the classifier is trained on English (SST-2)


@dataclass(frozen=True)
class ItemError:
    index: int
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"Index": self.index, "ErrorCode": self.code, "ErrorMessage": self.message}


class TextAnalysis:
    def __init__(
        self,
        sentiment: Callable[[], SentimentClassifier],
        language: Callable[[], LanguageIdentifier],
    ) -> None:
        self._sentiment = sentiment
        self._language = language

    # --- sentiment -------------------------------------------------------------------------

    def detect_sentiment(self, ctx: RequestContext, text: str, language: str) -> dict[str, Any]:
        check_sentiment_language(language)
        check_text(text, SENTIMENT_MAX_BYTES)
        return self.sentiments([text])[0]

    def batch_detect_sentiment(
        self, ctx: RequestContext, texts: Sequence[str], language: str
    ) -> dict[str, Any]:
        check_batch_size(texts)
        check_sentiment_language(language)
        valid, errors = _screen(texts, BATCH_ITEM_MAX_BYTES)
        results = self.sentiments([texts[i] for i in valid])
        return {
            "ResultList": [{"Index": i, **r} for i, r in zip(valid, results, strict=True)],
            "ErrorList": [e.as_dict() for e in errors],
        }

    def sentiments(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        return [
            {"Sentiment": result.label, "SentimentScore": result.scores()}
            for result in analyze(self._sentiment(), texts)
        ]

    # --- dominant language -----------------------------------------------------------------

    def detect_dominant_language(self, ctx: RequestContext, text: str) -> dict[str, Any]:
        check_text(text, LANGUAGE_MAX_BYTES)
        return {"Languages": self.languages(text)}

    def batch_detect_dominant_language(
        self, ctx: RequestContext, texts: Sequence[str]
    ) -> dict[str, Any]:
        check_batch_size(texts)
        valid, errors = _screen(texts, BATCH_ITEM_MAX_BYTES)
        return {
            "ResultList": [{"Index": i, "Languages": self.languages(texts[i])} for i in valid],
            "ErrorList": [e.as_dict() for e in errors],
        }

    def languages(self, text: str) -> list[dict[str, Any]]:
        return [{"LanguageCode": s.code, "Score": s.score} for s in self._language().identify(text)]


def check_text(text: str, max_bytes: int) -> None:
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise TextSizeLimitExceededException(
            f"Input text size exceeds limit. Max length of request text allowed is "
            f"{max_bytes} bytes while in this request the text size is {size} bytes",
        )
    if not text.strip():
        raise InvalidRequestException("Text must not be blank")


def check_batch_size(texts: Sequence[str]) -> None:
    if len(texts) > BATCH_MAX_DOCUMENTS:
        raise BatchSizeLimitExceededException(
            f"The number of documents in the request ({len(texts)}) exceeds the limit of "
            f"{BATCH_MAX_DOCUMENTS}",
        )


def check_sentiment_language(language: str) -> None:
    if language not in SENTIMENT_LANGUAGES:
        raise UnsupportedLanguageException(
            f"Sentiment analysis is not available for language '{language}' on this "
            f"server; supported: {', '.join(sorted(SENTIMENT_LANGUAGES))}",
        )


def _screen(texts: Sequence[str], max_bytes: int) -> tuple[list[int], list[ItemError]]:
    """Indices of documents that can be analysed, and an error for each one that cannot."""
    valid, errors = [], []
    for index, text in enumerate(texts):
        try:
            check_text(text, max_bytes)
        except ServiceError as error:
            errors.append(ItemError(index, error.code, error.message))
        else:
            valid.append(index)
    return valid, errors
