"""Amazon Comprehend: sentiment (our SST-2-trained classifier) and dominant language (Lingua)."""

from __future__ import annotations

from sensorium.components import Components

SENTIMENT_MODEL = "comprehend-sentiment"
LANGUAGE_MODEL = "comprehend-language"


def install(components: Components) -> None:
    from sensorium.models.text.classifier import SentimentClassifier
    from sensorium.models.text.language import LanguageIdentifier
    from sensorium.services.comprehend import handlers
    from sensorium.services.comprehend.analysis import TextAnalysis

    components.models.register(SENTIMENT_MODEL, SentimentClassifier)
    components.models.register(LANGUAGE_MODEL, LanguageIdentifier)
    analysis = TextAnalysis(
        sentiment=lambda: components.models.get(SENTIMENT_MODEL, SentimentClassifier),
        language=lambda: components.models.get(LANGUAGE_MODEL, LanguageIdentifier),
    )
    handlers.register(components.operations, analysis)
