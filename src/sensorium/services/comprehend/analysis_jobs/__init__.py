"""Comprehend's asynchronous analysis jobs over S3: Start/Describe/List/Stop of
EntitiesDetection, KeyPhrasesDetection, SentimentDetection, DominantLanguageDetection and
PiiEntitiesDetection jobs, all one kind of durable job (``comprehend.analysis``) run by the
models of the matching Detect operations. Targeted sentiment, events and topics jobs are not
implemented (the server answers NotImplementedException)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sensorium.components import Components

if TYPE_CHECKING:
    from sensorium.services.comprehend.analysis import TextAnalysis
    from sensorium.services.comprehend.linguistics import Linguistics

SERVICE = "comprehend"


def install(components: Components, analysis: TextAnalysis, linguistics: Linguistics) -> None:
    from sensorium.services.comprehend.analysis_jobs import handlers
    from sensorium.services.comprehend.analysis_jobs.jobtypes import (
        DOMINANT_LANGUAGE,
        ENTITIES,
        KEY_PHRASES,
        PII,
        SENTIMENT,
    )
    from sensorium.services.comprehend.analysis_jobs.running import AnalysisKind, Analyzer
    from sensorium.services.comprehend.analysis_jobs.service import AnalysisJobs
    from sensorium.services.comprehend.errors import ERRORS

    analyzers: dict[str, Analyzer] = {
        PII.stem: linguistics.pii_entities_in,
        ENTITIES.stem: linguistics.entities_in,
        KEY_PHRASES.stem: linguistics.key_phrases_in,
        SENTIMENT.stem: analysis.sentiments,
        DOMINANT_LANGUAGE.stem: lambda texts: [
            {"Languages": analysis.languages(text)} for text in texts
        ],
    }
    jobs = AnalysisJobs(
        components.database, components.blobs, components.jobs, components.paginator(ERRORS)
    )
    components.jobs.register(AnalysisKind(components.database, components.blobs, analyzers))
    handlers.register(components.operations, jobs)
