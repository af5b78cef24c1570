"""Amazon Polly: the neural engine is Kokoro-82M, the standard engine installed Piper voices."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sensorium.components import Components
from sensorium.config import Settings
from sensorium.models.registry import ModelRegistry
from sensorium.models.weights import PackagedWeights, Weights

if TYPE_CHECKING:
    from sensorium.services.polly.catalog import VoiceCatalog
    from sensorium.services.polly.lexicons import LexiconStore
    from sensorium.services.polly.synthesis import Synthesizer
    from sensorium.services.polly.tasks import TaskService

SERVICES = ("polly",)
PIPER = PackagedWeights("Piper (GPL-3.0)", "piper", "tts")


@dataclass
class PollyService:
    synthesizer: Synthesizer
    catalog: VoiceCatalog
    lexicons: LexiconStore
    tasks: TaskService


def requires(settings: Settings) -> list[Weights]:
    from sensorium.models.tts.kokoro import assets

    return [PIPER, *assets.REQUIRED]


def voice_folders(settings: Settings) -> list[Path]:
    """Extra voice folders: ``SENSORIUM_POLLY_VOICES_DIR`` (path-separated) and
    ``DATA_DIR/voices``."""
    configured = [Path(p) for p in settings.polly.voices_dir.split(os.pathsep) if p]
    return [*configured, settings.data_dir / "voices"]


def voice_catalog(settings: Settings, models: ModelRegistry) -> VoiceCatalog:
    """Every installed voice, registered as a model and named as Polly names voices; the
    neural voices when Kokoro is installed (its voices' files load at first use)."""
    from sensorium.models.tts.kokoro import assets
    from sensorium.models.tts.kokoro.model import KokoroModel
    from sensorium.models.tts.kokoro.phonemes import phonemiser
    from sensorium.models.tts.piper_voice import PiperVoiceModel
    from sensorium.models.tts.voices import discover
    from sensorium.services.polly.catalog import VoiceCatalog, neural_voices
    from sensorium.services.polly.synthesis import KOKORO, model_name

    installed = discover(voice_folders(settings))
    for spec in installed:
        models.register(model_name(spec), partial(PiperVoiceModel, spec))
    neural = []
    if all(importlib.util.find_spec(part.module) for part in assets.PARTS):
        models.register(KOKORO, partial(KokoroModel, settings.models.dir))
        neural = [voice for voice in neural_voices() if phonemiser(voice.language)]
    return VoiceCatalog(installed, settings.polly.voice_map, neural)


def install(components: Components) -> PollyService:
    from sensorium.services.polly import handlers
    from sensorium.services.polly.catalog import POLLY_VOICES
    from sensorium.services.polly.errors import ERRORS
    from sensorium.services.polly.lexicons import LexiconStore
    from sensorium.services.polly.synthesis import Synthesizer
    from sensorium.services.polly.tasks import TaskService

    components.operations.declare(SERVICES, ERRORS)
    components.operations.gate("polly", "voice", "SynthesizeSpeech")
    paginator = components.paginator(ERRORS)
    catalog = voice_catalog(components.settings, components.models)
    languages = frozenset(language for language, _ in POLLY_VOICES.values())
    lexicons = LexiconStore(components.database, languages, paginator)
    synthesizer = Synthesizer(components.models, catalog, lexicons)
    tasks = TaskService(
        components.database, components.blobs, components.jobs, synthesizer, paginator
    )
    handlers.register(components.operations, catalog, lexicons, synthesizer, tasks)
    return PollyService(synthesizer, catalog, lexicons, tasks)
