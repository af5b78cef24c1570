"""Comprehend's token-level analysis on our taggers: syntax, key phrases, entities and PII.

Offsets are character (code point) offsets into the request's text, so that
``text[BeginOffset:EndOffset]`` is the token, phrase or entity. Scores are the taggers' softmax
probabilities; entities found by a parser or a validated pattern (dates, quantities, most PII
types) carry no Score, since no model weighed them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sensorium.context import RequestContext
from sensorium.models.text import entities, phrases, pii
from sensorium.models.text.tagger import TaggedWord, TokenTagger
from sensorium.models.text.tokens import Token, sentences, split_tokens
from sensorium.services.comprehend.analysis import (
    BATCH_ITEM_MAX_BYTES,
    LANGUAGE_MAX_BYTES,
    SENTIMENT_MAX_BYTES,
    _screen,
    check_batch_size,
    check_text,
)
from sensorium.services.comprehend.errors import (
    InvalidRequestException,
    UnsupportedLanguageException,
)

SYNTAX_MAX_BYTES = SENTIMENT_MAX_BYTES  # 5 KB, as AWS documents for DetectSyntax
DOCUMENT_MAX_BYTES = LANGUAGE_MAX_BYTES  # 100 KB: key phrases, entities, PII
TAGGER_LANGUAGES = frozenset({"en"})  # trained on English treebank and tweets
# PII types the entity tagger supplies: a person's name; its locations are places, not
# postal addresses, which come from the address pattern.
PII_FROM_ENTITIES = {"PERSON": "NAME"}

Tagged = list[tuple[Token, TaggedWord]]


def check_language(language: str | None, feature: str) -> None:
    if language not in TAGGER_LANGUAGES:
        raise UnsupportedLanguageException(
            f"{feature} is not available for language '{language}' on this server; "
            f"supported: {', '.join(sorted(TAGGER_LANGUAGES))}",
        )


class Linguistics:
    def __init__(
        self,
        syntax: Callable[[], TokenTagger],
        entities: Callable[[], TokenTagger],
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._syntax = syntax
        self._entities = entities
        self._today = today

    # --- syntax ----------------------------------------------------------------------------

    def detect_syntax(self, ctx: RequestContext, text: str, language: str) -> dict[str, Any]:
        check_language(language, "Syntax analysis")
        check_text(text, SYNTAX_MAX_BYTES)
        return {"SyntaxTokens": _syntax_tokens(self._tag(self._syntax(), [text])[0])}

    def batch_detect_syntax(
        self, ctx: RequestContext, texts: Sequence[str], language: str
    ) -> dict[str, Any]:
        return self._batch(
            texts, language, "Syntax analysis", self._syntax, "SyntaxTokens", _syntax_tokens
        )

    # --- key phrases -----------------------------------------------------------------------

    def detect_key_phrases(self, ctx: RequestContext, text: str, language: str) -> dict[str, Any]:
        check_language(language, "Key phrase detection")
        check_text(text, DOCUMENT_MAX_BYTES)
        return {"KeyPhrases": _key_phrases(text, self._tag(self._syntax(), [text])[0])}

    def batch_detect_key_phrases(
        self, ctx: RequestContext, texts: Sequence[str], language: str
    ) -> dict[str, Any]:
        return self._batch(
            texts,
            language,
            "Key phrase detection",
            self._syntax,
            "KeyPhrases",
            lambda tagged, text: _key_phrases(text, tagged),
        )

    def key_phrases_in(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """DetectKeyPhrases' answer for each text (checked already)."""
        tagged = self._tag(self._syntax(), texts)
        return [
            {"KeyPhrases": _key_phrases(text, words)}
            for text, words in zip(texts, tagged, strict=True)
        ]

    # --- entities --------------------------------------------------------------------------

    def detect_entities(
        self,
        ctx: RequestContext,
        text: str | None,
        language: str | None,
        endpoint_arn: str | None,
    ) -> dict[str, Any]:
        if endpoint_arn is not None:
            raise InvalidRequestException(
                "Custom entity recognizer endpoints are not supported by this server"
            )
        if text is None:
            raise InvalidRequestException("Text is required (document Bytes are not supported)")
        if language is None:
            raise InvalidRequestException("LanguageCode is required without an EndpointArn")
        check_language(language, "Entity detection")
        check_text(text, DOCUMENT_MAX_BYTES)
        return {"Entities": self._entity_list(text, self._tag(self._entities(), [text])[0])}

    def batch_detect_entities(
        self, ctx: RequestContext, texts: Sequence[str], language: str
    ) -> dict[str, Any]:
        return self._batch(
            texts,
            language,
            "Entity detection",
            self._entities,
            "Entities",
            lambda tagged, text: self._entity_list(text, tagged),
        )

    def entities_in(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """DetectEntities' answer for each text (checked already)."""
        tagged = self._tag(self._entities(), texts)
        return [
            {"Entities": self._entity_list(text, words)}
            for text, words in zip(texts, tagged, strict=True)
        ]

    def _entities_of(self, text: str, tagged: Tagged) -> list[entities.FoundEntity]:
        tokens = [token for token, _ in tagged]
        named = entities.tagged_entities(tokens, [word for _, word in tagged])
        found = entities.resolve_overlaps([*named, *entities.dates(text, tokens, self._today())])
        return entities.resolve_overlaps([*found, *entities.quantities(tokens, found)])

    def _entity_list(self, text: str, tagged: Tagged) -> list[dict[str, Any]]:
        return [
            {
                **({"Score": e.score} if e.score is not None else {}),
                "Type": e.type,
                "Text": text[e.start : e.end],
                "BeginOffset": e.start,
                "EndOffset": e.end,
            }
            for e in self._entities_of(text, tagged)
        ]

    # --- PII -------------------------------------------------------------------------------

    def detect_pii_entities(self, ctx: RequestContext, text: str, language: str) -> dict[str, Any]:
        check_language(language, "PII detection")
        check_text(text, DOCUMENT_MAX_BYTES)
        return self.pii_entities_in([text])[0]

    def pii_entities_in(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """DetectPiiEntities' answer for each text (checked already)."""
        tagged = self._tag(self._entities(), texts)
        return [
            {
                "Entities": [
                    {
                        **({"Score": score} if score is not None else {}),
                        "Type": kind,
                        "BeginOffset": start,
                        "EndOffset": end,
                    }
                    for kind, start, end, score in self._pii(text, words)
                ]
            }
            for text, words in zip(texts, tagged, strict=True)
        ]

    def contains_pii_entities(
        self, ctx: RequestContext, text: str, language: str
    ) -> dict[str, Any]:
        check_language(language, "PII detection")
        check_text(text, DOCUMENT_MAX_BYTES)
        labels: dict[str, float | None] = {}
        for kind, _, _, score in self._pii(text, self._tag(self._entities(), [text])[0]):
            known = labels.get(kind)
            if kind not in labels or (score is not None and (known is None or score > known)):
                labels[kind] = score
        return {
            "Labels": [
                {"Name": kind, **({"Score": score} if score is not None else {})}
                for kind, score in labels.items()
            ]
        }

    def _pii(self, text: str, tagged: Tagged) -> list[tuple[str, int, int, float | None]]:
        found: list[tuple[str, int, int, float | None]] = [
            (m.type, m.start, m.end, None) for m in pii.find(text)
        ]
        taken = [(start, end) for _, start, end, _ in found]
        for entity in entities.tagged_entities(*_split(tagged)):
            kind = PII_FROM_ENTITIES.get(entity.type)
            overlaps = any(entity.start < end and start < entity.end for start, end in taken)
            if kind is not None and not overlaps:
                found.append((kind, entity.start, entity.end, entity.score))
        return sorted(found, key=lambda f: f[1])

    # --- shared ----------------------------------------------------------------------------

    @staticmethod
    def _tag(tagger: TokenTagger, texts: Sequence[str]) -> list[Tagged]:
        """Each text's tokens with their labels; the tagger reads one sentence at a time."""
        documents = [sentences(text, split_tokens(text)) for text in texts]
        flat = [sentence for document in documents for sentence in document]
        labelled = tagger.tag([[token.text for token in sentence] for sentence in flat])
        results: list[Tagged] = []
        at = 0
        for document in documents:
            tagged: Tagged = []
            for sentence, words in zip(document, labelled[at : at + len(document)], strict=True):
                tagged.extend(zip(sentence, words, strict=True))
            at += len(document)
            results.append(tagged)
        return results

    def _batch(
        self,
        texts: Sequence[str],
        language: str,
        feature: str,
        tagger: Callable[[], TokenTagger],
        member: str,
        answer: Callable[[Tagged, str], list[dict[str, Any]]],
    ) -> dict[str, Any]:
        check_batch_size(texts)
        check_language(language, feature)
        valid, errors = _screen(texts, BATCH_ITEM_MAX_BYTES)
        tagged = self._tag(tagger(), [texts[i] for i in valid]) if valid else []
        return {
            "ResultList": [
                {"Index": i, member: answer(t, texts[i])}
                for i, t in zip(valid, tagged, strict=True)
            ],
            "ErrorList": [e.as_dict() for e in errors],
        }


def _split(tagged: Tagged) -> tuple[list[Token], list[TaggedWord]]:
    return [token for token, _ in tagged], [word for _, word in tagged]


def _syntax_tokens(tagged: Tagged, text: str = "") -> list[dict[str, Any]]:
    return [
        {
            "TokenId": index,
            "Text": token.text,
            "BeginOffset": token.start,
            "EndOffset": token.end,
            "PartOfSpeech": {"Tag": word.label, "Score": word.score},
        }
        for index, (token, word) in enumerate(tagged, start=1)
    ]


def _key_phrases(text: str, tagged: Tagged) -> list[dict[str, Any]]:
    """Noun phrase chunks per sentence; a phrase's score is the mean probability of its
    words' tags."""
    found = []
    tags = [word.label for _, word in tagged]
    for first, end in phrases.chunk(tags):
        start, stop = tagged[first][0].start, tagged[end - 1][0].end
        score = sum(word.score for _, word in tagged[first:end]) / (end - first)
        found.append(
            {"Score": score, "Text": text[start:stop], "BeginOffset": start, "EndOffset": stop}
        )
    return found
