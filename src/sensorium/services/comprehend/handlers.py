"""Comprehend operations: each a method of TextAnalysis of the same name (snake_case), applied
to these input members in order."""

from __future__ import annotations

from sensorium.operations import OperationRegistry
from sensorium.services.comprehend.analysis import TextAnalysis

SERVICE = "comprehend"
OPERATIONS = {
    "DetectSentiment": "Text LanguageCode",
    "BatchDetectSentiment": "TextList LanguageCode",
    "DetectDominantLanguage": "Text",
    "BatchDetectDominantLanguage": "TextList",
}


def register(registry: OperationRegistry, analysis: TextAnalysis) -> None:
    registry.bind(SERVICE, OPERATIONS, analysis)
