"""Comprehend operations: each a method of TextAnalysis of the same name (snake_case), applied
to these input members in order."""

from __future__ import annotations

from sensorium.operations import OperationRegistry
from sensorium.services.comprehend.analysis import TextAnalysis
from sensorium.services.comprehend.linguistics import Linguistics

SERVICE = "comprehend"
OPERATIONS = {
    "DetectSentiment": "Text LanguageCode",
    "BatchDetectSentiment": "TextList LanguageCode",
    "DetectDominantLanguage": "Text",
    "BatchDetectDominantLanguage": "TextList",
}


TAGGING_OPERATIONS = {
    "DetectSyntax": "Text LanguageCode",
    "BatchDetectSyntax": "TextList LanguageCode",
    "DetectKeyPhrases": "Text LanguageCode",
    "BatchDetectKeyPhrases": "TextList LanguageCode",
    "DetectEntities": "Text? LanguageCode? EndpointArn?",
    "BatchDetectEntities": "TextList LanguageCode",
    "DetectPiiEntities": "Text LanguageCode",
    "ContainsPiiEntities": "Text LanguageCode",
}


def register(registry: OperationRegistry, analysis: TextAnalysis) -> None:
    registry.bind(SERVICE, OPERATIONS, analysis)


def register_tagging(registry: OperationRegistry, linguistics: Linguistics) -> None:
    registry.bind(SERVICE, TAGGING_OPERATIONS, linguistics)
