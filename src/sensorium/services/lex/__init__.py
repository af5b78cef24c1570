"""Amazon Lex V2: bots defined through lexv2-models, trained by BuildBotLocale (intent
classifier and slot tagger on the packaged sentence encoder), and lexv2-runtime dialogs in text
and speech (Whisper in, Polly voices out)."""

from __future__ import annotations

from typing import Any

from sensorium.components import Components

ENCODER_MODEL = "lex-encoder"
WHISPER_MODEL = "whisper"  # registered by the Transcribe service


def install(components: Components) -> None:
    from sensorium.models.nlu.encoder import UtteranceEncoder
    from sensorium.models.stt import WhisperEngine
    from sensorium.services.lex import bots, definitions, handlers
    from sensorium.services.lex.build import BuildJob, BuildService
    from sensorium.services.lex.runtime import Runtime

    models = components.models
    models.register(ENCODER_MODEL, lambda: UtteranceEncoder(ENCODER_MODEL))

    def encoder() -> UtteranceEncoder:
        return models.get(ENCODER_MODEL, UtteranceEncoder)

    def whisper() -> WhisperEngine:
        try:
            return models.get(WHISPER_MODEL, WhisperEngine)
        except KeyError:
            from sensorium.errors import ServiceError

            raise ServiceError(
                "DependencyFailedException", "Speech input needs the Transcribe service."
            ) from None

    def submit(job: BuildJob) -> None:
        components.jobs.submit(builds.run, job)

    builds = BuildService(components.database, encoder, submit)
    runtime = Runtime(components.database, encoder)
    bots.register(components.operations, components.database)
    definitions.register(components.operations, components.database, builds.start)
    handlers.register(components.operations, runtime, whisper, _synthesizer(components))
    builds.recover()


def _synthesizer(components: Components) -> Any:
    """Polly's synthesizer, built on first use (its voices are registered by Polly)."""
    made: list[Any] = []

    def get() -> Any:
        if not made:
            from sensorium.models.tts.voices import discover
            from sensorium.services.polly import voice_folders
            from sensorium.services.polly.catalog import POLLY_VOICES, VoiceCatalog
            from sensorium.services.polly.lexicons import LexiconStore
            from sensorium.services.polly.synthesis import Synthesizer

            catalog = VoiceCatalog(discover(voice_folders(components.settings.data_dir)))
            languages = frozenset(language for language, _ in POLLY_VOICES.values())
            lexicons = LexiconStore(components.database, languages)
            made.append(Synthesizer(components.models, catalog, lexicons))
        return made[0]

    return get
