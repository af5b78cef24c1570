"""What each kind of asynchronous analysis job is: its operations' names, its ARN and output
folder, the languages it reads and how large a document may be.

Documents larger than their limit are not analysed: their output line carries ``ErrorCode``
DOCUMENT_SIZE_EXCEEDED instead, as AWS writes them. The limits are AWS's: 100 KB for
entities, key phrases and PII, 5 KB for sentiment, 1 MB for the dominant language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sensorium.services.comprehend.analysis import SENTIMENT_LANGUAGES, SENTIMENT_MAX_BYTES
from sensorium.services.comprehend.linguistics import DOCUMENT_MAX_BYTES, TAGGER_LANGUAGES


@dataclass(frozen=True)
class AnalysisType:
    stem: str  # "EntitiesDetection": StartEntitiesDetectionJob, ListEntitiesDetectionJobs...
    code: str  # the output folder: <S3Uri>/<account>-<code>-<job id>/output/
    languages: frozenset[str] | None  # None: the request has no LanguageCode
    max_document_bytes: int

    @property
    def resource(self) -> str:
        """The ARN's resource type: ``entities-detection-job``."""
        return re.sub(r"(?<!^)(?=[A-Z])", "-", self.stem).lower() + "-job"

    @property
    def properties(self) -> str:
        return f"{self.stem}JobProperties"

    @property
    def operations(self) -> dict[str, str]:
        """Each of the type's operations, by what it does."""
        return {
            "start": f"Start{self.stem}Job",
            "describe": f"Describe{self.stem}Job",
            "list": f"List{self.stem}Jobs",
            "stop": f"Stop{self.stem}Job",
        }


PII = AnalysisType("PiiEntitiesDetection", "PII", TAGGER_LANGUAGES, DOCUMENT_MAX_BYTES)
ENTITIES = AnalysisType("EntitiesDetection", "NER", TAGGER_LANGUAGES, DOCUMENT_MAX_BYTES)
KEY_PHRASES = AnalysisType("KeyPhrasesDetection", "KP", TAGGER_LANGUAGES, DOCUMENT_MAX_BYTES)
SENTIMENT = AnalysisType(
    "SentimentDetection", "SENTIMENT", SENTIMENT_LANGUAGES, SENTIMENT_MAX_BYTES
)
DOMINANT_LANGUAGE = AnalysisType("DominantLanguageDetection", "LANGUAGE", None, 1_000_000)
TYPES = {kind.stem: kind for kind in (PII, ENTITIES, KEY_PHRASES, SENTIMENT, DOMINANT_LANGUAGE)}
