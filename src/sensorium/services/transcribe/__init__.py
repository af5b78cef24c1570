"""Amazon Transcribe: batch transcription jobs and custom vocabularies on Whisper.

Configuration (environment):
  SENSORIUM_WHISPER_MODEL      folder of a CTranslate2 Whisper model to use instead of the
                               packaged tiny.en (e.g. a converted small or a multilingual one)
  SENSORIUM_TRANSCRIBE_BUCKET  the bucket results go to when a job names no OutputBucketName
                               (default "sensorium-transcribe")
"""

from __future__ import annotations

import os
from pathlib import Path

from sensorium.components import Components

MODEL_NAME = "whisper"
DEFAULT_SERVICE_BUCKET = "sensorium-transcribe"


def install(components: Components) -> None:
    from sensorium.models.stt import WhisperEngine, default_model_dir
    from sensorium.services.transcribe import handlers
    from sensorium.services.transcribe.jobs import JobService
    from sensorium.services.transcribe.synchronous import SynchronousTranscriber
    from sensorium.services.transcribe.vocabularies import VocabularyService

    configured = os.environ.get("SENSORIUM_WHISPER_MODEL")
    engine = WhisperEngine(Path(configured) if configured else default_model_dir(), MODEL_NAME)
    components.models.register(MODEL_NAME, lambda: engine)

    def loaded_engine() -> WhisperEngine:
        return components.models.get(MODEL_NAME, WhisperEngine)

    def submit(job_id: int) -> None:
        components.jobs.submit(jobs.run, job_id)

    jobs = JobService(
        components.database,
        components.blobs,
        engine,
        loaded_engine,
        submit,
        os.environ.get("SENSORIUM_TRANSCRIBE_BUCKET", DEFAULT_SERVICE_BUCKET),
        components.settings.s3_endpoint,
    )
    vocabularies = VocabularyService(components.database, components.blobs)
    synchronous = SynchronousTranscriber(jobs, vocabularies, components.blobs)
    handlers.register(components.operations, jobs, vocabularies, synchronous)
    jobs.recover()
